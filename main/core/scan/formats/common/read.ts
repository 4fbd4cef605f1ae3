// Bounded reads over a ByteSource for the format analyzers.
import { MAX_SINGLE_READ, type ByteSource } from '../../../io/byte-source.ts';

/**
 * Reads [offset, offset+length) completely, in chunks no larger than one source read allows.
 * Callers bound `length` themselves; a short read (the source ended) throws.
 */
export async function readExactly(source: ByteSource, offset: number, length: number): Promise<Uint8Array> {
  if (length <= MAX_SINGLE_READ) {
    const bytes = await source.read(offset, length);
    if (bytes.length !== length) throw new RangeError(`needed ${length} bytes at ${offset}, the file ends after ${bytes.length}`);
    return bytes;
  }
  const out = new Uint8Array(length);
  for (let done = 0; done < length;) {
    const part = await source.read(offset + done, Math.min(MAX_SINGLE_READ, length - done));
    if (part.length === 0) throw new RangeError(`needed ${length} bytes at ${offset}, the file ends after ${done}`);
    out.set(part, done);
    done += part.length;
  }
  return out;
}

/** A forward reader with a read-ahead window, for formats parsed field by field (GGUF, HDF5). */
export class WindowReader {
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;

  constructor(private readonly source: ByteSource, private readonly chunk = 1024 * 1024) {}

  get size(): number {
    return this.source.size;
  }

  /** Bytes [offset, offset+length); throws RangeError past the end of the source. */
  async bytes(offset: number, length: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.source.size) {
      throw new RangeError(`range ${offset}+${length} is outside the ${this.source.size}-byte file`);
    }
    const end = offset + length;
    if (offset >= this.windowStart && end <= this.windowStart + this.window.length) {
      return this.window.subarray(offset - this.windowStart, end - this.windowStart);
    }
    if (length > this.chunk) return readExactly(this.source, offset, length);
    this.window = await readExactly(this.source, offset, Math.min(this.chunk, this.source.size - offset));
    this.windowStart = offset;
    return this.window.subarray(0, length);
  }

  async view(offset: number, length: number): Promise<DataView> {
    const b = await this.bytes(offset, length);
    return new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
}

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8 strictly; null when the bytes are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8Fatal.decode(bytes);
  } catch {
    return null;
  }
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
