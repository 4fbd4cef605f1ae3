// The shortcuts taken for speed give the same answers as the long way round: the PII scanner's
// plain-text skip and the person-name capital check, merging parts of a parallel scan in bulk,
// the nearest-neighbour indicator computed apart (on the worker), and a range read unhashed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cellFeatures } from '../../main/core/dataset/pii/features.ts';
import { capitalAfterFirst } from '../../main/core/dataset/pii/names.ts';
import { PiiScanner } from '../../main/core/dataset/pii/scanner.ts';
import { FeatureStore, featureView } from '../../main/core/dataset/poison/feature-store.ts';
import { NearDuplicateIndex } from '../../main/core/dataset/poison/minhash.ts';
import { analyseKnn, analyseMultivariate, analyseNumeric } from '../../main/core/dataset/poison/numeric.ts';
import { readFileChunks } from '../../main/core/dataset/read/file-chunks.ts';
import { seededRandom } from '../../shared/seeded-random.ts';

const PLAIN = ['springfield', 'positive', 'order shipped on time', 'customer asked about delivery options', 'a quiet film with a slow ending', 'abcdefghijklmno'];

test('no detector gate opens on plain lower-case text without digits in an ordinary column', () => {
  const s = new PiiScanner();
  const col = s.columnHints({ name: 'notes' });
  for (const text of PLAIN) {
    const f = cellFeatures(text);
    for (const d of s.detectors) assert.equal(d.gate(f, col), false, `${d.id} gate opens on "${text}"`);
    assert.deepEqual(s.scan(text, col), []);
  }
});

test('plain lower-case text is still scanned where the column opens a detector on its own', () => {
  const s = new PiiScanner();
  const password = s.scan('correcthorsebattery', s.columnHints({ name: 'password' }));
  assert.deepEqual(password.map((m) => m.detector), ['password-field']);
  // Benign neighbour: the same value in an ordinary column is nothing.
  assert.deepEqual(s.scan('correcthorsebattery', s.columnHints({ name: 'notes' })), []);
});

test('person names need a capital after the first character; the skipped-value count is kept', () => {
  assert.equal(capitalAfterFirst('Film was quite moving.'), false);
  assert.equal(capitalAfterFirst('my name is John'), true);
  assert.equal(capitalAfterFirst('un café'), true); // not ASCII: may be a capital of another script
  const s = new PiiScanner({ nlpCalls: 0 });
  const col = s.columnHints({ name: 'notes' });
  assert.deepEqual(s.scan('thanks, signed Jane Porter', col).map((m) => m.detector), ['person-name']);
  assert.deepEqual(s.scan('Dr. Alan Moore reviewed the claim', col).map((m) => m.detector), ['person-name']);
  assert.deepEqual(s.scan('Only the first word is capitalised here', col), []);
  assert.deepEqual(s.scan('Film was quite moving', col), []);
  assert.deepEqual(s.scan('Hi there', col), []);
  // The two longer values without a named person are counted as not sent to language analysis
  // (as they were before the capital check); the short one never would have been sent.
  assert.equal(s.nlpBudget.skipped, 2);
});

function store(n: number, from: number, seed: number): FeatureStore {
  const rnd = seededRandom(seed);
  const s = new FeatureStore(3);
  for (let i = 0; i < n; i++) {
    const label = (i + from) % 2;
    s.add([rnd() + label * 3, rnd() - label * 3, rnd()], from + i, i % 97 === 5 ? 1 - label : label);
  }
  return s;
}

test('a feature store absorbed in bulk equals one that saw every row', () => {
  const a = store(3000, 0, 1);
  const b = store(2000, 0, 2);
  const whole = store(3000, 0, 1);
  const bState = b.exportState();
  for (let i = 0; i < bState.n; i++) whole.add(Array.from(bState.values.subarray(i * 3, i * 3 + 3)), bState.rows[i]! + 3000, bState.labels[i]!);
  a.absorb(bState, 3000, (l) => l);
  assert.equal(a.n, whole.n);
  assert.equal(a.seen, whole.seen);
  assert.deepEqual(a.exportState(), whole.exportState());
});

test('the nearest-neighbour indicator computed apart equals the one computed with the others', () => {
  const s = store(4000, 0, 7);
  const together = analyseNumeric(s, ['a', 'b', 'c'], true);
  const apart = analyseKnn(featureView(3, structuredClone(s.exportState())), true);
  assert.ok(together.knn && together.knn.rows.length > 0, 'flipped labels are found');
  assert.deepEqual(apart, together.knn);
  assert.equal(analyseNumeric(s, ['a', 'b', 'c'], true, { knn: false }).knn, null);
  assert.equal(analyseKnn(featureView(3, s.exportState()), false), null);
});

test('the forest and neighbour indicators computed on another thread equal those computed with the others', () => {
  const s = store(4000, 0, 7);
  const together = analyseNumeric(s, ['a', 'b', 'c'], true);
  const columnsOnly = analyseNumeric(s, ['a', 'b', 'c'], true, { forest: false });
  const apart = analyseMultivariate(featureView(3, structuredClone(s.exportState())), true);
  assert.ok(together.forest && together.knn && together.knn.rows.length > 0);
  assert.deepEqual(apart, { forest: together.forest, knn: together.knn });
  assert.deepEqual(columnsOnly.columns, together.columns);
  assert.equal(columnsOnly.forest, null);
  assert.equal(columnsOnly.knn, null);
});

test('a near-duplicate index absorbed in bulk finds the same clusters as one index', () => {
  const texts = Array.from({ length: 400 }, (_, i) => `review number ${i % 150} of the quiet film about the river and the winter train`);
  const one = new NearDuplicateIndex();
  const first = new NearDuplicateIndex();
  const second = new NearDuplicateIndex();
  texts.forEach((t, i) => { one.add(t, i, i % 150); (i < 250 ? first : second).add(t, i < 250 ? i : i - 250, i % 150); });
  first.absorb(second.exportState(), 250);
  const label = (row: number) => row % 3;
  assert.deepEqual(first.finish(label), one.finish(label));
});

test('a range can be read without hashing; hashing ranges in turn gives the whole digest', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'assay-chunks-'));
  try {
    const path = join(dir, 'f.bin');
    const data = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    await writeFile(path, data);
    const part = await readFileChunks(path, {}, { start: 1000, end: data.length, noHash: true });
    let bytes = 0;
    for await (const c of part.chunks) bytes += c.length;
    assert.equal(bytes, data.length - 1000);
    assert.equal(part.digest(), '');
    const hash = createHash('sha256');
    for (const [start, end] of [[0, 1000], [1000, data.length]] as const) {
      const r = await readFileChunks(path, {}, { start, end, hash });
      for await (const c of r.chunks) void c;
    }
    assert.equal(hash.digest('hex'), createHash('sha256').update(data).digest('hex'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the k-d tree finds exactly the nearest rows a full search finds', async () => {
  const { KdTree } = await import('../../main/core/dataset/poison/knn.ts');
  const n = 3000;
  const dims = 3;
  const random = seededRandom(11);
  // Values on a coarse grid, so equal coordinates (and ties in distance) occur.
  const data = Float64Array.from({ length: n * dims }, () => Math.round(random() * 40) / 4);
  const points = data.slice();
  const tree = new KdTree(data, n, dims); // reorders `data` in place
  const dist = (a: number, b: number) => { let s = 0; for (let d = 0; d < dims; d++) s += (points[a * dims + d]! - points[b * dims + d]!) ** 2; return s; };
  for (let q = 0; q < n; q += 97) {
    const got = [...tree.nearest(q, 8)].map((i) => dist(q, i));
    const want = Array.from({ length: n }, (_, i) => i).filter((i) => i !== q).map((i) => dist(q, i)).sort((a, b) => a - b).slice(0, 8);
    assert.deepEqual(got, want, `row ${q}`);
  }
});

test('the scanner answers whether a value is ASCII from its last scan, and by a search otherwise', () => {
  const scanner = new PiiScanner();
  const col = scanner.columnHints({ name: 'notes' });
  scanner.scan('order shipped on time', col);
  assert.equal(scanner.hasNonAscii('order shipped on time'), false);
  assert.equal(scanner.hasNonAscii('café au lait'), true, 'not the value just scanned');
  scanner.scan('zero\u200bwidth joiner here', col);
  assert.equal(scanner.hasNonAscii('zero\u200bwidth joiner here'), true);
  assert.equal(scanner.hasNonAscii('ok'), false);
  scanner.scan('ok', col); // too short to be scanned: answered by the search
  assert.equal(scanner.hasNonAscii('ok'), false);
  assert.equal(scanner.hasNonAscii('é'), true);
});

test('forest scores computed tree by tree equal the scores of each row computed alone', async () => {
  const { IsolationForest } = await import('../../main/core/dataset/poison/isolation-forest.ts');
  const random = seededRandom(5);
  const n = 2000;
  const data = Float64Array.from({ length: n * 2 }, (_, i) => (i === 40 || i === 41 ? 12 : random() * 2 - 1)); // row 20 far out
  const forest = new IsolationForest(data, n, 2, { trees: 50, sampleSize: 128, seed: 3 });
  const all = forest.scoreAll(10, 0.6);
  for (let r = 0; r < n; r++) {
    const quick = forest.score(r, 10);
    assert.equal(all[r], quick >= 0.6 ? forest.score(r) : quick, `row ${r}`);
  }
  assert.ok(all[20]! > 0.6, 'the far row is refined and scores high');
});
