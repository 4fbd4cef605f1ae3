import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdit, checkEdit, EditPools, Pool, PlanError, RowSource, type Dataset, type EditContext } from '../../main/sandbox/probes.ts';
import type { Distribution, Edit } from '../../main/sandbox/protocol.ts';

const uniform: Distribution = { kind: 'uniform', min: -2, max: 3 };

function row(source: RowSource, i: number): Float32Array {
  const out = new Float32Array(source.rowLen);
  source.copyRow(i, out, 0);
  return out;
}

test('generated rows depend only on (seed, row index): same seed same rows, another seed other rows', () => {
  const plan = { source: 'generate' as const, dtype: 'float32' as const, rowShape: [3, 4], distribution: uniform, seed: 7 };
  const a = new RowSource(plan, new Map());
  const b = new RowSource(plan, new Map());
  const c = new RowSource({ ...plan, seed: 8 }, new Map());
  assert.deepEqual(row(a, 5), row(b, 5));
  assert.notDeepEqual(row(a, 5), row(a, 6));
  assert.notDeepEqual(row(a, 5), row(c, 5));
  for (const v of row(a, 123)) assert.ok(v >= -2 && v <= 3);
});

test('integer distributions are whole numbers within inclusive bounds, and reach both ends', () => {
  const pool = new Pool({ kind: 'integers', min: 0, max: 9 }, 'int64', 1, 16);
  const values = Array.from(pool.values as BigInt64Array, Number);
  assert.ok(values.every((v) => Number.isInteger(v) && v >= 0 && v <= 9));
  assert.ok(values.includes(0) && values.includes(9));
});

test('normal distributions honour their clamps', () => {
  const pool = new Pool({ kind: 'normal', mean: 0, std: 5, min: -1, max: 1 }, 'float64', 3, 8);
  const values = Array.from(pool.values as Float64Array);
  assert.ok(values.every((v) => v >= -1 && v <= 1));
  assert.ok(values.some((v) => v === 1) && values.some((v) => v > -1 && v < 1));
});

function ctx(rowShape: number[], datasets = new Map<string, Dataset>()): EditContext {
  return { dtype: 'float32', rowShape, rowLen: rowShape.reduce((a, d) => a * d, 1), datasets, pools: new EditPools() };
}

test('a set edit writes values at offsets; an offset outside the row is refused', () => {
  const r = new Float32Array(6);
  const e: Edit = { kind: 'set', input: 'x', offsets: [1, 4], values: [0.5, -1] };
  checkEdit(e, ctx([6]));
  applyEdit(e, r, 0, ctx([6]));
  assert.deepEqual(Array.from(r), [0, 0.5, 0, 0, -1, 0]);
  assert.throws(() => checkEdit({ ...e, offsets: [6], values: [1] }, ctx([6])), PlanError);
});

test('a random control writes values from its distribution at the same offsets, reproducibly per row', () => {
  const e: Edit = { kind: 'set-random', input: 'x', offsets: [0, 2], distribution: { kind: 'constant', value: 9 }, seed: 4 };
  const r = new Float32Array(4);
  applyEdit(e, r, 3, ctx([4]));
  assert.deepEqual(Array.from(r), [9, 0, 9, 0]);
  const u: Edit = { kind: 'set-random', input: 'x', offsets: [0, 1], distribution: uniform, seed: 4 };
  const c = ctx([4]);
  const r1 = new Float32Array(4);
  const r2 = new Float32Array(4);
  applyEdit(u, r1, 10, c);
  applyEdit(u, r2, 10, c);
  assert.deepEqual(r1, r2);
});

test('noise stays within its clamp and grows with its standard deviation', () => {
  const spread = (std: number) => {
    const r = new Float32Array(1000).fill(0.5);
    applyEdit({ kind: 'noise', input: 'x', std, seed: 1, min: 0, max: 1 }, r, 0, ctx([1000]));
    assert.ok(r.every((v) => v >= 0 && v <= 1));
    return r.reduce((a, v) => a + Math.abs(v - 0.5), 0) / r.length;
  };
  assert.ok(spread(0.2) > spread(0.01) * 5);
});

test('blend superimposes a dataset row: alpha 0.5 of two constant rows is their mean', () => {
  const ds: Dataset = { dtype: 'float32', rowShape: [4], rowLen: 4, rows: 1, values: new Float32Array([1, 1, 1, 1]) };
  const c = ctx([4], new Map([['clean', ds]]));
  const e: Edit = { kind: 'blend', input: 'x', alpha: 0.5, seed: 2, dataset: 'clean' };
  checkEdit(e, c);
  const r = new Float32Array([0, 0, 0, 0]);
  applyEdit(e, r, 0, c);
  assert.deepEqual(Array.from(r), [0.5, 0.5, 0.5, 0.5]);
  assert.throws(() => checkEdit({ ...e, dataset: 'missing' }, c), PlanError);
});

test('insert shifts the token sequence right and drops the last token', () => {
  const r = new BigInt64Array([1n, 2n, 3n, 4n]);
  const c: EditContext = { ...ctx([4]), dtype: 'int64' };
  applyEdit({ kind: 'insert', input: 'x', position: 1, value: 42 }, r, 0, c);
  assert.deepEqual(Array.from(r), [1n, 42n, 2n, 3n]);
  assert.throws(() => checkEdit({ kind: 'insert', input: 'x', position: 4, value: 1 }, c), PlanError);
});

test('dataset rows are read in order and wrap around', () => {
  const ds: Dataset = { dtype: 'float32', rowShape: [2], rowLen: 2, rows: 2, values: new Float32Array([1, 2, 3, 4]) };
  const s = new RowSource({ source: 'dataset', dtype: 'float32', rowShape: [2], dataset: 'd' }, new Map([['d', ds]]));
  assert.deepEqual(Array.from(row(s, 1)), [3, 4]);
  assert.deepEqual(Array.from(row(s, 2)), [1, 2]);
  assert.throws(() => new RowSource({ source: 'dataset', dtype: 'float32', rowShape: [3], dataset: 'd' }, new Map([['d', ds]])), PlanError);
});

test('uniform pools hold exactly the shared generator\'s numbers (probe sets and fingerprints stay as recorded)', async () => {
  const { seededRandom } = await import('../../shared/seeded-random.ts');
  for (const [min, max, seed] of [[0, 1, 5], [-2, 3, 0xffffffff], [0, 255, 123456789]] as const) {
    for (const dtype of ['float32', 'float64'] as const) {
      const pool = new Pool({ kind: 'uniform', min, max }, dtype, seed, 8);
      const expected = dtype === 'float32' ? new Float32Array(pool.values.length) : new Float64Array(pool.values.length);
      const rand = seededRandom(seed);
      for (let i = 0; i < expected.length; i++) expected[i] = min + (max - min) * rand();
      assert.ok(pool.values.every((v, i) => Object.is(v, expected[i])), `${dtype} pool for seed ${seed} differs from seededRandom`);
    }
  }
});

test('copying a batch of rows at once gives the same rows as copying them one by one, wrapping at the row count', () => {
  const generated = new RowSource({ source: 'generate', dtype: 'float32', rowShape: [6], distribution: uniform, seed: 11 }, new Map());
  const values = Float32Array.from({ length: 4 * 6 }, (_, i) => i);
  const datasets = new Map<string, Dataset>([['d', { dtype: 'float32', rowShape: [6], rowLen: 6, rows: 4, values }]]);
  const fromData = new RowSource({ source: 'dataset', dtype: 'float32', rowShape: [6], dataset: 'd' }, datasets);
  for (const source of [generated, fromData]) {
    const batch = new Float32Array(7 * 6);
    source.copyRows(10, 7, 13, batch, 0);
    for (let r = 0; r < 7; r++) assert.deepEqual(batch.subarray(r * 6, r * 6 + 6), row(source, (10 + r) % 13));
  }
});

test('a batch inside one block of the pool, or one unbroken run of dataset rows, is a view holding the same rows; others are not', () => {
  const generated = new RowSource({ source: 'generate', dtype: 'float32', rowShape: [784], distribution: uniform, seed: 4 }, new Map());
  for (const [first, count] of [[0, 256], [512, 64], [1024 + 192, 64]] as const) {
    const view = generated.view(first, count, 1_000_000)!;
    assert.ok(view, `rows ${first}+${count}`);
    for (let r = 0; r < count; r++) assert.deepEqual(view.subarray(r * 784, (r + 1) * 784), row(generated, first + r));
  }
  assert.equal(generated.view(200, 100, 1_000_000), null, 'crosses a block boundary');
  assert.equal(generated.view(0, 256, 200), null, 'wraps at the row count');
  // Blocks start at offsets of their own: the next block does not continue this one.
  const pool = new Pool(uniform, 'float32', 4, 784);
  assert.equal(pool.blockRows, 256);
  assert.equal(pool.offset(255), pool.offset(0) + 255 * 784);
  assert.notEqual(pool.offset(256), pool.offset(255) + 784);
  const values = Float32Array.from({ length: 10 * 3 }, (_, i) => i);
  const data = new RowSource({ source: 'dataset', dtype: 'float32', rowShape: [3], dataset: 'd' }, new Map<string, Dataset>([['d', { dtype: 'float32', rowShape: [3], rowLen: 3, rows: 10, values }]]));
  assert.deepEqual(Array.from(data.view(12, 4, 100) as Float32Array), [6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]);
  assert.equal(data.view(8, 4, 100), null, 'runs past the last dataset row');
});

test('a pool of few rows still has blocks at several offsets: a block is at most half the pool', () => {
  const big = new Pool(uniform, 'float32', 3, 100_000);
  assert.ok(big.blockRows * 100_000 * 2 <= big.values.length);
  const offsets = new Set(Array.from({ length: 20 }, (_, b) => big.offset(b * big.blockRows)));
  assert.ok(offsets.size > 10);
});
