// End to end: a generated dataset with planted PII and poison is scanned; each detector and
// indicator must find what was planted (recall) and little else (precision), and the clean
// dataset of the same shape must produce no finding at all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { Finding } from '../../shared/findings.ts';
import { findRule } from '../../shared/rules/catalogue.ts';
import { datasetExitCode, LabelNotFoundError, renderDatasetJson, scanDataset, type DatasetReport } from '../../main/core/dataset/index.ts';
import { generateTabular, toCsv, type Tabular } from './fixtures/tabular.ts';

let dir: string;
let poisoned: Tabular;
let report: DatasetReport;
let clean: DatasetReport;
let csvText: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'assay-dataset-'));
  poisoned = generateTabular({ rows: 2000, seed: 7 });
  csvText = toCsv(poisoned);
  await writeFile(join(dir, 'poisoned.csv'), csvText);
  await writeFile(join(dir, 'clean.csv'), toCsv(generateTabular({ rows: 2000, seed: 7, pii: false, poison: false })));
  report = await scanDataset(join(dir, 'poisoned.csv'));
  clean = await scanDataset(join(dir, 'clean.csv'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function rowsOf(findings: readonly Finding[]): Set<number> {
  return new Set(findings.flatMap((f) => f.location.rows ?? []));
}

function score(found: Set<number>, truth: Set<number>, alsoRight: Set<number> = new Set()): { recall: number; precision: number } {
  const hit = [...truth].filter((r) => found.has(r)).length;
  const right = [...found].filter((r) => truth.has(r) || alsoRight.has(r)).length;
  return { recall: truth.size === 0 ? 1 : hit / truth.size, precision: found.size === 0 ? 1 : right / found.size };
}

test('a clean generated dataset of the same shape produces no finding', () => {
  assert.deepEqual(clean.findings.map((f) => `${f.ruleId}: ${f.message}`), []);
  assert.equal(clean.dataset.rowCount, 2000);
  assert.equal(clean.pii.length, 0);
});

test('every planted PII kind in free text is found with full recall and precision, look-alikes are not', () => {
  const notes = report.findings.filter((f) => f.location.field === 'notes' && f.checklist.includes('P03'));
  const allPlanted = new Set([...poisoned.truth.notesPii.values()].flatMap((s) => [...s]));
  for (const [detector, planted] of poisoned.truth.notesPii) {
    const found = rowsOf(notes.filter((f) => f.evidence?.detector === detector));
    const { recall, precision } = score(found, planted);
    assert.ok(recall >= 0.95, `${detector}: recall ${recall.toFixed(2)} (${found.size} found of ${planted.size})`);
    assert.ok(precision >= 0.95, `${detector}: precision ${precision.toFixed(2)}`);
  }
  // No row holding only a look-alike is reported by any PII detector.
  const flagged = rowsOf(notes);
  const falseAlarms = [...poisoned.truth.lookAlikeRows].filter((r) => flagged.has(r) && !allPlanted.has(r));
  assert.deepEqual(falseAlarms, []);
  const card = report.pii.find((p) => p.column === 'notes' && p.detector === 'payment-card')!;
  assert.ok(card.rejectedLookAlikes > 0, 'look-alikes are counted as rejected');
});

test('PII columns are reported per column with counts, confidence and masked samples only', () => {
  const byCol = (c: string, d: string) => report.pii.find((p) => p.column === c && p.detector === d);
  const rows = poisoned.rows.length;
  assert.equal(byCol('email', 'email')?.rows, rows);
  assert.equal(byCol('phone', 'phone')?.rows, rows);
  assert.equal(byCol('name', 'person-name')?.rows, rows, 'names from many cultures in a name column are all found');
  for (const p of report.pii) {
    assert.ok(p.confidence > 0 && p.confidence <= 1);
    assert.ok(p.samples.length > 0);
  }
  // No raw planted value appears anywhere in the report: findings, samples, examples.
  const json = JSON.stringify(report);
  for (const row of poisoned.rows.slice(0, 300)) {
    for (const col of [1, 2, 3]) assert.ok(!json.includes(row[col]!), `raw value of column ${col} leaked`);
  }
  for (const r of poisoned.truth.notesPii.get('payment-card') ?? []) {
    const number = /\d[\d ]{12,}\d/.exec(poisoned.rows[r]![9]!)![0];
    assert.ok(!json.includes(number) && !json.includes(number.replace(/ /g, '')), 'card number leaked');
  }
  const email = report.dataset.columns.find((c) => c.name === 'email')!;
  assert.ok(email.examples.every((e) => e.includes('•')), 'examples of a PII column are masked');
});

test('label-flipped duplicates and near duplicates are found with their rows', () => {
  const dup = report.findings.find((f) => f.ruleId === 'dataset.label-conflict-duplicates');
  assert.ok(dup, 'duplicates finding');
  const { recall: dr } = score(rowsOf([dup]), poisoned.truth.flippedDuplicates);
  assert.equal(dr, 1);
  // Every reported row is a planted copy or the original it copies.
  assert.equal(rowsOf([dup]).size, poisoned.truth.flippedDuplicates.size * 2);
  const near = report.findings.find((f) => f.ruleId === 'dataset.near-duplicate-mixed-labels');
  assert.ok(near, 'near-duplicate finding');
  const { recall: nr } = score(rowsOf([near]), poisoned.truth.nearDuplicates);
  assert.ok(nr >= 0.8, `near-duplicate recall ${nr}`);
  assert.equal(rowsOf([near]).size, [...rowsOf([near])].filter((r) => poisoned.truth.nearDuplicates.has(r) || r < 2000).length);
});

test('the planted trigger token is the top trigger candidate, tied to its label', () => {
  const triggers = report.findings.filter((f) => f.ruleId === 'dataset.trigger-candidate');
  assert.ok(triggers.length >= 1);
  const top = triggers[0]!;
  assert.equal(top.evidence?.token, poisoned.truth.trigger.token);
  assert.equal(top.evidence?.label, poisoned.truth.trigger.label);
  assert.equal(top.severity, 'high');
  const { recall, precision } = score(rowsOf([top]), poisoned.truth.trigger.rows);
  assert.equal(recall, 1);
  assert.equal(precision, 1);
  // Opinion words lean to a label in this data but are not flagged as triggers.
  assert.equal(triggers.length, 1, triggers.map((t) => t.message).join('\n'));
});

test('invisible, bidirectional and homoglyph characters are found in the rows they were planted in', () => {
  const zw = report.findings.find((f) => f.ruleId === 'dataset.invisible-characters')!;
  const expected = new Set(poisoned.rows.map((r, i) => (r[10]!.includes('\u200b') ? i : -1)).filter((i) => i >= 0));
  assert.deepEqual(rowsOf([zw]), expected);
  assert.ok([...poisoned.truth.zeroWidth].every((r) => expected.has(r)));
  assert.deepEqual(rowsOf(report.findings.filter((f) => f.ruleId === 'dataset.bidi-control')), poisoned.truth.bidi);
  assert.deepEqual(rowsOf(report.findings.filter((f) => f.ruleId === 'dataset.confusable-homoglyphs')), poisoned.truth.homoglyph);
});

test('numeric outliers and flipped labels in feature space are found', () => {
  const out = report.findings.find((f) => f.ruleId === 'dataset.numeric-outliers' && f.location.field === 'income');
  assert.ok(out);
  const o = score(rowsOf([out]), poisoned.truth.incomeOutliers);
  assert.equal(o.recall, 1);
  assert.equal(o.precision, 1);
  const knn = report.findings.find((f) => f.ruleId === 'dataset.knn-label-disagreement');
  assert.ok(knn);
  // Copies with a flipped label are flips too.
  const k = score(rowsOf([knn]), poisoned.truth.knnFlips, new Set([...poisoned.truth.flippedDuplicates, ...poisoned.truth.nearDuplicates]));
  assert.ok(k.recall >= 0.9, `knn recall ${k.recall}`);
  assert.ok(k.precision >= 0.9, `knn precision ${k.precision}`);
  assert.ok(report.charts.outlierScores && report.charts.outlierScores.bins.reduce((s, b) => s + b.count, 0) === poisoned.rows.length);
});

test('schema: types, roles, null rates, distinct counts, label guessed and shown', () => {
  const col = (n: string) => report.dataset.columns.find((c) => c.name === n)!;
  assert.equal(report.dataset.label.name, 'label');
  assert.equal(report.dataset.label.guessed, true);
  assert.equal(col('label').role, 'label');
  assert.equal(col('id').role, 'id');
  assert.equal(col('age').type, 'integer');
  assert.equal(col('x1').type, 'number');
  assert.equal(col('review').type, 'text');
  assert.equal(col('label').distinctCount, 2);
  assert.equal(col('city').nullRate, 0);
  assert.equal(report.dataset.rowCount, poisoned.rows.length);
  assert.equal(report.dataset.sha256, createHash('sha256').update(csvText).digest('hex'));
  assert.deepEqual(report.charts.labelDistribution.map((l) => l.label).sort(), ['negative', 'positive']);
  assert.equal(report.charts.labelDistribution.reduce((s, l) => s + l.count, 0), poisoned.rows.length);
});

test('every finding names a catalogued dataset rule with the checklist point it informs', () => {
  for (const f of report.findings) {
    const rule = findRule(f.ruleId);
    assert.ok(rule && rule.domain === 'dataset', f.ruleId);
    if (f.ruleId.startsWith('dataset.pii-') || f.ruleId.startsWith('dataset.secret-')) assert.deepEqual(f.checklist, ['P03']);
    else if (['dataset.trigger-candidate', 'dataset.label-conflict-duplicates', 'dataset.knn-label-disagreement'].includes(f.ruleId)) assert.deepEqual(f.checklist, ['P02']);
  }
});

test('the CLI document has the documented shape and the exit code follows the highest severity', () => {
  const doc = JSON.parse(renderDatasetJson(report)) as { dataset: Record<string, unknown>; findings: Array<Record<string, unknown>> };
  assert.equal(doc.dataset.rowCount, poisoned.rows.length);
  assert.ok(Array.isArray(doc.dataset.columns));
  for (const f of doc.findings) {
    assert.deepEqual(Object.keys(f).sort(), ['checklist', 'column', 'message', 'rows', 'ruleId', 'severity']);
    assert.ok((f.rows as number[]).every((r) => Number.isInteger(r) && r >= 0 && r < poisoned.rows.length));
  }
  assert.equal(datasetExitCode(report), 1);
  assert.equal(datasetExitCode(clean), 0);
});

test('a label chosen by the auditor is used; an unknown one is refused', async () => {
  const r = await scanDataset(join(dir, 'clean.csv'), { label: 'city' });
  assert.equal(r.dataset.label.name, 'city');
  assert.equal(r.dataset.label.guessed, false);
  assert.equal(r.charts.labelDistribution.length, 6);
  await assert.rejects(scanDataset(join(dir, 'clean.csv'), { label: 'no-such-column' }), LabelNotFoundError);
});

test('progress reports bytes up to the file size; a cancelled scan rejects', async () => {
  const seen: Array<[number, number]> = [];
  await scanDataset(join(dir, 'clean.csv'), { onProgress: (d, t) => seen.push([d, t]) });
  assert.ok(seen.length > 0);
  const last = seen[seen.length - 1]!;
  assert.equal(last[0], last[1]);
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(scanDataset(join(dir, 'poisoned.csv'), { signal: ac.signal }));
});

test('a file that is not a dataset becomes an unreadable finding, not an exception', async () => {
  const path = join(dir, 'model.bin');
  await writeFile(path, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...new Array(60).fill(0)]));
  const r = await scanDataset(path);
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0]!.ruleId, 'dataset.unreadable');
  assert.equal(r.dataset.rowCount, 0);
});

test('a CSV read in two halves on two threads gives the same report as one pass', async () => {
  const par = await scanDataset(join(dir, 'poisoned.csv'), { limits: { parallelMinBytes: 0 } });
  assert.match(par.dataset.formatDetail, /two parts/, 'the parallel path ran');
  assert.doesNotMatch(report.dataset.formatDetail, /two parts/);
  const key = (r: DatasetReport) => r.findings.map((f) => `${f.ruleId}|${f.location.field}|${JSON.stringify(f.location.rows)}|${f.message}`).sort();
  assert.deepEqual(key(par), key(report));
  assert.equal(par.dataset.sha256, report.dataset.sha256);
  assert.equal(par.dataset.rowCount, report.dataset.rowCount);
  assert.deepEqual(par.dataset.columns.map((c) => [c.name, c.type, c.nullCount, c.distinctCount, c.role]), report.dataset.columns.map((c) => [c.name, c.type, c.nullCount, c.distinctCount, c.role]));
  assert.deepEqual(par.charts.labelDistribution, report.charts.labelDistribution);
});

test('a file with a stray quote is not split (quote parity cannot be trusted) and still scans', async () => {
  const { findSplit } = await import('../../main/core/dataset/read/split.ts');
  const path = join(dir, 'stray.csv');
  await writeFile(path, `a,b\n${'x,1\n'.repeat(50)}5" screen,2\n${'y,3\n'.repeat(50)}`);
  assert.equal(await findSplit(path, ',', (await import('node:fs')).statSync(path).size), null);
  const good = join(dir, 'good.csv');
  await writeFile(good, `a,b\n${'"x, with comma",1\n'.repeat(100)}`);
  const size = (await import('node:fs')).statSync(good).size;
  const at = (await findSplit(good, ',', size))!;
  const text = (await import('node:fs')).readFileSync(good, 'utf8');
  assert.equal(text[at - 1], '\n');
  assert.ok(text.slice(at).startsWith('"x, with comma",1'));
  const r = await scanDataset(path, { limits: { parallelMinBytes: 0 } });
  assert.equal(r.dataset.rowCount, 101);
});
