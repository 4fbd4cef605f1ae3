// Bounded inflation of deflate streams read from a ByteSource, with node:zlib doing the decoding.
// Output is pulled chunk by chunk (zlib's own backpressure keeps memory flat even for bombs);
// every inflated byte is charged to the scan budget, and the input bytes the stream really used
// are known at the end (zlib's bytesWritten), so trailing and unused bytes can be reported.
import { once } from 'node:events';
import { createInflate, createInflateRaw, type Inflate, type InflateRaw } from 'node:zlib';
import { MAX_SINGLE_READ, type ByteSource } from '../../io/byte-source.ts';
import { BudgetExceeded, type BudgetTracker } from '../types.ts';

/** `raw`: a bare deflate stream (zip members, gzip bodies); `zlib`: RFC 1950 header and Adler-32 trailer. */
export type DeflateKind = 'raw' | 'zlib';

const INPUT_CHUNK = 1024 * 1024;
const OUTPUT_CHUNK = 256 * 1024;

export interface InflateEnd {
  /** The stream reached its end marker (and, for zlib, its checksum matched). */
  complete: boolean;
  /** Input bytes the decoder used; meaningful once complete. */
  consumed: number;
  /** Why decoding stopped early, or null. */
  error: string | null;
}

/** Something that yields output chunks until null. */
export interface ChunkReader {
  next(): Promise<Uint8Array | null>;
  close(): void;
  /** Why the stream stopped early, or null. */
  error(): string | null;
}

/** Pulls the inflated output of the deflate stream stored in src[start, end). */
export class InflateReader implements ChunkReader {
  private readonly z: Inflate | InflateRaw;
  private readonly iter: AsyncIterator<Buffer>;
  private stopped = false;
  private finished = false;
  private failure: string | null = null;
  private fatal: unknown = null;

  constructor(src: ByteSource, start: number, end: number, kind: DeflateKind, private readonly budget: BudgetTracker) {
    this.z = kind === 'raw' ? createInflateRaw({ chunkSize: OUTPUT_CHUNK }) : createInflate({ chunkSize: OUTPUT_CHUNK });
    // A late error after the reader stopped listening must not become an uncaught exception.
    this.z.on('error', () => undefined);
    this.iter = this.z[Symbol.asyncIterator]();
    void this.feed(src, start, Math.min(end, src.size));
  }

  private async feed(src: ByteSource, start: number, end: number): Promise<void> {
    try {
      for (let p = start; p < end && !this.stopped && !this.z.destroyed; ) {
        const chunk = await src.read(p, Math.min(INPUT_CHUNK, end - p, MAX_SINGLE_READ));
        if (chunk.length === 0) break;
        p += chunk.length;
        if (this.stopped || this.z.destroyed) return;
        if (!this.z.write(chunk)) await Promise.race([once(this.z, 'drain'), once(this.z, 'close')]);
      }
      if (!this.stopped && !this.z.destroyed) this.z.end();
    } catch (e) {
      // A budget or read failure on the input side ends the stream; keep it to rethrow to the reader.
      if (!this.stopped) {
        this.fatal = e;
        this.z.destroy(e instanceof Error ? e : new Error(String(e)));
      }
    }
  }

  async next(): Promise<Uint8Array | null> {
    if (this.finished) return null;
    this.budget.checkTime();
    let r: IteratorResult<Buffer>;
    try {
      r = await this.iter.next();
    } catch (e) {
      this.finished = true;
      if (this.fatal instanceof BudgetExceeded) throw this.fatal;
      if (e instanceof BudgetExceeded) throw e;
      this.failure = e instanceof Error ? e.message : String(e);
      return null;
    }
    if (r.done) {
      this.finished = true;
      if (this.fatal instanceof BudgetExceeded) throw this.fatal;
      return null;
    }
    this.budget.consumeBytes(r.value.length);
    return r.value;
  }

  error(): string | null {
    return this.failure;
  }

  get end(): InflateEnd {
    return { complete: this.finished && this.failure === null && !this.stopped, consumed: this.z.bytesWritten, error: this.failure };
  }

  close(): void {
    this.stopped = true;
    this.finished = true;
    if (!this.z.destroyed) this.z.destroy();
  }
}

/** Several deflate segments read one after the other as one stream (the members of a gzip file). */
export class ChainedReader implements ChunkReader {
  private index = 0;
  private current: ChunkReader | null = null;
  private failure: string | null = null;
  constructor(private readonly open: readonly (() => ChunkReader)[]) {}
  async next(): Promise<Uint8Array | null> {
    for (;;) {
      if (this.failure) return null;
      if (!this.current) {
        const make = this.open[this.index++];
        if (!make) return null;
        this.current = make();
      }
      const chunk = await this.current.next();
      if (chunk) return chunk;
      this.failure = this.current.error();
      this.current.close();
      this.current = null;
    }
  }
  error(): string | null {
    return this.failure;
  }
  close(): void {
    this.current?.close();
    this.current = null;
    this.index = this.open.length;
  }
}

export interface InflatedBytes {
  /** The output, cut at `cap` bytes. */
  bytes: Uint8Array;
  /** True when the stream had more than `cap` bytes (only `cap` are returned). */
  overflow: boolean;
  end: InflateEnd;
}

/** Inflates into memory, keeping at most `cap` bytes and stopping one chunk after it. */
export async function inflateToBuffer(reader: InflateReader, cap: number): Promise<InflatedBytes> {
  const parts: Uint8Array[] = [];
  let total = 0;
  let overflow = false;
  try {
    for (let c = await reader.next(); c; c = await reader.next()) {
      const room = cap - total;
      if (c.length > room) {
        if (room > 0) parts.push(c.subarray(0, room));
        total = cap;
        overflow = true;
        break;
      }
      parts.push(c);
      total += c.length;
    }
    return { bytes: concat(parts, total), overflow, end: reader.end };
  } finally {
    if (overflow) reader.close();
  }
}

export function concat(parts: readonly Uint8Array[], total?: number): Uint8Array {
  const n = total ?? parts.reduce((s, p) => s + p.length, 0);
  if (parts.length === 1 && parts[0]!.length === n) return parts[0]!;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    const take = Math.min(p.length, n - at);
    out.set(p.subarray(0, take), at);
    at += take;
    if (at >= n) break;
  }
  return out;
}

const HEAD_CACHE = 1024 * 1024;
const WINDOW_BYTES = 8 * 1024 * 1024;

/**
 * Random access over a compressed stream without holding it: reads move forward through the
 * stream, the first MiB and the last 8 MiB produced are kept, and a read behind the window
 * restarts inflation from the beginning (every inflated byte is charged to the budget, so
 * pathological access patterns end in a budget finding, not a hang).
 */
export class InflatedSource implements ByteSource {
  private reader: ChunkReader | null = null;
  private pos = 0;
  private window: { start: number; bytes: Uint8Array }[] = [];
  private windowSize = 0;
  private readonly head: Uint8Array;
  private headFilled = 0;
  /** Output length actually found, once the stream has been read to its end. */
  actualSize: number | null = null;
  /** True once the stream was seen to continue past the declared size. */
  longer = false;
  /** Why the stream stopped early, when it did. */
  failure: string | null = null;

  constructor(private readonly openReader: () => ChunkReader, readonly size: number) {
    this.head = new Uint8Array(Math.min(HEAD_CACHE, size));
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset > this.size) {
      throw new RangeError(`invalid read range offset=${offset} length=${length}`);
    }
    if (length > MAX_SINGLE_READ) throw new RangeError(`read of ${length} bytes exceeds the ${MAX_SINGLE_READ}-byte limit`);
    const n = Math.min(length, this.size - offset);
    if (n === 0) return new Uint8Array(0);
    if (offset + n <= this.headFilled) return this.head.subarray(offset, offset + n);
    const windowStart = this.window[0]?.start ?? this.pos;
    if (offset < windowStart) this.restart();

    const out = new Uint8Array(n);
    let filled = 0;
    const take = (start: number, bytes: Uint8Array) => {
      const from = Math.max(offset + filled, start);
      const to = Math.min(offset + n, start + bytes.length);
      if (to > from && from === offset + filled) {
        out.set(bytes.subarray(from - start, to - start), filled);
        filled = to - offset;
      }
    };
    for (const w of this.window) take(w.start, w.bytes);
    while (filled < n) {
      const chunk = await this.pull();
      if (!chunk) break;
      take(chunk.start, chunk.bytes);
    }
    return filled === n ? out : out.subarray(0, filled);
  }

  private restart(): void {
    this.reader?.close();
    this.reader = null;
    this.pos = 0;
    this.window = [];
    this.windowSize = 0;
  }

  private async pull(): Promise<{ start: number; bytes: Uint8Array } | null> {
    if (this.actualSize !== null && this.pos >= this.actualSize) return null;
    if (this.pos >= this.size) {
      await this.probePastEnd();
      return null;
    }
    if (!this.reader) {
      if (this.pos > 0) return null; // a reader is only ever opened at the start of the stream
      this.reader = this.openReader();
    }
    const raw = await this.reader.next();
    if (!raw) {
      this.actualSize = this.pos;
      this.failure = this.reader.error();
      this.reader.close();
      this.reader = null;
      return null;
    }
    const start = this.pos;
    let bytes = raw;
    if (start + bytes.length > this.size) {
      this.longer = true;
      bytes = bytes.subarray(0, this.size - start);
    }
    this.pos += bytes.length;
    if (start < this.head.length) {
      const k = Math.min(bytes.length, this.head.length - start);
      this.head.set(bytes.subarray(0, k), start);
      this.headFilled = Math.max(this.headFilled, start + k);
    }
    // zlib hands out slices of buffers it never writes again, so keeping them is safe.
    this.window.push({ start, bytes });
    this.windowSize += bytes.length;
    while (this.windowSize - (this.window[0]?.bytes.length ?? 0) >= WINDOW_BYTES && this.window.length > 1) {
      this.windowSize -= this.window.shift()!.bytes.length;
    }
    return { start, bytes };
  }

  /** At the declared end, one more pull tells whether the stream goes on. */
  private async probePastEnd(): Promise<void> {
    if (!this.reader || this.actualSize !== null || this.longer) return;
    const more = await this.reader.next();
    if (more && more.length > 0) this.longer = true;
    else this.actualSize = this.pos;
    this.reader.close();
    this.reader = null;
  }
}
