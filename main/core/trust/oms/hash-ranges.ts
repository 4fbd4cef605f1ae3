// Hashes consecutive byte ranges of one file in a single sequential pass with bounded memory:
// two reusable buffers, one being hashed while the next read is in flight. Used for whole files
// (one range) and for model-signing shards (one range per shard).
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { HASH_ALGORITHMS, type HashAlgorithm } from './statement.ts';

export const HASH_CHUNK = 4 * 1024 * 1024;

export interface Range {
  start: number;
  end: number;
}

export class FileChangedError extends Error {
  constructor(path: string, what: string) {
    super(`${path} changed while it was being hashed (${what})`);
    this.name = 'FileChangedError';
  }
}

export interface HashRangesOptions {
  signal?: AbortSignal;
  /** Called after each chunk with the bytes hashed in this call so far. */
  onBytes?: (bytesDone: number) => void;
  /** Open through a symbolic link (only when the signature allows links). */
  followLink?: boolean;
}

/**
 * Digests (hex) of `ranges`, which must be sorted, contiguous and start at 0 (the cover of the
 * file up to the last range's end). Throws FileChangedError when the file is not that long.
 */
export async function hashRanges(path: string, ranges: readonly Range[], alg: HashAlgorithm, options: HashRangesOptions = {}): Promise<string[]> {
  let expectEnd = 0;
  for (const r of ranges) {
    if (r.start !== expectEnd || r.end < r.start) throw new RangeError('ranges must be contiguous from 0');
    expectEnd = r.end;
  }
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | (options.followLink ? 0 : constants.O_NOFOLLOW);
  const handle = await open(path, flags);
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new FileChangedError(path, 'no longer a regular file');
    if (st.size !== expectEnd) throw new FileChangedError(path, `size ${st.size}, expected ${expectEnd}`);
    const out: string[] = [];
    const nodeAlg = HASH_ALGORITHMS[alg].node;
    const buffers = [Buffer.allocUnsafe(HASH_CHUNK), Buffer.allocUnsafe(HASH_CHUNK)];
    let which = 0;
    let position = 0;
    const readAt = (pos: number, buf: Buffer) =>
      pos < expectEnd ? handle.read(buf, 0, Math.min(HASH_CHUNK, expectEnd - pos), pos) : Promise.resolve({ bytesRead: 0, buffer: buf });
    let pending = readAt(0, buffers[0]!);
    let ri = 0;
    let hash = createHash(nodeAlg);
    // Empty leading ranges (empty file) still produce a digest.
    while (ri < ranges.length && ranges[ri]!.end === 0) {
      out.push(hash.digest('hex'));
      hash = createHash(nodeAlg);
      ri++;
    }
    while (position < expectEnd) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) throw new FileChangedError(path, `ended at byte ${position}`);
      const chunk = buffers[which]!;
      const chunkStart = position;
      position += bytesRead;
      which ^= 1;
      pending = readAt(position, buffers[which]!);
      let off = 0;
      while (off < bytesRead) {
        const r = ranges[ri]!;
        const take = Math.min(bytesRead - off, r.end - (chunkStart + off));
        hash.update(chunk.subarray(off, off + take));
        off += take;
        if (chunkStart + off === r.end) {
          out.push(hash.digest('hex'));
          hash = createHash(nodeAlg);
          ri++;
        }
      }
      options.onBytes?.(position);
      if (options.signal?.aborted) {
        await pending.catch(() => undefined);
        throw options.signal.reason ?? new Error('cancelled');
      }
    }
    await pending;
    const after = await handle.stat();
    if (after.size !== st.size || after.mtimeMs !== st.mtimeMs) throw new FileChangedError(path, 'modified during hashing');
    return out;
  } finally {
    await handle.close();
  }
}

/** Shards of a file as model signing cuts them: [0,s), [s,2s), ... ; none for an empty file. */
export function shardRanges(size: number, shardSize: number): Range[] {
  const out: Range[] = [];
  for (let start = 0; start < size; start += shardSize) out.push({ start, end: Math.min(size, start + shardSize) });
  return out;
}

export function shardName(path: string, r: Range): string {
  return `${path}:${r.start}:${r.end}`;
}

/** `path:start:end`, split at the last two colons (paths may contain colons). */
export function parseShardName(name: string): { path: string; start: number; end: number } | null {
  const b = name.lastIndexOf(':');
  const a = b > 0 ? name.lastIndexOf(':', b - 1) : -1;
  if (a <= 0) return null;
  const s = name.slice(a + 1, b);
  const e = name.slice(b + 1);
  if (!/^\d+$/.test(s) || !/^\d+$/.test(e)) return null;
  const start = Number(s);
  const end = Number(e);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return null;
  return { path: name.slice(0, a), start, end };
}
