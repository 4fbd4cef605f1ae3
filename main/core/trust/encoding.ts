// Byte encodings shared by the trust layer. Decoders are strict: a signature file that only
// parses after silent repairs is a signature file someone may have tampered with.
import { createHash } from 'node:crypto';

const B64_STD = /^[A-Za-z0-9+/]*={0,2}$/;
const B64_URL = /^[A-Za-z0-9_-]*={0,2}$/;

export class EncodingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncodingError';
  }
}

/** Decodes standard or URL-safe base64 (padding optional); anything else is an error. */
export function decodeBase64(text: string, what: string): Buffer {
  const t = text.trim();
  if (!(B64_STD.test(t) || B64_URL.test(t))) throw new EncodingError(`${what} is not base64`);
  const unpadded = t.replace(/=+$/, '');
  if (unpadded.length % 4 === 1) throw new EncodingError(`${what} has a truncated base64 length`);
  return Buffer.from(unpadded.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function sha256Bytes(data: Uint8Array | string): Buffer {
  return createHash('sha256').update(data).digest();
}

export const HEX64 = /^[0-9a-f]{64}$/;

export function isSha256Hex(value: unknown): value is string {
  return typeof value === 'string' && HEX64.test(value);
}

export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
