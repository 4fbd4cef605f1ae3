// Image folders: a patch stamped on part of one class, the same picture in several classes, a
// decompression-bomb header and a fake image are found; a clean folder gives no finding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanDataset, type DatasetReport } from '../../main/core/dataset/index.ts';
import { imageFolder, type ImageTruth } from './fixtures/images.ts';

let dir: string;
let truth: ImageTruth;
let poisoned: DatasetReport;
let clean: DatasetReport;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'assay-images-'));
  truth = await imageFolder(join(dir, 'poisoned'), { perClass: 24, poison: true });
  await imageFolder(join(dir, 'clean'), { perClass: 24, poison: false, seed: 8 });
  poisoned = await scanDataset(join(dir, 'poisoned'));
  clean = await scanDataset(join(dir, 'clean'));
});
after(async () => { await rm(dir, { recursive: true, force: true }); });

const files = (r: DatasetReport, rows: readonly number[] | undefined) => (rows ?? []).map((i) => r.dataset.files![i]!.path).sort();

test('a clean image folder gives no finding, with classes and digests recorded', () => {
  assert.deepEqual(clean.findings.map((f) => f.message), []);
  assert.equal(clean.dataset.format, 'image-folder');
  assert.equal(clean.dataset.rowCount, 72);
  assert.deepEqual(clean.charts.labelDistribution.map((l) => [l.label, l.count]).sort(), [['bird', 24], ['cat', 24], ['dog', 24]]);
  assert.ok(clean.dataset.files!.every((f) => /^[0-9a-f]{64}$/.test(f.sha256)));
});

test('a patch stamped on part of one class is found, with exactly the stamped files', () => {
  const f = poisoned.findings.filter((x) => x.ruleId === 'dataset.image-patch-trigger');
  assert.equal(f.length, 1, f.map((x) => x.message).join('\n'));
  assert.equal(f[0]!.evidence?.class, 'dog');
  assert.deepEqual(files(poisoned, f[0]!.location.rows), [...truth.patched].sort());
  assert.equal(f[0]!.severity, 'high');
});

test('the same picture in several classes is found, byte-identical or re-encoded', () => {
  const f = poisoned.findings.find((x) => x.ruleId === 'dataset.image-duplicates-across-classes');
  assert.ok(f);
  assert.deepEqual(files(poisoned, f.location.rows), [...truth.duplicates].sort());
});

test('a decompression-bomb header is refused before decoding, and a fake image is reported', () => {
  const f = poisoned.findings.find((x) => x.ruleId === 'dataset.image-undecodable');
  assert.ok(f);
  assert.deepEqual(files(poisoned, f.location.rows), [truth.bomb!, truth.fake!].sort());
  assert.equal(f.evidence?.overPixelLimit, 1);
  assert.match(f.message, /pixel limit/);
});
