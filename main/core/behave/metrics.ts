// Small numeric helpers over run outputs: predictions, flips, entropy, summary statistics.
import type { OutputTable } from './types.ts';

/** Index of the largest value of each row (the first on ties; NaN never wins). */
export function argmaxRows(t: OutputTable): Int32Array {
  const out = new Int32Array(t.rows);
  for (let r = 0; r < t.rows; r++) {
    let best = 0;
    let bestV = -Infinity;
    const base = r * t.perRow;
    for (let k = 0; k < t.perRow; k++) {
      const v = t.values[base + k]!;
      if (v > bestV) {
        bestV = v;
        best = k;
      }
    }
    out[r] = best;
  }
  return out;
}

export function flipRate(base: ArrayLike<number>, other: ArrayLike<number>): number {
  const n = Math.min(base.length, other.length);
  if (n === 0) return 0;
  let flips = 0;
  for (let i = 0; i < n; i++) if (base[i] !== other[i]) flips++;
  return flips / n;
}

/** The most frequent value and the share of rows that hold it. */
export function mode(values: ArrayLike<number>): { value: number; share: number } {
  const counts = new Map<number, number>();
  let best = 0;
  let bestN = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const n = (counts.get(v) ?? 0) + 1;
    counts.set(v, n);
    if (n > bestN) {
      bestN = n;
      best = v;
    }
  }
  return { value: best, share: values.length > 0 ? bestN / values.length : 0 };
}

/** Whether a row already is a probability vector (non-negative, sums to one). */
function isProbability(row: Float64Array): boolean {
  let sum = 0;
  for (const v of row) {
    if (!(v >= 0 && v <= 1)) return false;
    sum += v;
  }
  return Math.abs(sum - 1) < 1e-3;
}

/** Shannon entropy (nats) of a row, softmaxed first when it holds logits. */
export function rowEntropy(row: Float64Array): number {
  let p: ArrayLike<number> = row;
  if (!isProbability(row)) {
    let max = -Infinity;
    for (const v of row) if (v > max) max = v;
    const e = new Float64Array(row.length);
    let sum = 0;
    for (let k = 0; k < row.length; k++) {
      e[k] = Math.exp(row[k]! - max);
      sum += e[k]!;
    }
    for (let k = 0; k < row.length; k++) e[k] = e[k]! / sum;
    p = e;
  }
  let h = 0;
  for (let k = 0; k < p.length; k++) {
    const v = p[k]!;
    if (v > 0) h -= v * Math.log(v);
  }
  return h;
}

export function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function median(values: ArrayLike<number>): number {
  return quantile(values, 0.5);
}

export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return values.length > 0 ? s / values.length : NaN;
}

export interface Histogram {
  min: number;
  max: number;
  counts: number[];
}

export function histogram(values: ArrayLike<number>, bins: number, min: number, max: number): Histogram {
  const counts = new Array<number>(bins).fill(0);
  const width = (max - min) / bins || 1;
  for (let i = 0; i < values.length; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor((values[i]! - min) / width)));
    counts[b]!++;
  }
  return { min, max, counts };
}

/** Whether every row of a changed output moved far from the base: for outputs with one value per row. */
export function changedRows(base: Float64Array, other: Float64Array, threshold: number): Int32Array {
  const out = new Int32Array(base.length);
  for (let i = 0; i < base.length; i++) out[i] = Math.abs(base[i]! - other[i]!) > threshold ? 1 : 0;
  return out;
}

export function std(values: ArrayLike<number>): number {
  const m = mean(values);
  let s = 0;
  for (let i = 0; i < values.length; i++) s += (values[i]! - m) ** 2;
  return values.length > 1 ? Math.sqrt(s / (values.length - 1)) : 0;
}
