// Streaming reads of one file in one pass with bounded memory (two reusable buffers: one being
// consumed while the next read is in flight), with change detection. SHA-256 hashing and the
// hash-while-copying import both run on it.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

export const READ_CHUNK = 4 * 1024 * 1024;

export interface ReadOptions {
  signal?: AbortSignal;
  /** Called after each chunk with the running total. */
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

export interface FileDigest {
  sha256: string;
  size: number;
  /** Modification time (ms) and mode bits when hashing started. */
  mtimeMs: number;
  mode: number;
}

export class FileChangedError extends Error {
  constructor(path: string, what: string) {
    super(`${path} changed while it was being read (${what}); the digest would not describe one version of the file. Add it again once nothing is writing to it.`);
    this.name = 'FileChangedError';
  }
}

export class NotRegularFileError extends Error {
  constructor(path: string, kind: string) {
    super(`${path} is ${kind}, not a regular file`);
    this.name = 'NotRegularFileError';
  }
}

interface StatLike {
  isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean;
  isBlockDevice(): boolean; isSymbolicLink(): boolean;
}

export function describeFileKind(st: StatLike): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'a special file';
}

/**
 * Reads a regular file start to end, handing each chunk to `consume` (awaited before its buffer
 * is reused). Throws NotRegularFileError for anything else, FileChangedError when the size or
 * modification time moved during the read, and the signal's reason when cancelled.
 */
export async function readFileChunks(
  path: string,
  consume: (chunk: Buffer) => void | Promise<void>,
  options: ReadOptions = {},
): Promise<{ size: number; mtimeMs: number; mode: number }> {
  // O_NONBLOCK: opening a FIFO must not block before we can see that it is one.
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const before = await handle.stat();
    if (!before.isFile()) throw new NotRegularFileError(path, describeFileKind(before));
    const total = before.size;
    const buffers = [Buffer.allocUnsafe(READ_CHUNK), Buffer.allocUnsafe(READ_CHUNK)];
    let position = 0;
    let which = 0;
    let pending = handle.read(buffers[which]!, 0, READ_CHUNK, position);
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) break;
      const current = buffers[which]!;
      position += bytesRead;
      which ^= 1;
      pending = handle.read(buffers[which]!, 0, READ_CHUNK, position);
      await consume(bytesRead === READ_CHUNK ? current : current.subarray(0, bytesRead));
      options.onProgress?.(position, total);
      if (options.signal?.aborted) {
        await pending.catch(() => undefined);
        throw options.signal.reason ?? new Error('cancelled');
      }
    }
    const after = await handle.stat();
    if (position !== total || after.size !== total) throw new FileChangedError(path, `size was ${total}, read ${position}, now ${after.size}`);
    if (after.mtimeMs !== before.mtimeMs) throw new FileChangedError(path, 'its modification time moved');
    return { size: total, mtimeMs: before.mtimeMs, mode: before.mode & 0o7777 };
  } finally {
    await handle.close();
  }
}

export async function sha256File(path: string, options: ReadOptions = {}): Promise<FileDigest> {
  const hash = createHash('sha256');
  const meta = await readFileChunks(path, (chunk) => { hash.update(chunk); }, options);
  return { sha256: hash.digest('hex'), ...meta };
}
