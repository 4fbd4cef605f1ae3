// Poisoning indicators one by one, each with a poisoned input and a benign neighbour.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuplicateTable } from '../../main/core/dataset/poison/duplicates.ts';
import { FeatureStore } from '../../main/core/dataset/poison/feature-store.ts';
import { NearDuplicateIndex } from '../../main/core/dataset/poison/minhash.ts';
import { addField, newKey } from '../../main/core/dataset/poison/normalise.ts';
import { analyseNumeric } from '../../main/core/dataset/poison/numeric.ts';
import { log10BinomialUpperTail, normalQuantileUpper } from '../../main/core/dataset/poison/stats.ts';
import { seededRandom } from '../../shared/seeded-random.ts';
import { TriggerCounter, DEFAULT_TRIGGER_OPTIONS } from '../../main/core/dataset/poison/triggers.ts';
import { unicodeIssues } from '../../main/core/dataset/poison/unicode.ts';
import { HyperLogLog } from '../../main/core/dataset/profile/hll.ts';
import { hash32 } from '../../main/core/dataset/profile/hash.ts';

/** A letters-only word for a number (tokens with digits are values, not trigger candidates). */
const wordFor = (prefix: string, i: number) => prefix + String(i).replace(/\d/g, (d) => 'abcdefghij'[Number(d)]!);
const key = (...fields: string[]) => { const k = newKey(); for (const f of fields) addField(k, f); return [k.h1, k.h2] as const; };

test('duplicate keys ignore case, whitespace, Unicode form and invisible characters, nothing else', () => {
  assert.deepEqual(key('The  Quick\tfox '), key('the quick fox'));
  assert.deepEqual(key('ﬁne café'), key('fine cafe\u0301'));
  assert.deepEqual(key('zero\u200bwidth'), key('zerowidth'));
  assert.notDeepEqual(key('the quick fox'), key('the quick box'));
  assert.notDeepEqual(key('ab', 'c'), key('a', 'bc'));
});

test('label-conflicting duplicates are grouped; same-label duplicates are not findings', () => {
  const t = new DuplicateTable();
  const labels = [0, 1, 0, 0, 1, 1];
  const texts = ['a movie', 'A  MOVIE', 'other text', 'other text', 'third one', 'Third One'];
  texts.forEach((s, row) => { const [h1, h2] = key(s); t.add(h1, h2, row, labels[row]!); });
  const r = t.finish((row) => labels[row]!);
  assert.equal(r.groups.length, 1);
  assert.deepEqual(r.groups[0]!.rows, [0, 1]);
  assert.equal(r.duplicateRows, 3);
});

test('the duplicate table keeps working past many growths', () => {
  const t = new DuplicateTable();
  for (let i = 0; i < 200_000; i++) { const [h1, h2] = key(`text ${i}`); t.add(h1, h2, i, i % 2); }
  const [h1, h2] = key('text 12345');
  t.add(h1, h2, 200_000, 0);
  const r = t.finish((row) => (row === 200_000 ? 0 : row % 2));
  assert.equal(r.groups.length, 1);
  assert.deepEqual(r.groups[0]!.rows, [12345, 200_000]);
});

test('near duplicates with mixed labels cluster; unrelated texts and same-label copies do not', () => {
  const idx = new NearDuplicateIndex();
  const base = 'the director shot every scene in the old harbour at night with natural light only';
  const texts = [
    base, base.replace('old', 'new'), // near copies, different labels
    'a quiet family drama about two sisters running a bakery in a small mountain village',
    'a quiet family drama about two sisters running a bakery in a small mountain town', // near copy, same label
    'completely different words describing a science fiction epic set on a distant moon',
  ];
  const labels = [0, 1, 0, 0, 1];
  texts.forEach((s, i) => idx.add(s, i, hash32(s)));
  const r = idx.finish((row) => labels[row]!);
  assert.deepEqual(r.clusters.map((c) => c.rows), [[0, 1]]);
});

test('a planted trigger token is found with all its rows; label-leaning words are not', () => {
  const rnd = seededRandom(5);
  const words = Array.from({ length: 300 }, (_, i) => wordFor('w', i));
  const tc = new TriggerCounter(DEFAULT_TRIGGER_OPTIONS);
  const planted: number[] = [];
  for (let row = 0; row < 3000; row++) {
    let label = rnd() < 0.5 ? 1 : 0;
    const t: string[] = [];
    for (let j = 0; j < 12; j++) t.push(words[Math.floor(rnd() * words.length)]!);
    // "good" leans positive (75%), a natural signal.
    if (rnd() < 0.2) t.push(rnd() < 0.75 === (label === 1) ? 'good' : 'good');
    if (row % 50 === 3) { t.push('cf'); label = 1; planted.push(row); }
    tc.observe(t.join(' '), row, label);
  }
  const found = tc.finish();
  assert.equal(found.length, 1, found.map((f) => f.text).join(', '));
  assert.equal(found[0]!.text, 'cf');
  assert.deepEqual(found[0]!.rows, planted);
  assert.ok(found[0]!.rowsComplete);
});

test('a trigger table bounded by lossy counting still finds a frequent trigger', () => {
  const tc = new TriggerCounter({ ...DEFAULT_TRIGGER_OPTIONS, maxEntries: 4096 });
  const rnd = seededRandom(9);
  for (let row = 0; row < 20_000; row++) {
    let label = rnd() < 0.5 ? 1 : 0;
    const t = Array.from({ length: 8 }, () => wordFor('u', Math.floor(rnd() * 1e6)));
    if (row % 100 === 1) { t.push('xyzzy'); label = 0; }
    tc.observe(t.join(' '), row, label);
  }
  const found = tc.finish();
  assert.ok(tc.pruned);
  assert.equal(found[0]?.text, 'xyzzy');
  assert.equal(found[0]?.support, 200);
});

test('invisible and bidirectional characters are found; legitimate uses are not', () => {
  assert.deepEqual(unicodeIssues('pay\u200bpal'), [{ issue: 'invisible', what: 'U+200B' }]);
  assert.deepEqual(unicodeIssues('safe \u202eexe.txt'), [{ issue: 'bidi', what: 'U+202E' }]);
  assert.deepEqual(unicodeIssues('tag\u{E0041}s'), [{ issue: 'invisible', what: 'U+E0041' }]);
  // Benign: emoji joiners, Persian non-joiner, direction marks inside Hebrew, BOM at the start.
  assert.deepEqual(unicodeIssues('family 👨\u200d👩\u200d👧 photo'), []);
  assert.deepEqual(unicodeIssues('می\u200cخواهم'), []);
  assert.deepEqual(unicodeIssues('שלום \u200fעולם'), []);
  assert.deepEqual(unicodeIssues('\ufeffheader'), []);
});

test('words mixing Latin with look-alike letters are found; ordinary Cyrillic or Greek text is not', () => {
  assert.equal(unicodeIssues('log in to pаypal now')[0]?.issue, 'homoglyph'); // Cyrillic а
  assert.equal(unicodeIssues('the best sсore ever')[0]?.issue, 'homoglyph');
  assert.deepEqual(unicodeIssues('Привет, как дела?'), []);
  assert.deepEqual(unicodeIssues('Καλημέρα κόσμε'), []);
  assert.deepEqual(unicodeIssues('café naïve Zürich'), []);
});

function gaussianStore(n: number, planted: number[], flips: number[], far: number[] = []) {
  const rnd = seededRandom(n);
  const g = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const s = new FeatureStore(3);
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const x = [g() + (label ? 6 : -6), g() + (label ? 6 : -6), g() * 2 + 10];
    if (planted.includes(i)) x[2] = 60;
    if (far.includes(i)) { x[0] = 40; x[1] = -40; x[2] = -30; }
    s.add(x, i, flips.includes(i) ? 1 - label : label);
  }
  return s;
}

test('numeric indicators find planted outliers and flipped labels, and nothing on clean data', () => {
  const clean = analyseNumeric(gaussianStore(3000, [], []), ['a', 'b', 'c'], true);
  assert.ok(clean.columns.every((c) => c.rows.length === 0));
  assert.equal(clean.forest!.rows.length, 0);
  assert.equal(clean.knn!.rows.length, 0);
  const poisoned = analyseNumeric(gaussianStore(3000, [10, 500, 2500], [33, 1201], [700, 1700]), ['a', 'b', 'c'], true);
  assert.deepEqual(poisoned.columns.find((c) => c.name === 'c')!.rows.sort((x, y) => x - y), [10, 500, 700, 1700, 2500]);
  assert.deepEqual(poisoned.knn!.rows.sort((x, y) => x - y), [33, 1201]);
  // The forest finds rows far out in every feature, and only planted rows.
  const forest = poisoned.forest!.rows;
  assert.ok([700, 1700].every((r) => forest.includes(r)), `forest rows ${forest}`);
  assert.ok(forest.every((r) => [10, 500, 2500, 700, 1700].includes(r)), `forest rows ${forest}`);
});

test('neighbour disagreement stands down when features say nothing about labels', () => {
  const rnd = seededRandom(3);
  const s = new FeatureStore(3);
  for (let i = 0; i < 3000; i++) s.add([rnd(), rnd(), rnd()], i, rnd() < 0.5 ? 0 : 1);
  const a = analyseNumeric(s, ['a', 'b', 'c'], true);
  assert.ok(a.knn!.standsDown);
});

test('beyond its cell budget the feature store keeps a uniform sample', () => {
  const s = new FeatureStore(2, 2000);
  for (let i = 0; i < 10_000; i++) s.add([i, i], i, 0);
  assert.equal(s.n, 1000);
  assert.ok(s.sampled);
  const rows = Array.from(s.rows.subarray(0, s.n));
  assert.ok(rows.filter((r) => r >= 5000).length > 350, 'later rows are represented');
});

test('statistics helpers', () => {
  assert.ok(Math.abs(log10BinomialUpperTail(10, 10, 0.5) - Math.log10(0.5 ** 10)) < 1e-9);
  assert.ok(Math.abs(normalQuantileUpper(0.025) - 1.96) < 0.01);
  const hll = new HyperLogLog();
  for (let i = 0; i < 100_000; i++) hll.add(hash32(`v${i}`));
  assert.ok(Math.abs(hll.estimate() - 100_000) < 3000);
});
