// Bounded random-access readers. Every analyzer reads bytes through a ByteSource so that no
// parser ever holds a whole untrusted file in memory unless it asked for a bounded range.
import { open, type FileHandle } from 'node:fs/promises';

export interface ByteSource {
  /** Total length in bytes. */
  readonly size: number;
  /**
   * Reads up to `length` bytes at `offset`. Short only at the end of the source; offsets
   * outside [0, size] throw RangeError. Callers bound `length` themselves.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** Hard ceiling on a single read: a corrupt length field must never become a 4 GB allocation. */
export const MAX_SINGLE_READ = 256 * 1024 * 1024;

function checkRange(size: number, offset: number, length: number): number {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new RangeError(`invalid read range offset=${offset} length=${length}`);
  }
  if (offset > size) throw new RangeError(`read offset ${offset} is past the end (${size} bytes)`);
  if (length > MAX_SINGLE_READ) throw new RangeError(`read of ${length} bytes exceeds the ${MAX_SINGLE_READ}-byte limit`);
  return Math.min(length, size - offset);
}

export class BufferSource implements ByteSource {
  readonly size: number;
  constructor(private readonly bytes: Uint8Array) {
    this.size = bytes.byteLength;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    const n = checkRange(this.size, offset, length);
    return this.bytes.subarray(offset, offset + n);
  }
}

/** A window [start, start+size) of another source: a stored zip member, a tar entry. */
export class SliceSource implements ByteSource {
  constructor(private readonly inner: ByteSource, private readonly start: number, readonly size: number) {
    if (start < 0 || size < 0 || start + size > inner.size) throw new RangeError('slice outside its source');
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    const n = checkRange(this.size, offset, length);
    return this.inner.read(this.start + offset, n);
  }
}

/** A file opened once; size fixed at open time (a file that grows later is not read past it). */
export class FileSource implements ByteSource {
  private constructor(private readonly handle: FileHandle, readonly size: number) {}

  static async open(path: string): Promise<FileSource> {
    const handle = await open(path, 'r');
    try {
      const st = await handle.stat();
      if (!st.isFile()) throw new Error(`${path} is not a regular file`);
      return new FileSource(handle, st.size);
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const n = checkRange(this.size, offset, length);
    const buf = Buffer.allocUnsafe(n);
    let done = 0;
    while (done < n) {
      const { bytesRead } = await this.handle.read(buf, done, n - done, offset + done);
      if (bytesRead === 0) break; // file shrank since open: return what exists
      done += bytesRead;
    }
    return done === n ? buf : buf.subarray(0, done);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
