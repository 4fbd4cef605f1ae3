// Where a delimited file can be cut in two for parallel reading: the first line break after
// the middle that lies outside quotes. Quote parity is counted from the start, so it is only
// trusted when every quote sits where RFC 4180 puts one (next to a delimiter, a line break or
// another quote); a file with stray quotes is not split.
import { open } from 'node:fs/promises';

const QUOTE = 0x22;
const NL = 0x0a;
const CR = 0x0d;
const CHUNK = 4 * 1024 * 1024;

/** Byte offset where the second part starts, or null when the file should not be split. */
export async function findSplit(path: string, delimiter: string, size: number): Promise<number | null> {
  const delim = delimiter.charCodeAt(0);
  const fits = (c: number | undefined) => c === undefined || c === delim || c === NL || c === CR || c === QUOTE;
  const middle = Math.floor(size / 2);
  const handle = await open(path, 'r');
  try {
    let inQuotes = false;
    let pos = 0;
    let prevLast: number | undefined;
    const buf = Buffer.allocUnsafe(CHUNK + 1);
    while (pos < size) {
      const want = Math.min(CHUNK + 1, size - pos);
      const { bytesRead } = await handle.read(buf, 0, want, pos);
      if (bytesRead === 0) return null;
      const usable = bytesRead === want && pos + bytesRead < size ? bytesRead - 1 : bytesRead; // keep one byte of look-ahead
      let i = 0;
      if (pos < middle) {
        const until = Math.min(usable, middle - pos);
        for (let q = buf.indexOf(QUOTE, 0); q >= 0 && q < until; q = buf.indexOf(QUOTE, q + 1)) {
          const before = q > 0 ? buf[q - 1] : prevLast;
          const after = q + 1 < bytesRead ? buf[q + 1] : undefined;
          if (!fits(before) && !fits(after)) return null; // a stray quote: parity cannot be trusted
          inQuotes = !inQuotes;
        }
        i = until;
      }
      for (; i < usable; i++) {
        const c = buf[i]!;
        if (c === QUOTE) inQuotes = !inQuotes;
        else if (c === NL && !inQuotes) return pos + i + 1 < size ? pos + i + 1 : null;
      }
      prevLast = buf[usable - 1];
      pos += usable;
    }
    return null;
  } finally {
    await handle.close();
  }
}
