// The other way CPython reads a framed stream. From memory (`pickle.loads`) or a file with
// peek(), an opcode that crosses the end of a protocol 4 FRAME simply reads on. From a file
// without peek() (io.BytesIO: how torch.load reads a zip checkpoint's data.pkl), the C unpickler
// holds exactly the frame in its buffer, and a fixed-size read or a line that runs past the
// frame's end drops the buffered rest and reads from the frame end instead (bytes/bytearray
// payloads are the exception: they are copied across). A crafted frame therefore shows one
// program to a scanner and runs another. This module computes that second reading as the list
// of byte ranges the C unpickler keeps; the walker then runs the machine over them.
import type { ByteSource } from '../../io/byte-source.ts';
import { OPCODES } from './opcodes.ts';

/** Streams longer than this are not re-read (the second reading is built in memory). */
export const MAX_FILE_READING = 64 * 1024 * 1024;
const MAX_LINE = 1024 * 1024;

/** A kept range: `length` bytes at `realStart` in the source appear at `virtualStart`. */
export interface Segment {
  virtualStart: number;
  realStart: number;
  length: number;
}

/** Payloads the C unpickler copies with readinto(): they continue across the frame end. */
const COPIED_PAYLOAD = new Set(['BINBYTES', 'SHORT_BINBYTES', 'BINBYTES8', 'BYTEARRAY8']);

/**
 * Ranges of [start, end) that CPython keeps when it reads the stream from a file without peek().
 * Null when the reading is the same as the plain one (no read crosses a frame end) or cannot be
 * built (too long, undecodable before any divergence).
 */
export async function fileReadingSegments(src: ByteSource, start: number, end: number): Promise<Segment[] | null> {
  if (end - start > MAX_FILE_READING) return null;
  const data = await src.read(start, end - start);
  const n = data.length;
  const drops: Array<[number, number]> = []; // [from, to) relative to start
  let bufEnd = -1; // end of the frame the C unpickler holds, or -1 when it reads straight from the file
  let p = 0;
  /** A read of k bytes at p: returns where it really starts. */
  const read = (k: number, copied = false): number => {
    if (bufEnd < 0) return p;
    if (p >= bufEnd) {
      bufEnd = -1;
      return p;
    }
    if (p + k <= bufEnd) return p;
    if (copied) {
      bufEnd = -1;
      return p;
    }
    drops.push([p, bufEnd]);
    const at = bufEnd;
    bufEnd = -1;
    return at;
  };
  const u = (at: number, k: number): number => {
    let v = 0;
    for (let i = k - 1; i >= 0; i--) v = v * 256 + data[at + i]!;
    return v;
  };
  const line = (): boolean => {
    if (bufEnd >= 0 && p >= bufEnd) bufEnd = -1;
    const limit = Math.min(n, p + MAX_LINE);
    let nl = data.indexOf(10, p);
    if (nl < 0 || nl >= limit) return false;
    if (bufEnd >= 0 && p < bufEnd && nl >= bufEnd) {
      // No newline inside the buffered frame: readline() starts again at the frame end.
      drops.push([p, bufEnd]);
      p = bufEnd;
      nl = data.indexOf(10, p);
      if (nl < 0 || nl >= Math.min(n, p + MAX_LINE)) return false;
    }
    if (bufEnd >= 0 && nl + 1 >= bufEnd) bufEnd = -1;
    p = nl + 1;
    return true;
  };
  while (p < n) {
    p = read(1);
    if (p >= n) break;
    const info = OPCODES[data[p]!];
    if (!info) break;
    p += 1;
    const fixed = { u1: 1, u2: 2, i4: 4, u4: 4, u8: 8, f8: 8 } as Record<string, number>;
    switch (info.arg) {
      case 'none':
        break;
      case 'line':
        if (!line()) return finish();
        break;
      case 'line2':
        if (!line() || !line()) return finish();
        break;
      case 'len1': case 'len4': case 'slen4': case 'len8': case 'long1': case 'long4': {
        const h = info.arg === 'len1' || info.arg === 'long1' ? 1 : info.arg === 'len8' ? 8 : 4;
        p = read(h);
        if (p + h > n) return finish();
        const len = u(p, h);
        p += h;
        if (!Number.isSafeInteger(len) || p + len > n) return finish();
        p = read(len, COPIED_PAYLOAD.has(info.name));
        p += len;
        break;
      }
      default: {
        const k = fixed[info.arg]!;
        p = read(k);
        if (p + k > n) return finish();
        if (info.name === 'FRAME') {
          const len = u(p, 8);
          p += 8;
          if (bufEnd >= 0 && p < bufEnd && p + len <= bufEnd) break; // served from the frame already held
          if (bufEnd >= 0 && p < bufEnd) {
            drops.push([p, bufEnd]);
            p = bufEnd;
          }
          bufEnd = p + len;
          break;
        }
        p += k;
      }
    }
    if (info.name === 'STOP') break;
  }
  return finish();

  function finish(): Segment[] | null {
    if (drops.length === 0) return null;
    const segments: Segment[] = [];
    let real = 0;
    let virtual = 0;
    for (const [from, to] of drops) {
      if (from > real) {
        segments.push({ virtualStart: virtual, realStart: start + real, length: from - real });
        virtual += from - real;
      }
      real = Math.max(real, to);
    }
    if (real < n) segments.push({ virtualStart: virtual, realStart: start + real, length: n - real });
    return segments;
  }
}

/** The kept bytes, concatenated. */
export async function readSegments(src: ByteSource, segments: readonly Segment[]): Promise<Uint8Array> {
  const total = segments.reduce((a, s) => a + s.length, 0);
  const out = new Uint8Array(total);
  for (const s of segments) out.set(await src.read(s.realStart, s.length), s.virtualStart);
  return out;
}

/** Maps an offset in the kept bytes back to the source. */
export function realOffset(segments: readonly Segment[], virtual: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (segments[mid]!.virtualStart <= virtual) lo = mid;
    else hi = mid - 1;
  }
  const s = segments[lo];
  return s ? s.realStart + (virtual - s.virtualStart) : virtual;
}
