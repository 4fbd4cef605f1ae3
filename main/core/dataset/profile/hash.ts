// Fast non-cryptographic hashes for sketches and duplicate tables (not for anything an
// attacker could exploit by collision beyond a wrong count).
import { fmix32 } from '../../../../shared/seeded-random.ts';

/** murmur3's finaliser, under the name the sketches use. */
export const mix32 = fmix32;

/** 32-bit FNV-1a over UTF-16 code units, finished with a murmur3 mix for good low bits. */
export function hash32(s: string, seed = 0x811c9dc5, maxChars = Infinity): number {
  let h = seed >>> 0;
  const n = Math.min(s.length, maxChars);
  for (let i = 0; i < n; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** Combines two 32-bit hashes order-dependently. */
export function combine32(a: number, b: number): number {
  return mix32((Math.imul(a, 31) + b + 0x9e3779b9) >>> 0);
}
