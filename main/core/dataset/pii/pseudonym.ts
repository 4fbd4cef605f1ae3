// Replacement values for masked export: a fixed tag (redaction), or a pseudonym that is the
// same for the same value within a case (HMAC-SHA-256 keyed per case) and useless outside it.
import { createHmac } from 'node:crypto';
import type { DetectorId } from './types.ts';

/** Spelling-insensitive form: `4111 1111-...` and `41111111...` get one pseudonym. */
function canonical(detector: DetectorId, value: string): string {
  switch (detector) {
    case 'email':
      return value.trim().toLowerCase();
    case 'person-name':
    case 'postal-address':
      return value.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
    case 'private-key':
    case 'jwt':
    case 'connection-string-password':
    case 'password-field':
    case 'high-entropy-secret':
    case 'aws-access-key':
    case 'google-api-key':
    case 'github-token':
    case 'gitlab-token':
    case 'slack-token':
    case 'stripe-key':
      return value.trim();
    default:
      return value.replace(/[^\p{L}\p{N}]/gu, '').toUpperCase();
  }
}

export function redaction(detector: DetectorId): string {
  return `[${detector}]`;
}

export class Pseudonymiser {
  private readonly key: Buffer;
  constructor(key: string | Uint8Array) {
    this.key = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
    if (this.key.length < 16) throw new Error('the pseudonym key must be at least 16 bytes (one random key per case)');
  }
  token(detector: DetectorId, value: string): string {
    const mac = createHmac('sha256', this.key).update(`${detector}\0${canonical(detector, value)}`).digest('hex');
    return `[${detector}:${mac.slice(0, 12)}]`;
  }
}
