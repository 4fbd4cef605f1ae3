// Small, bounds-checked byte helpers shared by the container parsers. Every reader returns null
// (never throws, never reads out of range) when the record is shorter than the field.

export function u16(b: Uint8Array, at: number): number | null {
  if (at < 0 || at + 2 > b.length) return null;
  return b[at]! | (b[at + 1]! << 8);
}

export function u32(b: Uint8Array, at: number): number | null {
  if (at < 0 || at + 4 > b.length) return null;
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000;
}

/** Unsigned 64-bit little endian as a number; values past 2^53 come back as Infinity (never exact garbage). */
export function u64(b: Uint8Array, at: number): number | null {
  const lo = u32(b, at);
  const hi = u32(b, at + 4);
  if (lo === null || hi === null) return null;
  if (hi >= 0x200000) return Number.POSITIVE_INFINITY;
  return hi * 0x100000000 + lo;
}

export function i32(b: Uint8Array, at: number): number | null {
  const v = u32(b, at);
  return v === null ? null : v | 0;
}

/** Signed 64-bit little endian; null when out of the safe-integer range. */
export function i64(b: Uint8Array, at: number): number | null {
  if (at < 0 || at + 8 > b.length) return null;
  const v = new DataView(b.buffer, b.byteOffset + at, 8).getBigInt64(0, true);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : null;
}

export function startsWithBytes(b: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (at < 0 || at + sig.length > b.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[at + i] !== sig[i]) return false;
  return true;
}

export function allZero(b: Uint8Array): boolean {
  for (const x of b) if (x !== 0) return false;
  return true;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode(...b.subarray(i, i + 4096));
  return s;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** Decodes a name as UTF-8 when it is valid UTF-8, else byte by byte (what most tools display). */
export function decodeName(b: Uint8Array): string {
  try {
    return utf8Strict.decode(b);
  } catch {
    return latin1(b);
  }
}

/** Shows a short hex preview of bytes for evidence. */
export function hexPreview(b: Uint8Array, max = 16): string {
  return Array.from(b.subarray(0, max), (x) => x.toString(16).padStart(2, '0')).join(' ');
}
