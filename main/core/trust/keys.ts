// ECDSA keys of auditors and publishers: generation, PEM import (PKCS#8 or SEC1, encrypted or
// not), public-key export and the fingerprint Assay shows wherever a key is used.
import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign as cryptoSign } from 'node:crypto';
import { sha256Hex } from './encoding.ts';

export const CURVES = ['P-256', 'P-384', 'P-521'] as const;
export type Curve = (typeof CURVES)[number];

interface CurveInfo {
  /** OpenSSL name as node:crypto reports it. */
  openssl: string;
  /** The hash ECDSA uses with this curve in model signing and Sigstore. */
  hash: 'sha256' | 'sha384' | 'sha512';
  /** Sigstore `PublicKeyDetails` name. */
  keyDetails: string;
}

export const CURVE_INFO: Record<Curve, CurveInfo> = {
  'P-256': { openssl: 'prime256v1', hash: 'sha256', keyDetails: 'PKIX_ECDSA_P256_SHA_256' },
  'P-384': { openssl: 'secp384r1', hash: 'sha384', keyDetails: 'PKIX_ECDSA_P384_SHA_384' },
  'P-521': { openssl: 'secp521r1', hash: 'sha512', keyDetails: 'PKIX_ECDSA_P521_SHA_512' },
};

const CURVE_BY_OPENSSL = new Map<string, Curve>(CURVES.map((c) => [CURVE_INFO[c].openssl, c]));

export type KeyErrorCode =
  | 'passphrase-required' | 'wrong-passphrase' | 'not-a-key' | 'not-a-private-key'
  | 'unsupported-key-type' | 'unsupported-curve' | 'malformed';

export class KeyError extends Error {
  constructor(readonly code: KeyErrorCode, message: string) {
    super(message);
    this.name = 'KeyError';
  }
}

/** The curve of an EC key; throws KeyError for other key types and curves. */
export function curveOf(key: KeyObject): Curve {
  if (key.asymmetricKeyType !== 'ec') {
    throw new KeyError('unsupported-key-type', `only ECDSA keys are supported, this is a ${key.asymmetricKeyType ?? 'symmetric'} key`);
  }
  const name = key.asymmetricKeyDetails?.namedCurve ?? '';
  const curve = CURVE_BY_OPENSSL.get(name);
  if (!curve) throw new KeyError('unsupported-curve', `curve ${name || 'unknown'} is not supported (P-256, P-384 or P-521)`);
  return curve;
}

export function generateSigningKey(curve: Curve = 'P-256'): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: CURVE_INFO[curve].openssl }).privateKey;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----/;
const MAX_PEM = 64 * 1024;

function isEncryptedPem(pem: string): boolean {
  return /-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(pem) || /Proc-Type:\s*4,\s*ENCRYPTED/.test(pem);
}

/**
 * A private key from PEM text: PKCS#8 (`PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`) or SEC1
 * (`EC PRIVATE KEY`, optionally with a legacy `Proc-Type: 4,ENCRYPTED` header).
 */
export function importPrivateKeyPem(pem: string, passphrase?: string): KeyObject {
  if (pem.length > MAX_PEM) throw new KeyError('malformed', 'key file is too large to be a PEM key');
  const block = PEM_BLOCK.exec(pem)?.[1];
  if (!block) throw new KeyError('not-a-key', 'no PEM block found');
  if (!/PRIVATE KEY$/.test(block)) {
    throw new KeyError('not-a-private-key', `the PEM block is a ${block}, not a private key`);
  }
  const encrypted = isEncryptedPem(pem);
  if (encrypted && (passphrase === undefined || passphrase === '')) {
    throw new KeyError('passphrase-required', 'the private key is encrypted: a passphrase is required');
  }
  let key: KeyObject;
  try {
    // An empty passphrase string keeps OpenSSL from prompting on a terminal for unencrypted keys.
    key = createPrivateKey({ key: pem, format: 'pem', passphrase: encrypted ? passphrase : '' });
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    // With CBC padding a wrong passphrase now and then decrypts to well-padded garbage that then
    // fails to parse with another error code: for an encrypted key every failure means this.
    if (encrypted) throw new KeyError('wrong-passphrase', `the passphrase does not decrypt this key (or the file is damaged: ${code || (e as Error).message})`);
    throw new KeyError('malformed', `the private key could not be read (${code || (e as Error).message})`);
  }
  curveOf(key);
  return key;
}

/** A public key from PEM: SPKI `PUBLIC KEY`, or the public half of a private key or certificate. */
export function importPublicKeyPem(pem: string): KeyObject {
  if (pem.length > MAX_PEM) throw new KeyError('malformed', 'key file is too large to be a PEM key');
  const block = PEM_BLOCK.exec(pem)?.[1];
  if (!block) throw new KeyError('not-a-key', 'no PEM block found');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (e) {
    throw new KeyError('malformed', `the public key could not be read (${(e as { code?: string }).code ?? (e as Error).message})`);
  }
  curveOf(key);
  return key;
}

export function publicKeyOf(key: KeyObject): KeyObject {
  return key.type === 'private' ? createPublicKey(key) : key;
}

/** SPKI PEM (64-column lines, trailing newline) — the same text Python's cryptography writes. */
export function publicKeyPem(key: KeyObject): string {
  return publicKeyOf(key).export({ type: 'spki', format: 'pem' }).toString();
}

/** Assay's key fingerprint: lower-case hex SHA-256 of the SubjectPublicKeyInfo DER. */
export function keyFingerprint(key: KeyObject): string {
  return sha256Hex(publicKeyOf(key).export({ type: 'spki', format: 'der' }));
}

/** For people: the first 16 hex digits in groups of four, e.g. `3f2a 9c01 77be 04d2`. */
export function shortFingerprint(fingerprint: string): string {
  return (fingerprint.slice(0, 16).match(/.{1,4}/g) ?? []).join(' ');
}

/** OpenSSF model signing's `publicKey.hint`: hex SHA-256 of the SPKI PEM text. */
export function omsKeyHint(key: KeyObject): string {
  return sha256Hex(publicKeyPem(key));
}

/** Something that can sign bytes with an ECDSA key (DER signatures, curve-matched hash). */
export interface Signer {
  readonly curve: Curve;
  readonly publicKey: KeyObject;
  readonly fingerprint: string;
  sign(data: Uint8Array): Uint8Array;
}

export function signerFromPrivateKey(privateKey: KeyObject): Signer {
  if (privateKey.type !== 'private') throw new KeyError('not-a-private-key', 'signing needs a private key');
  const curve = curveOf(privateKey);
  const publicKey = createPublicKey(privateKey);
  return {
    curve,
    publicKey,
    fingerprint: keyFingerprint(publicKey),
    sign: (data) => cryptoSign(CURVE_INFO[curve].hash, data, { key: privateKey, dsaEncoding: 'der' }),
  };
}

export function isKeyObject(value: unknown): value is KeyObject {
  return value instanceof KeyObject;
}
