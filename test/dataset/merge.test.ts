// A table read in two parts and merged must report what one pass reports: distinct counts,
// duplicate groups, and a part's state moved between threads instead of copied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ColumnProfiler } from '../../main/core/dataset/profile/column-profile.ts';
import { DistinctSet, hashPair } from '../../main/core/dataset/profile/distinct-set.ts';
import { DuplicateTable } from '../../main/core/dataset/poison/duplicates.ts';
import { NearDuplicateIndex } from '../../main/core/dataset/poison/minhash.ts';
import { decideRoles } from '../../main/core/dataset/profile/roles.ts';
import { TableAnalysis } from '../../main/core/dataset/table-analysis.ts';
import { DEFAULT_DATASET_LIMITS } from '../../main/core/dataset/types.ts';
import { fmix32 } from '../../shared/seeded-random.ts';
import { generateTabular } from './fixtures/tabular.ts';

function profile(values: readonly string[], splitAt?: number): ReturnType<ColumnProfiler['finish']> {
  const a = new ColumnProfiler('c', 0);
  if (splitAt === undefined) {
    for (const v of values) a.observe(v, null);
    return a.finish();
  }
  const b = new ColumnProfiler('c', 0);
  values.slice(0, splitAt).forEach((v) => a.observe(v, null));
  values.slice(splitAt).forEach((v) => b.observe(v, null));
  a.absorb(structuredClone(b.exportState()));
  return a.finish();
}

test('exact distinct counts tell apart long values that share their first 64 characters', () => {
  const head = 'x'.repeat(64);
  const values = [`${head}a`, `${head}b`, `${head}a`, `${head}ab`, 'short', 'short', ''];
  const p = profile(values);
  assert.equal(p.distinctCount, 4);
  assert.equal(p.distinctApprox, false);
});

test('distinct counts are the same whether a column is read whole or in two merged parts', () => {
  const few = Array.from({ length: 30_000 }, (_, i) => `city ${i % 700}`);
  const many = Array.from({ length: 30_000 }, (_, i) => `value-${(i * 7919) % 25_000}`);
  for (const values of [few, many]) {
    const whole = profile(values);
    for (const at of [1, 9_000, 15_000, 29_999]) {
      const merged = profile(values, at);
      assert.equal(merged.distinctCount, whole.distinctCount, `split at ${at}`);
      assert.equal(merged.distinctApprox, whole.distinctApprox);
    }
  }
  assert.equal(profile(few).distinctCount, 700);
  assert.equal(profile(few).distinctApprox, false);
  const estimate = profile(many).distinctCount;
  assert.equal(profile(many).distinctApprox, true);
  assert.ok(Math.abs(estimate - 25_000) / 25_000 < 0.03, `estimate ${estimate}`);
});

test('the distinct key set keeps every key once, including the one equal to a free slot', () => {
  const s = new DistinctSet(4);
  const pair = new Uint32Array(2);
  for (let i = 0; i < 5000; i++) { hashPair(`v${i % 1234}`, pair); s.add(pair[0]!, pair[1]!); }
  s.add(0, 0);
  s.add(0, 0);
  assert.equal(s.size, 1235);
  assert.equal(s.pairs().length, 1235 * 2);
});

test('duplicate tables merged in one step group rows as one table does', () => {
  const one = new DuplicateTable();
  const a = new DuplicateTable();
  const b = new DuplicateTable();
  const n = 200_000; // enough distinct keys that the merge must grow the table several times
  const label = (row: number) => (row % 3 === 0 ? 1 : 0);
  for (let row = 0; row < n; row++) {
    const k = row % 70_001;
    (row < n / 2 ? a : b).add(fmix32(k), k, row < n / 2 ? row : row - n / 2, label(row));
    one.add(fmix32(k), k, row, label(row));
  }
  a.absorb(structuredClone(b.exportState()), n / 2, (r) => label(r + n / 2));
  const sorted = (t: DuplicateTable) => t.finish(label).groups.map((g) => [...g.rows].sort((x, y) => x - y).join(',')).sort();
  assert.deepEqual(sorted(a), sorted(one));
  assert.ok(sorted(one).length > 0);
});

test('a part\'s state moved to another thread (transferred, not copied) merges as a copy does', () => {
  const t = generateTabular({ rows: 3000, seed: 7 });
  const roles = decideRoles(t.header, t.rows.slice(0, 500), undefined);
  const part = (rows: string[][]) => {
    const a = new TableAnalysis(DEFAULT_DATASET_LIMITS, undefined, {});
    a.presetRoles(t.header, roles);
    rows.forEach((r, i) => a.row(r, i));
    return a;
  };
  const merged = (moved: boolean) => {
    const first = part(t.rows.slice(0, 1500));
    const state = part(t.rows.slice(1500)).exportState();
    const transfer = moved ? TableAnalysis.transferables(state) : [];
    const arrived = structuredClone(state, { transfer });
    if (moved) assert.equal(state.nearDuplicates.sigs.length, 0, 'the sender no longer holds the moved arrays');
    first.absorb(arrived, 1500);
    return first;
  };
  const summary = (a: TableAnalysis) => JSON.stringify({
    near: a.nearDuplicateClusters().clusters.map((c) => c.rows),
    triggers: a.triggerCandidates().map((c) => [c.text, c.rows]),
    pii: a.tally.summaries(a.names).map((s) => [s.column, s.detector, s.count]),
    distinct: a.profilers.map((p) => p.finish().distinctCount),
  });
  assert.equal(summary(merged(true)), summary(merged(false)));
  assert.ok(merged(true).triggerCandidates().some((c) => c.text === 'zq'));
});

test('a near-duplicate index sized in advance finds the clusters an index grown row by row finds', () => {
  const texts = Array.from({ length: 3000 }, (_, i) => `the ${['quiet', 'loud', 'dark'][i % 3]} film number ${i % 700} was shown late on a winter night in the city`);
  const build = (reserve: number) => {
    const ix = new NearDuplicateIndex();
    ix.reserve(reserve);
    texts.forEach((t, row) => ix.add(t, row, row % 700));
    return ix.finish((row) => row % 2).clusters.map((c) => c.rows.join(','));
  };
  const grown = build(0);
  assert.ok(grown.length > 0);
  assert.deepEqual(build(5000), grown);
  assert.deepEqual(build(1000), grown);
});

test('a near-duplicate index of three absorbed parts, then more rows, equals one index', () => {
  const texts = Array.from({ length: 2400 }, (_, i) => `a ${['calm', 'bright', 'slow'][i % 3]} story about ${i % 500} rivers and one long summer by the sea`);
  const label = (row: number) => (row % 5 === 0 ? 1 : 0);
  const one = new NearDuplicateIndex();
  texts.forEach((t, row) => one.add(t, row, row % 500));
  const parts = [0, 600, 1300, 2000].map((from, k, all) => {
    const ix = new NearDuplicateIndex();
    texts.slice(from, all[k + 1] ?? 2400).forEach((t, j) => ix.add(t, j, (from + j) % 500));
    return { ix, from };
  });
  const merged = parts[0]!.ix;
  merged.absorb(structuredClone(parts[1]!.ix.exportState()), 600);
  merged.absorb(structuredClone(parts[2]!.ix.exportState()), 1300);
  texts.slice(2000).forEach((t, j) => merged.add(t, 2000 + j, (2000 + j) % 500)); // rows after the absorbed parts
  const clusters = (ix: NearDuplicateIndex) => ix.finish(label).clusters.map((c) => c.rows.join(','));
  assert.ok(clusters(one).length > 0);
  assert.deepEqual(clusters(merged), clusters(one));
  assert.equal(merged.size, 2400);
});
