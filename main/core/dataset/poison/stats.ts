// Small statistics helpers: log-gamma, the binomial upper tail, and the normal tail for chance thresholds.

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7). */
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/** log10 of P(X ≥ k) for X ~ Binomial(n, p), summed in log space (exact, stable). */
export function log10BinomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 0;
  if (k > n) return -Infinity;
  if (p <= 0) return -Infinity;
  if (p >= 1) return 0;
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  let max = -Infinity;
  const terms: number[] = [];
  for (let j = k; j <= n; j++) {
    const t = logChoose(n, j) + j * lp + (n - j) * lq;
    terms.push(t);
    if (t > max) max = t;
    // Terms fall off geometrically past the mode; stop once negligible.
    if (j > n * p && t < max - 40) break;
  }
  let sum = 0;
  for (const t of terms) sum += Math.exp(t - max);
  return (max + Math.log(sum)) / Math.LN10;
}

/** Upper tail of the standard normal, Q(z), for z ≥ 0 (asymptotic series past 3, erfc below). */
export function normalUpperTail(z: number): number {
  if (z < 3) return 0.5 * erfc(z / Math.SQRT2);
  const phi = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
  const z2 = z * z;
  return (phi / z) * (1 - 1 / z2 + 3 / (z2 * z2) - 15 / (z2 * z2 * z2));
}

/** Complementary error function (Numerical Recipes' Chebyshev fit, |error| < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/** z such that Q(z) = tail, by bisection (tail in (0, 0.5)). */
export function normalQuantileUpper(tail: number): number {
  let lo = 0;
  let hi = 40;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (normalUpperTail(mid) > tail) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Median of a copy of the finite values (NaN for none). */
export function median(values: Float64Array): number {
  const v = values.filter((x) => Number.isFinite(x)).sort();
  if (v.length === 0) return Number.NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** Union-find over 0..n-1 with path halving. */
export class DisjointSets {
  private readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = new Int32Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }
  find(x: number): number {
    const p = this.parent;
    while (p[x] !== x) {
      p[x] = p[p[x]!]!;
      x = p[x]!;
    }
    return x;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}
