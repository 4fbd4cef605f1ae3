// The auditor's private key at rest: PKCS#8 DER sealed with AES-256-GCM under a key derived
// from a passphrase with scrypt. The blob is self-describing JSON (format, version, KDF and
// cipher parameters) so the store can keep it as text and later versions can read old blobs.
// The header is bound to the ciphertext as associated data, so nobody can swap the public key
// or weaken the KDF parameters of a stored blob without the passphrase noticing.
import { createCipheriv, createDecipheriv, createPrivateKey, randomBytes, scrypt, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from './canonical-json.ts';
import { decodeBase64, encodeBase64 } from './encoding.ts';
import { curveOf, CURVES, KeyError, keyFingerprint, publicKeyPem } from './keys.ts';

export const SEALED_KEY_FORMAT = 'assay-sealed-key' as const;

/** scrypt cost: N=2^17, r=8 (128 MiB, about half a second here): OWASP's recommended floor. */
export const DEFAULT_SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const;

const LIMITS = { minLogN: 10, maxLogN: 20, maxR: 32, maxP: 16, maxMem: 1024 * 1024 * 1024, maxCiphertext: 4096 };

const SealedKeySchema = z.object({
  format: z.literal(SEALED_KEY_FORMAT),
  version: z.literal(1),
  curve: z.enum(CURVES),
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  publicKey: z.string().max(4096),
  createdAt: z.string().max(40),
  kdf: z.object({
    name: z.literal('scrypt'),
    N: z.number().int(),
    r: z.number().int().min(1).max(LIMITS.maxR),
    p: z.number().int().min(1).max(LIMITS.maxP),
    salt: z.string().max(200),
  }),
  cipher: z.object({ name: z.literal('aes-256-gcm'), iv: z.string().max(100), tag: z.string().max(100) }),
  ciphertext: z.string().max(LIMITS.maxCiphertext * 2),
});
export type SealedKey = z.infer<typeof SealedKeySchema>;

export interface SealOptions {
  /** Lower costs only for tests; the default is DEFAULT_SCRYPT. */
  scrypt?: { N: number; r: number; p: number };
  now?: () => Date;
}

function checkCost(N: number, r: number, p: number): void {
  const logN = Math.log2(N);
  if (!Number.isInteger(logN) || logN < LIMITS.minLogN || logN > LIMITS.maxLogN) {
    throw new KeyError('malformed', `scrypt N=${N} is outside 2^${LIMITS.minLogN}..2^${LIMITS.maxLogN}`);
  }
  if (128 * N * r * p > LIMITS.maxMem) throw new KeyError('malformed', 'scrypt parameters need too much memory');
}

function deriveKey(passphrase: string, salt: Buffer, N: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, 32, { N, r, p, maxmem: 128 * N * r * p + 1024 * 1024 }, (err, key) => {
      if (err) reject(err);
      else resolve(key);
    });
  });
}

/** The header bytes authenticated with the ciphertext: everything except the tag and ciphertext. */
function associatedData(blob: Omit<SealedKey, 'ciphertext' | 'cipher'> & { cipher: { name: string; iv: string } }): Buffer {
  const { format, version, curve, fingerprint, publicKey, createdAt, kdf, cipher } = blob;
  return Buffer.from(canonicalJson({ format, version, curve, fingerprint, publicKey, createdAt, kdf, cipher: { name: cipher.name, iv: cipher.iv } }));
}

/** Encrypts a private key under a passphrase; returns the JSON text to store. */
export async function sealPrivateKey(privateKey: KeyObject, passphrase: string, options: SealOptions = {}): Promise<string> {
  if (privateKey.type !== 'private') throw new KeyError('not-a-private-key', 'only a private key can be sealed');
  if (passphrase.length === 0) throw new KeyError('passphrase-required', 'a passphrase is required to store a private key');
  const curve = curveOf(privateKey);
  const { N, r, p } = options.scrypt ?? DEFAULT_SCRYPT;
  checkCost(N, r, p);
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const header = {
    format: SEALED_KEY_FORMAT,
    version: 1 as const,
    curve,
    fingerprint: keyFingerprint(privateKey),
    publicKey: publicKeyPem(privateKey),
    createdAt: (options.now?.() ?? new Date()).toISOString(),
    kdf: { name: 'scrypt' as const, N, r, p, salt: encodeBase64(salt) },
    cipher: { name: 'aes-256-gcm' as const, iv: encodeBase64(iv) },
  };
  const key = await deriveKey(passphrase, salt, N, r, p);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(associatedData(header));
  const der = privateKey.export({ type: 'pkcs8', format: 'der' });
  const ciphertext = Buffer.concat([cipher.update(der), cipher.final()]);
  der.fill(0);
  key.fill(0);
  const sealed: SealedKey = {
    ...header,
    cipher: { ...header.cipher, tag: encodeBase64(cipher.getAuthTag()) },
    ciphertext: encodeBase64(ciphertext),
  };
  return `${JSON.stringify(sealed, null, 2)}\n`;
}

/** Reads the public parts of a sealed key without the passphrase. */
export function inspectSealedKey(text: string): SealedKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new KeyError('malformed', 'the stored key is not JSON');
  }
  const r = SealedKeySchema.safeParse(parsed);
  if (!r.success) throw new KeyError('malformed', `the stored key is not an ${SEALED_KEY_FORMAT} v1 blob: ${r.error.issues[0]?.message ?? ''}`);
  return r.data;
}

/** Decrypts a sealed key; KeyError `wrong-passphrase` when the passphrase (or the blob) is wrong. */
export async function openSealedKey(text: string, passphrase: string): Promise<KeyObject> {
  const blob = inspectSealedKey(text);
  checkCost(blob.kdf.N, blob.kdf.r, blob.kdf.p);
  const salt = decodeBase64(blob.kdf.salt, 'salt');
  const iv = decodeBase64(blob.cipher.iv, 'iv');
  const tag = decodeBase64(blob.cipher.tag, 'tag');
  const ciphertext = decodeBase64(blob.ciphertext, 'ciphertext');
  if (salt.length < 16 || iv.length !== 12 || tag.length !== 16 || ciphertext.length > LIMITS.maxCiphertext) {
    throw new KeyError('malformed', 'the stored key has invalid cipher parameters');
  }
  const key = await deriveKey(passphrase, salt, blob.kdf.N, blob.kdf.r, blob.kdf.p);
  let der: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(associatedData(blob));
    decipher.setAuthTag(tag);
    der = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new KeyError('wrong-passphrase', 'the passphrase does not open this key (or the stored key was altered)');
  } finally {
    key.fill(0);
  }
  try {
    const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    if (keyFingerprint(privateKey) !== blob.fingerprint) throw new KeyError('malformed', 'the stored key does not match its recorded fingerprint');
    return privateKey;
  } finally {
    der.fill(0);
  }
}
