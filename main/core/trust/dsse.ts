// DSSE envelopes (https://github.com/secure-systems-lab/dsse, protocol v1): the pre-authentication
// encoding, signing and verification. Signatures are verified over the exact decoded payload
// bytes; the payload is parsed only afterwards and never re-serialised.
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { decodeBase64, encodeBase64 } from './encoding.ts';
import { CURVE_INFO, curveOf, type Signer } from './keys.ts';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths in decimal bytes. */
export function pae(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'ascii'), type,
    Buffer.from(` ${payload.length} `, 'ascii'), payload,
  ]);
}

/** Python's repr() of a bytes object, as model_signing v0.2 accidentally put into its PAE. */
export function pythonBytesRepr(bytes: Uint8Array): string {
  const hasSingle = bytes.includes(0x27);
  const quote = hasSingle && !bytes.includes(0x22) ? '"' : "'";
  let out = `b${quote}`;
  for (const b of bytes) {
    if (b === 0x5c) out += '\\\\';
    else if (b === quote.charCodeAt(0)) out += `\\${quote}`;
    else if (b === 0x09) out += '\\t';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b < 0x20 || b >= 0x7f) out += `\\x${b.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(b);
  }
  return `${out}${quote}`;
}

/** The malformed PAE of model_signing v0.2: `DSSEV1`, then the payload's Python bytes repr. */
export function paeV02(payloadType: string, payload: Uint8Array): Buffer {
  return Buffer.from(`DSSEV1 ${Buffer.byteLength(payloadType)} ${payloadType} ${payload.length} ${pythonBytesRepr(payload)}`, 'utf8');
}

export interface DsseSignature {
  sig: string;
  keyid?: string | null;
}

export interface DsseEnvelope {
  payload: string;
  payloadType: string;
  signatures: DsseSignature[];
}

export interface ParsedEnvelope {
  payload: Buffer;
  payloadType: string;
  signature: Buffer;
  keyid: string | null;
}

const MAX_PAYLOAD = 64 * 1024 * 1024;

export class EnvelopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvelopeError';
  }
}

/** Validates the shape of an envelope holding exactly one signature and decodes it. */
export function parseEnvelope(value: unknown): ParsedEnvelope {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EnvelopeError('the DSSE envelope is not an object');
  const v = value as Record<string, unknown>;
  if (typeof v.payload !== 'string') throw new EnvelopeError('the DSSE envelope has no payload');
  if (typeof v.payloadType !== 'string') throw new EnvelopeError('the DSSE envelope has no payloadType');
  if (!Array.isArray(v.signatures) || v.signatures.length !== 1) {
    throw new EnvelopeError(`the DSSE envelope must hold exactly one signature (it holds ${Array.isArray(v.signatures) ? v.signatures.length : 'none'})`);
  }
  const s = v.signatures[0] as Record<string, unknown> | null;
  if (typeof s !== 'object' || s === null || typeof s.sig !== 'string') throw new EnvelopeError('the DSSE signature has no sig');
  if (s.keyid !== undefined && s.keyid !== null && typeof s.keyid !== 'string') throw new EnvelopeError('the DSSE keyid is not a string');
  if (v.payload.length > (MAX_PAYLOAD * 4) / 3 + 4) throw new EnvelopeError('the DSSE payload is too large');
  return {
    payload: decodeBase64(v.payload, 'DSSE payload'),
    payloadType: v.payloadType,
    signature: decodeBase64(s.sig, 'DSSE signature'),
    keyid: typeof s.keyid === 'string' && s.keyid !== '' ? s.keyid : null,
  };
}

export function signEnvelope(payload: Uint8Array, payloadType: string, signer: Signer): DsseEnvelope {
  const sig = signer.sign(pae(payloadType, payload));
  return { payload: encodeBase64(payload), payloadType, signatures: [{ sig: encodeBase64(sig), keyid: '' }] };
}

export type SignatureForm = 'dsse-v1' | 'v0.2-pae' | 'v0.2-pae-sha256';

export interface SignatureCheck {
  valid: boolean;
  /** Which signed form matched; null when none did. */
  form: SignatureForm | null;
}

function verifyWith(hash: string, data: Buffer, key: KeyObject, sig: Buffer): boolean {
  try {
    return cryptoVerify(hash, data, { key, dsaEncoding: 'der' }, sig);
  } catch {
    return false;
  }
}

/**
 * Verifies an envelope's signature with an ECDSA public key, hashing with the curve's hash.
 * With `legacy`, also tries the malformed PAE of model_signing v0.2 (with the curve's hash,
 * then SHA-256) and says which form matched.
 */
export function verifyEnvelopeSignature(env: ParsedEnvelope, publicKey: KeyObject, options: { legacy?: boolean } = {}): SignatureCheck {
  const hash = CURVE_INFO[curveOf(publicKey)].hash;
  if (verifyWith(hash, pae(env.payloadType, env.payload), publicKey, env.signature)) return { valid: true, form: 'dsse-v1' };
  if (options.legacy) {
    const old = paeV02(env.payloadType, env.payload);
    if (verifyWith(hash, old, publicKey, env.signature)) return { valid: true, form: 'v0.2-pae' };
    if (hash !== 'sha256' && verifyWith('sha256', old, publicKey, env.signature)) return { valid: true, form: 'v0.2-pae-sha256' };
  }
  return { valid: false, form: null };
}
