// The exact phase of a column's distinct count: each value is kept as a 64-bit key (two 32-bit
// hashes) in an open-addressing table of typed arrays. A Set of the strings themselves kept
// every distinct value alive, and each new young string stored into an old table cost the
// garbage collector; at ~10,000 distinct values per column two colliding keys have a chance
// of about 1 in 10^11.
import { mix32 } from './hash.ts';

const FNV_PRIME = 0x01000193;
const SECOND_PRIME = 0x5bd1e995;
/** Characters hashed for the first key half (and the HyperLogLog): longer values share a head. */
export const HEAD_CHARS = 64;

/**
 * The two halves of a value's key, in `out`. `out[0]` is the hash the HyperLogLog takes (the
 * first 64 characters and the length); `out[1]` covers the whole value.
 */
export function hashPair(s: string, out: Uint32Array): void {
  const n = s.length;
  let h1 = n <= HEAD_CHARS ? 0x811c9dc5 : (0x811c9dc5 ^ n) >>> 0;
  let h2 = 0x9747b28c ^ n;
  const head = Math.min(n, HEAD_CHARS);
  for (let i = 0; i < head; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, FNV_PRIME);
    h2 = Math.imul(h2 ^ c, SECOND_PRIME);
    h2 ^= h2 >>> 15;
  }
  for (let i = head; i < n; i++) {
    h2 = Math.imul(h2 ^ s.charCodeAt(i), SECOND_PRIME);
    h2 ^= h2 >>> 15;
  }
  out[0] = mix32(h1);
  out[1] = mix32(h2);
}

export class DistinctSet {
  /** Key pairs (first half, second half); a free slot holds (0, 0). */
  private keys: Uint32Array;
  private mask: number;
  size = 0;

  constructor(capacity = 256) {
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this.keys = new Uint32Array(cap * 2);
    this.mask = cap - 1;
  }

  add(h1: number, h2: number): void {
    // (0, 0) marks a free slot: move the one key that equals it.
    if (h1 === 0 && h2 === 0) h2 = 1;
    const keys = this.keys;
    let i = (h1 ^ Math.imul(h2, 0x9e3779b1)) & this.mask;
    for (;;) {
      const a = keys[i * 2]!;
      const b = keys[i * 2 + 1]!;
      if (a === h1 && b === h2) return;
      if (a === 0 && b === 0) break;
      i = (i + 1) & this.mask;
    }
    keys[i * 2] = h1;
    keys[i * 2 + 1] = h2;
    if (++this.size * 10 > (this.mask + 1) * 7) this.grow();
  }

  private grow(): void {
    const old = this.keys;
    this.keys = new Uint32Array(old.length * 2);
    this.mask = old.length - 1;
    this.size = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i] !== 0 || old[i + 1] !== 0) this.add(old[i]!, old[i + 1]!);
  }

  /** The keys as (first, second) pairs, packed. */
  pairs(): Uint32Array {
    const out = new Uint32Array(this.size * 2);
    let j = 0;
    for (let i = 0; i < this.keys.length; i += 2) {
      if (this.keys[i] === 0 && this.keys[i + 1] === 0) continue;
      out[j++] = this.keys[i]!;
      out[j++] = this.keys[i + 1]!;
    }
    return out;
  }
}
