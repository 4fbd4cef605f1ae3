// Turns the trust engine's errors into API errors with messages an auditor can act on, and reads
// the small files (keys, certificates, signatures, digest lists) the trust layer is handed.
import { open } from 'node:fs/promises';
import { ApiError } from '../../../../shared/api/errors.ts';
import { KeyError } from '../keys.ts';
import { PolicyError } from '../policy/load.ts';
import { SignError } from '../oms/sign.ts';
import { CountersignError } from '../bundle/countersign.ts';
import { BundleFormatError } from '../sigstore-bundle.ts';

const KEY_HINTS: Partial<Record<KeyError['code'], string>> = {
  'passphrase-required': 'The key is encrypted: give its passphrase.',
  'wrong-passphrase': 'The passphrase does not open this key; check it and try again.',
};

export function trustApiError(e: unknown): unknown {
  if (e instanceof ApiError) return e;
  if (e instanceof KeyError) return new ApiError('invalid_input', `${e.message}${KEY_HINTS[e.code] ? `. ${KEY_HINTS[e.code]}` : ''}`, { keyError: e.code });
  if (e instanceof PolicyError) return new ApiError('conflict', `The intake policy is not valid: ${e.message}. Fix the file or remove it to use the shipped default.`);
  if (e instanceof SignError || e instanceof BundleFormatError) return new ApiError('invalid_input', e.message);
  if (e instanceof CountersignError) return new ApiError('rule_violation', e.message);
  return e;
}

/** Runs `fn`, rethrowing engine errors as API errors. */
export async function apiErrors<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw trustApiError(e);
  }
}

/** Reads a small file whole, refusing anything larger than `max` bytes or not a regular file. */
export async function readSmallFile(path: string, max: number, what: string): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ApiError('invalid_input', code === 'ENOENT' ? `${what} ${path} does not exist` : `${what} ${path} cannot be opened (${code ?? (e as Error).message})`);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new ApiError('invalid_input', `${what} ${path} is not a regular file`);
    if (st.size > max) throw new ApiError('invalid_input', `${what} ${path} is ${st.size} bytes, more than such a file can be (${max})`);
    const buf = Buffer.alloc(st.size);
    let read = 0;
    while (read < st.size) {
      const { bytesRead } = await handle.read(buf, read, st.size - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return buf.subarray(0, read);
  } finally {
    await handle.close();
  }
}

export const MAX_PEM_FILE = 4 * 1024 * 1024;
