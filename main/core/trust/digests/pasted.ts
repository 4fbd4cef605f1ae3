// A digest pasted by the auditor (from a model card, a release page, a chat message): recognised
// in the usual spellings and compared with a file's SHA-256. Digests of other algorithms are
// named rather than silently compared.
import { hashRanges } from '../oms/hash-ranges.ts';
import { stat } from 'node:fs/promises';

export type PastedAlgorithm = 'sha256' | 'md5' | 'sha1' | 'sha384' | 'sha512' | 'unknown';

export interface PastedDigest {
  algorithm: PastedAlgorithm;
  /** Lower-case hex when the text could be decoded. */
  hex: string | null;
}

const HEX_LENGTH: Record<number, PastedAlgorithm> = { 32: 'md5', 40: 'sha1', 64: 'sha256', 96: 'sha384', 128: 'sha512' };
const BYTES_LENGTH: Record<number, PastedAlgorithm> = { 16: 'md5', 20: 'sha1', 32: 'sha256', 48: 'sha384', 64: 'sha512' };

/** Accepts `abc…`, `AB:CD:…`, `sha256:abc…`, `SHA256=abc…`, SRI `sha256-<base64>`, a sha256sum line. */
export function parsePastedDigest(text: string): PastedDigest {
  let t = text.trim().slice(0, 1000);
  let declared: PastedAlgorithm | null = null;
  const prefix = /^(sha-?256|sha-?1|md5|sha-?384|sha-?512)\s*[:=\-]\s*/i.exec(t);
  if (prefix) {
    const name = prefix[1]!.toLowerCase().replace('-', '') as PastedAlgorithm;
    declared = name;
    const rest = t.slice(prefix[0].length);
    // SRI form is base64 (`sha256-…`); other prefixes are followed by hex.
    if (prefix[0].trim().endsWith('-') && !/^[0-9a-f]+$/i.test(rest)) {
      const bytes = Buffer.from(rest.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
      const alg = BYTES_LENGTH[bytes.length] ?? 'unknown';
      return { algorithm: alg === declared ? alg : 'unknown', hex: alg === declared ? bytes.toString('hex') : null };
    }
    t = rest;
  }
  const first = t.split(/\s{2,}|\s\*|\t/)[0] ?? t;
  const compact = first.replace(/[\s:]/g, '');
  if (/^[0-9a-f]+$/i.test(compact)) {
    const alg = HEX_LENGTH[compact.length] ?? 'unknown';
    if (declared && alg !== declared) return { algorithm: 'unknown', hex: null };
    return { algorithm: alg, hex: alg === 'unknown' ? null : compact.toLowerCase() };
  }
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) {
    const bytes = Buffer.from(compact.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    const alg = BYTES_LENGTH[bytes.length] ?? 'unknown';
    if (alg !== 'unknown' && (!declared || declared === alg)) return { algorithm: alg, hex: bytes.toString('hex') };
  }
  return { algorithm: 'unknown', hex: null };
}

export interface PastedCheck {
  /** True only for a SHA-256 digest equal to the file's. */
  match: boolean;
  algorithm: PastedAlgorithm;
  expected: string | null;
  actual: string;
  message: string;
}

export function comparePastedDigest(actualSha256: string, pasted: string): PastedCheck {
  const p = parsePastedDigest(pasted);
  const actual = actualSha256.toLowerCase();
  if (p.algorithm === 'sha256') {
    const match = p.hex === actual;
    return { match, algorithm: p.algorithm, expected: p.hex, actual, message: match ? 'the SHA-256 matches the pasted digest' : `the file's SHA-256 is ${actual}, the pasted digest is ${p.hex}` };
  }
  const message = p.algorithm === 'unknown'
    ? 'the pasted text is not a digest Assay recognises'
    : `the pasted digest is ${p.algorithm.toUpperCase()}, not SHA-256; ask the publisher for the SHA-256`;
  return { match: false, algorithm: p.algorithm, expected: p.hex, actual, message };
}

/** Hashes a file and compares it with a pasted digest. */
export async function checkFileDigest(path: string, pasted: string, options: { signal?: AbortSignal } = {}): Promise<PastedCheck> {
  const st = await stat(path);
  if (!st.isFile()) throw new Error(`${path} is not a regular file`);
  const [actual] = await hashRanges(path, [{ start: 0, end: st.size }], 'sha256', { signal: options.signal, followLink: true });
  return comparePastedDigest(actual!, pasted);
}
