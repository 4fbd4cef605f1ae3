// Reads a file front to back in chunks while hashing it, reporting progress and honouring an
// abort signal: every text reader is built on this, so digests and progress come for free.
import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { ReadOptions } from './types.ts';

export const CHUNK_BYTES = 1024 * 1024;

export interface FileChunks {
  size: number;
  chunks: AsyncGenerator<Buffer>;
  /** Hex SHA-256 of everything read; valid once `chunks` is exhausted. */
  digest(): string;
}

export interface ChunkRange {
  start: number;
  end: number;
  /** Continue this hash instead of starting one (a later range of the same file). */
  hash?: Hash;
  /** Report progress offset by this many bytes (the ranges before this one). */
  progressBase?: number;
  /** Do not hash at all: another thread hashes the whole file (a worker's part of a scan). */
  noHash?: boolean;
}

export async function readFileChunks(path: string, options: ReadOptions, range?: ChunkRange): Promise<FileChunks> {
  const handle = await open(path, 'r');
  const st = await handle.stat();
  if (!st.isFile()) {
    await handle.close();
    throw new Error(`${path} is not a regular file`);
  }
  const size = st.size;
  const hash = range?.noHash ? null : range?.hash ?? createHash('sha256');
  const from = range?.start ?? 0;
  const to = Math.min(range?.end ?? size, size);
  let digest: string | null = null;
  async function* gen(): AsyncGenerator<Buffer> {
    try {
      let position = from;
      while (position < to) {
        if (options.signal?.aborted) throw options.signal.reason ?? new Error('cancelled');
        // A fresh buffer per chunk: consumers (csv-parse) may keep references into it.
        const want = Math.min(CHUNK_BYTES, to - position);
        const buf = Buffer.allocUnsafe(want);
        const { bytesRead } = await handle.read(buf, 0, want, position);
        if (bytesRead === 0) break;
        const chunk = bytesRead === want ? buf : buf.subarray(0, bytesRead);
        position += bytesRead;
        hash?.update(chunk);
        options.onProgress?.((range?.progressBase ?? 0) + position - from, size);
        yield chunk;
      }
      // A range that continues someone else's hash leaves the digest to them.
      digest = range?.hash || !hash ? '' : hash.digest('hex');
    } finally {
      await handle.close();
    }
  }
  return {
    size,
    chunks: gen(),
    digest: () => {
      if (digest === null) throw new Error('file not fully read yet');
      return digest;
    },
  };
}

/** The first `n` bytes of a file (for sniffing). */
export async function readHead(path: string, n: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await handle.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
