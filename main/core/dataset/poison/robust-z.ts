// Univariate outliers by robust z-score: z = 0.6745 (x − median) / MAD. The cut-off grows with
// the column's size so that a clean, normally distributed column of n values is expected to
// produce no outlier (1% chance over the whole column), and a column where more than 2% of the
// values exceed it is heavy-tailed by nature, not poisoned, and is left alone.
import { normalQuantileUpper } from './stats.ts';

export interface ColumnOutliers {
  median: number;
  /** Robust spread: MAD scaled to a standard deviation (or the mean absolute deviation). */
  scale: number;
  threshold: number;
  rows: number[];
  /** |z| of each flagged row, same order as rows. */
  scores: number[];
  heavyTailed: boolean;
}

export const MIN_THRESHOLD = 3.5;
const HEAVY_TAIL_SHARE = 0.02;

export function zThreshold(n: number): number {
  return Math.max(MIN_THRESHOLD, normalQuantileUpper(0.005 / Math.max(1, n)));
}

/** k-th smallest value (0-based), rearranging `a` in place (Hoare's selection). */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) { const t = a[i]!; a[i] = a[j]!; a[j] = t; i++; j--; }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k]!;
}

function middle(a: Float64Array): number {
  const n = a.length;
  const upper = select(a, n >> 1);
  if (n % 2) return upper;
  let lower = -Infinity;
  for (let i = 0; i < n >> 1; i++) if (a[i]! > lower) lower = a[i]!; // after selection, the lower half sits left
  return (lower + upper) / 2;
}

/**
 * Median and robust scale of the finite values; scale 0 means constant. `scratch` (at least as
 * long as `values`) is used as working space when given: fresh memory for millions of values is
 * costly to touch, so callers doing many columns pass one buffer for all.
 */
export function robustCentre(values: Float64Array, scratch?: Float64Array): { median: number; scale: number; count: number } {
  // A plain loop: TypedArray.prototype.filter with a callback is slow on millions of values.
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) n++;
  const v = scratch && scratch.length >= n ? scratch.subarray(0, n) : new Float64Array(n);
  let j = 0;
  for (let i = 0; i < values.length; i++) { const x = values[i]!; if (Number.isFinite(x)) v[j++] = x; }
  if (n === 0) return { median: Number.NaN, scale: 0, count: 0 };
  const med = middle(v);
  // The deviations replace the values in place: only their multiset matters for the MAD.
  let sumAbs = 0;
  for (let i = 0; i < n; i++) { const d = Math.abs(v[i]! - med); v[i] = d; sumAbs += d; }
  const mad = middle(v);
  // MAD is 0 when over half the values are equal; fall back to the mean absolute deviation.
  const scale = mad > 0 ? mad / 0.6745 : (sumAbs / n) * 1.2533;
  return { median: med, scale, count: n };
}

export function robustOutliers(values: Float64Array, rowOf: (i: number) => number, centre = robustCentre(values)): ColumnOutliers | null {
  const { median, scale, count } = centre;
  if (count < 20 || !(scale > 0)) return null;
  const threshold = zThreshold(count);
  const rows: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (!Number.isFinite(x)) continue;
    const z = Math.abs(x - median) / scale;
    if (z > threshold) { rows.push(rowOf(i)); scores.push(z); }
  }
  return { median, scale, threshold, rows, scores, heavyTailed: rows.length > Math.max(1, count * HEAVY_TAIL_SHARE) };
}
