// Numeric feature values held for the numeric indicators: every row up to a cell budget, then
// a uniform reservoir sample (seeded), so memory stays bounded whatever the dataset size.
import { seededRandom } from '../../../../shared/seeded-random.ts';

/**
 * The store's arrays live in shared memory: a parallel scan posts the merged features to the
 * worker thread for the multivariate indicators, and shared arrays arrive there without a copy
 * (tens of megabytes, slow to copy and to touch the first time). Neither thread writes to them
 * after that.
 */
function shared(bytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(bytes);
}

export class FeatureStore {
  private cap = 4096;
  n = 0;
  /** Rows offered, stored or not. */
  seen = 0;
  values: Float32Array;
  rows: Int32Array;
  labels: Int32Array;
  private readonly maxRows: number;
  private readonly random = seededRandom(0x5eed);

  constructor(readonly dims: number, maxCells = 32 * 1024 * 1024) {
    this.maxRows = Math.max(1, Math.floor(maxCells / Math.max(1, dims)));
    this.values = new Float32Array(shared(this.cap * dims * 4));
    this.rows = new Int32Array(shared(this.cap * 4));
    this.labels = new Int32Array(shared(this.cap * 4));
  }

  /** True once rows are being sampled rather than all kept. */
  get sampled(): boolean {
    return this.seen > this.n;
  }

  add(x: ArrayLike<number>, row: number, label: number): void {
    this.seen++;
    let at: number;
    if (this.n < this.maxRows) {
      if (this.n === this.cap) this.grow();
      at = this.n++;
    } else {
      const j = Math.floor(this.random() * this.seen);
      if (j >= this.maxRows) return;
      at = j;
    }
    const base = at * this.dims;
    for (let d = 0; d < this.dims; d++) this.values[base + d] = x[d]!;
    this.rows[at] = row;
    this.labels[at] = label;
  }

  /** Makes room for `rows` rows now (see NearDuplicateIndex.reserve). */
  reserve(rows: number): void {
    if (rows > this.cap && this.n < this.maxRows) this.grow(Math.ceil(rows));
  }

  /** Doubles the capacity, or makes it exactly `rows` (a reservation), within the row budget, copying once. */
  private grow(rows = this.cap * 2): void {
    this.cap = Math.min(rows, this.maxRows);
    const v = new Float32Array(shared(this.cap * this.dims * 4)); v.set(this.values); this.values = v;
    const r = new Int32Array(shared(this.cap * 4)); r.set(this.rows); this.rows = r;
    const l = new Int32Array(shared(this.cap * 4)); l.set(this.labels); this.labels = l;
  }

  exportState(): { n: number; seen: number; values: Float32Array; rows: Int32Array; labels: Int32Array } {
    return { n: this.n, seen: this.seen, values: this.values.subarray(0, this.n * this.dims), rows: this.rows.subarray(0, this.n), labels: this.labels.subarray(0, this.n) };
  }

  /** Adds the rows another store kept for a later part of the table (rows shifted by `offset`). */
  absorb(o: { n: number; seen: number; values: Float32Array; rows: Int32Array; labels: Int32Array }, offset: number, label: (l: number) => number): void {
    const x = new Float64Array(this.dims);
    // Rows the other part saw but did not keep still count for the reservoir's arithmetic.
    const skipped = o.seen - o.n;
    // While neither part sampled and both fit, the rows are appended whole (the common case).
    if (!this.sampled && skipped === 0 && this.n + o.n <= this.maxRows) {
      if (this.cap < this.n + o.n) this.grow(this.n + o.n);
      this.values.set(o.values.subarray(0, o.n * this.dims), this.n * this.dims);
      for (let i = 0; i < o.n; i++) {
        this.rows[this.n + i] = o.rows[i]! + offset;
        this.labels[this.n + i] = label(o.labels[i]!);
      }
      this.n += o.n;
      this.seen += o.n;
      return;
    }
    for (let i = 0; i < o.n; i++) {
      for (let d = 0; d < this.dims; d++) x[d] = o.values[i * this.dims + d]!;
      this.add(x, o.rows[i]! + offset, label(o.labels[i]!));
    }
    this.seen += skipped;
  }

  column(d: number, into?: Float64Array): Float64Array {
    const out = into && into.length >= this.n ? into.subarray(0, this.n) : new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) out[i] = this.values[i * this.dims + d]!;
    return out;
  }
}

export type FeatureState = ReturnType<FeatureStore['exportState']>;

/** Read-only view of an exported store with what the numeric indicators read (on another thread). */
export function featureView(dims: number, s: FeatureState): { n: number; dims: number; seen: number; sampled: boolean; rows: Int32Array; labels: Int32Array; column(d: number, into?: Float64Array): Float64Array } {
  return {
    n: s.n, dims, seen: s.seen, sampled: s.seen > s.n, rows: s.rows, labels: s.labels,
    column(d: number, into?: Float64Array): Float64Array {
      const out = into && into.length >= s.n ? into.subarray(0, s.n) : new Float64Array(s.n);
      for (let i = 0; i < s.n; i++) out[i] = s.values[i * dims + d]!;
      return out;
    },
  };
}
