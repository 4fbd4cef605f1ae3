// Probe rows generated inside the worker from seeds, and the edits applied to them (trigger
// patches, random controls, noise, superimposition, token insertion). Only results leave the
// worker. Pure code: no onnxruntime, no I/O, so it is unit-tested in-process.
//
// Generation is a seeded pool per input: a long stream of values drawn once from the input's
// distribution, and rows are windows of it: blocks of consecutive rows at offsets drawn from
// (seed, block index). A batch within one block costs nothing (inference reads the pool itself),
// any other costs one memcpy per row; the pool is at least 32 rows long and a block at most half
// of it, so blocks start at many different offsets.
import { fmix32, seededRandom } from '../../shared/seeded-random.ts';
import { DTYPE_BYTES, type Distribution, type DType, type Edit, type InputPlan } from './protocol.ts';

export type TypedRow =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array;

const CONSTRUCTORS: Record<DType, new (n: number) => TypedRow> = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array,
  uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array,
  bool: Uint8Array,
};

export function allocate(dtype: DType, n: number): TypedRow {
  return new CONSTRUCTORS[dtype](n);
}

/** Views bytes as a typed array of the dtype, copying when the bytes are not aligned for it. */
export function viewAs(dtype: DType, bytes: Uint8Array): TypedRow {
  const size = DTYPE_BYTES[dtype];
  if (bytes.byteLength % size !== 0) throw new RangeError(`${bytes.byteLength} bytes is not a whole number of ${dtype} values`);
  // new Uint8Array(bytes) copies; Buffer#slice would not.
  const aligned = bytes.byteOffset % size === 0 ? bytes : new Uint8Array(bytes);
  const C = CONSTRUCTORS[dtype] as unknown as new (b: ArrayBufferLike, o: number, n: number) => TypedRow;
  return new C(aligned.buffer, aligned.byteOffset, aligned.byteLength / size);
}

export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/** 32-bit integer mix of two values (murmur3 finaliser), for per-row seeds. */
export function mix32(a: number, b: number): number {
  return fmix32(Math.imul(a | 0, 0x9e3779b1) ^ (b | 0));
}

/** The shared mulberry32 generator: small, fast, identical on every platform. */
export const random = seededRandom;

function clamp(v: number, min: number | undefined, max: number | undefined): number {
  if (min !== undefined && v < min) return min;
  if (max !== undefined && v > max) return max;
  return v;
}

/**
 * Uniform values min + (max - min) * u for the generator's uniforms u, in one loop with the
 * generator's state inline: the same numbers as calling seededRandom(seed) n times, without a
 * closure call per value (a fresh worker draws a million of these before its first batch).
 * Kept in step with shared/seeded-random.ts; a test compares the two.
 */
function fillUniform(target: Float32Array | Float64Array, min: number, max: number, seed: number): void {
  const span = max - min;
  let a = seed >>> 0;
  for (let i = 0; i < target.length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    target[i] = min + span * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
}

/** Fills a typed array with values of a distribution (integers are whole numbers). */
export function drawInto(out: TypedRow, distribution: Distribution, seed: number): void {
  const n = out.length;
  if (distribution.kind === 'uniform' && (out instanceof Float32Array || out instanceof Float64Array)) {
    fillUniform(out, distribution.min, distribution.max, seed);
    return;
  }
  const rand = random(seed);
  // bigint arrays cannot take numbers: go through a number buffer for them.
  const big = out instanceof BigInt64Array || out instanceof BigUint64Array;
  const target: { [i: number]: number; length: number } = big ? new Float64Array(n) : (out as Float64Array);
  switch (distribution.kind) {
    case 'uniform': {
      const { min, max } = distribution;
      for (let i = 0; i < n; i++) target[i] = min + (max - min) * rand();
      break;
    }
    case 'normal': {
      const { mean, std, min, max } = distribution;
      for (let i = 0; i < n; i += 2) {
        // Box-Muller: two independent normals per pair of uniforms.
        const u = 1 - rand();
        const r = Math.sqrt(-2 * Math.log(u));
        const t = 2 * Math.PI * rand();
        target[i] = clamp(mean + std * r * Math.cos(t), min, max);
        if (i + 1 < n) target[i + 1] = clamp(mean + std * r * Math.sin(t), min, max);
      }
      break;
    }
    case 'integers': {
      const lo = Math.ceil(distribution.min);
      const span = Math.floor(distribution.max) - lo + 1;
      for (let i = 0; i < n; i++) target[i] = lo + Math.floor(rand() * span);
      break;
    }
    case 'constant':
      for (let i = 0; i < n; i++) target[i] = distribution.value;
      break;
  }
  if (big) fillFrom(out, target as Float64Array);
}

/** Draws n values of a distribution as numbers. */
export function draw(distribution: Distribution, seed: number, n: number): Float64Array {
  const out = new Float64Array(n);
  drawInto(out, distribution, seed);
  return out;
}

/** Copies numbers into a typed array of any dtype (bigint arrays get truncated integers). */
export function fillFrom(target: TypedRow, values: ArrayLike<number>): void {
  if (target instanceof BigInt64Array || target instanceof BigUint64Array) {
    for (let i = 0; i < values.length; i++) target[i] = BigInt(Math.trunc(values[i]!));
  } else {
    (target as Float64Array).set(values);
  }
}

export function setValue(target: TypedRow, index: number, value: number): void {
  if (target instanceof BigInt64Array || target instanceof BigUint64Array) target[index] = BigInt(Math.trunc(value));
  else (target as Float64Array)[index] = value;
}

export function getValue(target: TypedRow, index: number): number {
  return Number(target[index]!);
}

const MIN_POOL = 1 << 16;
const FLOAT_POOL = 1 << 20;
const MAX_POOL = 1 << 24;

export function poolLength(rowLen: number, dtype: DType): number {
  const floor = isFloat(dtype) ? FLOAT_POOL : MIN_POOL;
  return Math.max(Math.min(Math.max(rowLen * 32, floor), MAX_POOL), rowLen * 2);
}

/** Most rows per block: a batch of up to this many rows can be a view of the pool. */
const MAX_BLOCK_ROWS = 256;

/**
 * A seeded stream of values from which rows are cut as windows. Rows come in blocks of
 * `blockRows` consecutive windows, each block at an offset drawn from (seed, block index), so a
 * batch that falls within one block is a view of the pool: no copy at all (copying was a fifth
 * of the sandbox's time per batch on the bench model). Rows still depend only on (seed, row).
 */
export class Pool {
  readonly values: TypedRow;
  readonly blockRows: number;
  private readonly blockStarts: number;
  private readonly mixed: number;

  constructor(distribution: Distribution, dtype: DType, seed: number, readonly rowLen: number) {
    const n = poolLength(rowLen, dtype);
    this.values = allocate(dtype, n);
    drawInto(this.values, distribution, seed);
    // A power of two, at most half the pool, so blocks still start at many different offsets.
    let k = 1;
    while (k * 2 <= MAX_BLOCK_ROWS && k * 2 * rowLen * 2 <= n) k *= 2;
    this.blockRows = k;
    this.blockStarts = n - k * rowLen + 1;
    this.mixed = seed ^ 0x5bd1e995;
  }

  offset(row: number): number {
    const k = this.blockRows;
    const block = Math.floor(row / k);
    return (mix32(this.mixed, block) % this.blockStarts) + (row - block * k) * this.rowLen;
  }

  copyRow(row: number, target: TypedRow, at: number): void {
    const o = this.offset(row);
    (target as Float64Array).set(this.values.subarray(o, o + this.rowLen) as unknown as Float64Array, at);
  }

  /** Rows first..first+count-1 as one view of the pool when they lie in one block, else null. */
  view(first: number, count: number): TypedRow | null {
    const k = this.blockRows;
    if (count < 1 || Math.floor(first / k) !== Math.floor((first + count - 1) / k)) return null;
    const o = this.offset(first);
    return this.values.subarray(o, o + count * this.rowLen) as TypedRow;
  }

  /** Rows (first + r) % wrap for r < count, one after another from target[at]: a batch in one tight loop. */
  copyRows(first: number, count: number, wrap: number, target: TypedRow, at: number): void {
    const values = this.values as Float64Array;
    const out = target as Float64Array;
    const len = this.rowLen;
    for (let r = 0; r < count; r++) {
      const o = this.offset((first + r) % wrap);
      out.set(values.subarray(o, o + len), at + r * len);
    }
  }
}

export interface Dataset {
  dtype: DType;
  rowShape: number[];
  rowLen: number;
  rows: number;
  values: TypedRow;
}

export function rowLength(rowShape: readonly number[]): number {
  return rowShape.reduce((n, d) => n * d, 1);
}

/** Produces the base rows of one input, from a pool or a dataset. */
export class RowSource {
  private readonly pool: Pool | null;
  private readonly dataset: Dataset | null;
  readonly rowLen: number;

  constructor(readonly plan: InputPlan, datasets: ReadonlyMap<string, Dataset>) {
    this.rowLen = rowLength(plan.rowShape);
    if (plan.source === 'generate') {
      this.pool = new Pool(plan.distribution, plan.dtype, plan.seed, this.rowLen);
      this.dataset = null;
    } else {
      const ds = datasets.get(plan.dataset);
      if (!ds) throw new PlanError(`dataset ${plan.dataset} was not sent`);
      if (ds.rowLen !== this.rowLen || ds.dtype !== plan.dtype) {
        throw new PlanError(`dataset ${plan.dataset} holds ${ds.dtype} rows of ${ds.rowLen} values, the input needs ${plan.dtype} rows of ${this.rowLen}`);
      }
      this.pool = null;
      this.dataset = ds;
    }
  }

  copyRow(row: number, target: TypedRow, at: number): void {
    if (this.pool) {
      this.pool.copyRow(row, target, at);
      return;
    }
    const ds = this.dataset!;
    const r = row % ds.rows;
    (target as Float64Array).set(ds.values.subarray(r * ds.rowLen, (r + 1) * ds.rowLen) as unknown as Float64Array, at);
  }

  /**
   * Rows (first + r) % wrap for r < count as one view, without copying, when they are
   * consecutive in the pool or the dataset; null when they are not (then copy them).
   */
  view(first: number, count: number, wrap: number): TypedRow | null {
    const row = first % wrap;
    if (row + count > wrap) return null;
    if (this.pool) return this.pool.view(row, count);
    const ds = this.dataset!;
    const r = row % ds.rows;
    if (r + count > ds.rows) return null;
    return ds.values.subarray(r * ds.rowLen, (r + count) * ds.rowLen) as TypedRow;
  }

  /** Rows (first + r) % wrap for r < count into target from offset `at`, as copyRow would put them. */
  copyRows(first: number, count: number, wrap: number, target: TypedRow, at: number): void {
    if (this.pool) {
      this.pool.copyRows(first, count, wrap, target, at);
      return;
    }
    for (let r = 0; r < count; r++) this.copyRow((first + r) % wrap, target, at + r * this.rowLen);
  }
}

export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}

/** Caches the pools random edits draw from, keyed by what defines them. */
export class EditPools {
  private readonly pools = new Map<string, Pool>();

  get(distribution: Distribution, dtype: DType, seed: number, rowLen: number): Pool {
    const key = `${JSON.stringify(distribution)}|${dtype}|${seed}|${rowLen}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new Pool(distribution, dtype, seed, rowLen);
      this.pools.set(key, pool);
    }
    return pool;
  }
}

export interface EditContext {
  dtype: DType;
  rowShape: readonly number[];
  rowLen: number;
  datasets: ReadonlyMap<string, Dataset>;
  pools: EditPools;
}

/** Checks an edit against its input before any row is generated. */
export function checkEdit(edit: Edit, ctx: EditContext): void {
  const inRow = (o: number) => Number.isSafeInteger(o) && o >= 0 && o < ctx.rowLen;
  switch (edit.kind) {
    case 'set':
      if (edit.offsets.length !== edit.values.length) throw new PlanError('set edit: offsets and values differ in length');
      if (!edit.offsets.every(inRow)) throw new PlanError('set edit: offset outside the row');
      break;
    case 'set-random':
      if (!edit.offsets.every(inRow)) throw new PlanError('set-random edit: offset outside the row');
      break;
    case 'noise':
      if (!isFloat(ctx.dtype)) throw new PlanError('noise edit on a non-float input');
      break;
    case 'blend': {
      if (!isFloat(ctx.dtype)) throw new PlanError('blend edit on a non-float input');
      if (!(edit.alpha >= 0 && edit.alpha <= 1)) throw new PlanError('blend edit: alpha outside [0, 1]');
      if (edit.dataset !== undefined) {
        const ds = ctx.datasets.get(edit.dataset);
        if (!ds || ds.rowLen !== ctx.rowLen || ds.dtype !== ctx.dtype || ds.rows === 0) throw new PlanError(`blend edit: dataset ${edit.dataset} does not fit the input`);
      } else if (!edit.distribution) {
        throw new PlanError('blend edit needs a dataset or a distribution');
      }
      break;
    }
    case 'insert': {
      const last = ctx.rowShape[ctx.rowShape.length - 1] ?? 0;
      if (!Number.isSafeInteger(edit.position) || edit.position < 0 || edit.position >= last) throw new PlanError('insert edit: position outside the last axis');
      break;
    }
  }
}

/** Applies one edit to one row (`row` is a view of the batch buffer). */
export function applyEdit(edit: Edit, row: TypedRow, baseRow: number, ctx: EditContext): void {
  switch (edit.kind) {
    case 'set':
      for (let k = 0; k < edit.offsets.length; k++) setValue(row, edit.offsets[k]!, edit.values[k]!);
      break;
    case 'set-random': {
      const pool = ctx.pools.get(edit.distribution, ctx.dtype, edit.seed, Math.max(1, edit.offsets.length));
      const o = pool.offset(baseRow);
      for (let k = 0; k < edit.offsets.length; k++) setValue(row, edit.offsets[k]!, getValue(pool.values, o + k));
      break;
    }
    case 'noise': {
      const pool = ctx.pools.get({ kind: 'normal', mean: 0, std: 1 }, 'float32', edit.seed, ctx.rowLen);
      const o = pool.offset(baseRow);
      const noise = pool.values as Float32Array;
      const r = row as Float32Array;
      for (let k = 0; k < ctx.rowLen; k++) r[k] = clamp(r[k]! + edit.std * noise[o + k]!, edit.min, edit.max);
      break;
    }
    case 'blend': {
      let other: Float32Array;
      let base: number;
      if (edit.dataset !== undefined) {
        const ds = ctx.datasets.get(edit.dataset)!;
        other = ds.values as Float32Array;
        base = (mix32(edit.seed, baseRow) % ds.rows) * ctx.rowLen;
      } else {
        const pool = ctx.pools.get(edit.distribution!, ctx.dtype, edit.seed, ctx.rowLen);
        other = pool.values as Float32Array;
        base = pool.offset(baseRow);
      }
      const r = row as Float32Array;
      const a = edit.alpha;
      for (let k = 0; k < ctx.rowLen; k++) r[k] = a * r[k]! + (1 - a) * other[base + k]!;
      break;
    }
    case 'insert': {
      const last = ctx.rowShape[ctx.rowShape.length - 1]!;
      for (let start = 0; start < ctx.rowLen; start += last) {
        // Shift the tail of each last-axis vector right by one and put the token at `position`.
        row.copyWithin(start + edit.position + 1, start + edit.position, start + last - 1);
        setValue(row, start + edit.position, edit.value);
      }
      break;
    }
  }
}
