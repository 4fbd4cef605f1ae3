// Perceptual hash: DCT of a 32 × 32 grey thumbnail, the 8 × 8 lowest frequencies (DC
// excluded from the median), one bit each for above/below the median. Copies that were
// re-encoded, resized or slightly retouched stay within a few bits.

const N = 32;
const COS = (() => {
  const t = new Float64Array(8 * N);
  for (let u = 0; u < 8; u++) for (let x = 0; x < N; x++) t[u * N + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * N));
  return t;
})();

/** 64-bit perceptual hash as [high 32 bits, low 32 bits]. */
export function perceptualHash(grey: Uint8Array): [number, number] {
  // Separable DCT restricted to the 8 lowest frequencies in each direction.
  const rows = new Float64Array(N * 8);
  for (let y = 0; y < N; y++) {
    for (let u = 0; u < 8; u++) {
      let s = 0;
      for (let x = 0; x < N; x++) s += grey[y * N + x]! * COS[u * N + x]!;
      rows[y * 8 + u] = s;
    }
  }
  const coeff = new Float64Array(64);
  for (let v = 0; v < 8; v++) {
    for (let u = 0; u < 8; u++) {
      let s = 0;
      for (let y = 0; y < N; y++) s += rows[y * 8 + u]! * COS[v * N + y]!;
      coeff[v * 8 + u] = s;
    }
  }
  const sorted = Array.from(coeff.subarray(1)).sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1]!;
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < 64; i++) {
    if (coeff[i]! > median) {
      if (i < 32) hi |= 1 << i;
      else lo |= 1 << (i - 32);
    }
  }
  return [hi >>> 0, lo >>> 0];
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

export function hammingDistance(a: readonly [number, number], b: readonly [number, number]): number {
  return popcount((a[0] ^ b[0]) >>> 0) + popcount((a[1] ^ b[1]) >>> 0);
}
