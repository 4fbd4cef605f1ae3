// Fast non-cryptographic hashes for sketches and duplicate tables (not for anything an
// attacker could exploit by collision beyond a wrong count).

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

export function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Combines two 32-bit hashes order-dependently. */
export function combine32(a: number, b: number): number {
  return mix32((Math.imul(a, 31) + b + 0x9e3779b9) >>> 0);
}
