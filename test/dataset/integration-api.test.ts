// Dataset auditing wired into a case, through the API as every face calls it: a scan in a worker
// stores its report, findings (rows in location.rows), P01/P02/P03 evidence and a custody event;
// rows come back masked; reviews and the exclusion list are custody-logged; masked exports are
// new datasets linked to their source with both digests logged; provenance records feed the
// audit bundle without the pseudonym key.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ApiError } from '../../shared/api/errors.ts';
import type { DatasetDetail } from '../../shared/api/methods/dataset.ts';
import { createCore, type Core } from '../../main/core/create-core.ts';
import { DEMO_TRIGGER, demoTicketsCsv } from '../../main/core/demo/dataset-samples.ts';
import { DEMO_SAMPLES } from '../../main/core/demo/samples.ts';
import { listDatasetRecords } from '../../main/core/dataset/service/index.ts';
import { tempDir } from '../helpers/core.ts';
import { imageFolder } from './fixtures/images.ts';
import { generateTabular, toCsv } from './fixtures/tabular.ts';

let dir: { path: string; remove(): Promise<void> };
let core: Core;
let caseId: string;
let datasetId: string;
let scanned: DatasetDetail;
const csvPath = () => join(dir.path, 'support-tickets.csv');

/** Raw planted values that must never come back from the API unmasked. */
function plantedSecrets(csv: string): string[] {
  const notes = csv.split('\n').slice(1).map((l) => l.split(',')[7] ?? '');
  const out: string[] = [];
  for (const n of notes) {
    const card = /paid with card ([\d ]{19})/.exec(n);
    if (card) out.push(card[1]!);
    const iban = /refund to IBAN (DE[\d ]+)/.exec(n);
    if (iban) out.push(iban[1]!.trim());
    const key = /(AKIA[A-Z2-7]{16})/.exec(n);
    if (key) out.push(key[1]!);
  }
  return out;
}

before(async () => {
  dir = await tempDir('assay-ds-api-');
  core = createCore({ dataDir: join(dir.path, 'data'), defaultActor: 'test-auditor' });
  await writeFile(csvPath(), demoTicketsCsv());
  caseId = (await core.invoke('cases.create', { name: 'Datasets' })).id;
  const added = await core.invoke('artifacts.add', { caseId, paths: [csvPath()] });
  datasetId = added.added[0]!.id;
  scanned = await core.invoke('datasets.scan', { datasetId });
});
after(async () => {
  await core.close();
  await dir.remove();
});

test('the demo includes the poisoned dataset sample', () => {
  assert.ok(DEMO_SAMPLES.some((s) => s.name.includes('planted PII and poison')));
});

test('a dataset added to a case is listed, unscanned, with empty provenance', async () => {
  const c = await core.invoke('cases.create', { name: 'Listing' });
  const added = await core.invoke('artifacts.add', { caseId: c.id, paths: [csvPath()] });
  const list = await core.invoke('datasets.list', { caseId: c.id });
  assert.equal(list.length, 1);
  assert.equal(list[0]!.id, added.added[0]!.id);
  assert.equal(list[0]!.scan, null);
  assert.deepEqual(list[0]!.completeness, { filled: 0, total: 6, missing: ['source', 'licence', 'collector', 'labeller', 'collection dates', 'access notes'] });
});

test('a scan stores the report and the findings with their rows, and logs custody', async () => {
  const r = scanned.report!;
  assert.equal(r.dataset.rowCount, 606);
  assert.equal(r.dataset.name, 'support-tickets.csv');
  assert.equal(r.dataset.label.name, 'label');
  assert.deepEqual(new Set(r.pii.map((p) => `${p.column}/${p.detector}`)), new Set(['customer/person-name', 'email/email', 'phone/phone', 'notes/payment-card', 'notes/iban', 'notes/aws-access-key']));
  const trigger = scanned.findings.find((f) => f.ruleId === 'dataset.trigger-candidate');
  assert.ok(trigger, 'the trigger token is a finding');
  assert.equal(trigger.location.field, 'text');
  assert.deepEqual(trigger.location.rows, Array.from({ length: 24 }, (_, k) => 3 + 25 * k));
  assert.deepEqual(trigger.checklist, ['P02']);
  const card = scanned.findings.find((f) => f.ruleId === 'dataset.pii-payment-card')!;
  assert.deepEqual(card.checklist, ['P03']);
  const lines = demoTicketsCsv().trim().split('\n').slice(1);
  const planted = lines.flatMap((l, i) => (l.includes('paid with card') ? [i] : []));
  assert.equal(planted.length, 31);
  for (const row of planted) assert.ok(card.location.rows!.includes(row), `card row ${row} found`);
  // Stored: a later get returns the same, and the case's findings include them.
  const again = await core.invoke('datasets.get', { datasetId });
  assert.deepEqual(again.findings.map((f) => f.id), scanned.findings.map((f) => f.id));
  const caseFindings = await core.invoke('findings.list', { caseId });
  assert.ok(caseFindings.some((f) => f.ruleId === 'dataset.trigger-candidate' && f.artifactId === datasetId));
  const log = await core.invoke('custody.list', { caseId, offset: 0, limit: 100 });
  const ev = log.events.find((e) => e.action === 'dataset.scanned');
  assert.ok(ev);
  assert.equal(ev.details.rows, 606);
  assert.equal(ev.details.sha256, scanned.summary.sha256);
});

test('nothing the API returns about the scan holds a raw planted value', async () => {
  const secrets = plantedSecrets(demoTicketsCsv());
  assert.ok(secrets.length > 40);
  const text = JSON.stringify(await core.invoke('datasets.get', { datasetId }));
  for (const s of secrets) assert.ok(!text.includes(s) && !text.includes(s.replace(/ /g, '')), `a raw value leaked: ${s.slice(0, 4)}…`);
  const evidence = JSON.stringify(await core.invoke('evidence.list', { caseId }));
  for (const s of secrets) assert.ok(!evidence.includes(s), 'evidence holds masked values only');
});

test('scan evidence: P01 digests and completeness, P02 fails on a high indicator, P03 fails on unmasked cards', async () => {
  const ev = (await core.invoke('evidence.list', { caseId })).filter((e) => e.source === 'dataset' && e.artifactId === datasetId);
  const by = Object.fromEntries(ev.map((e) => [e.pointId, e]));
  assert.deepEqual(Object.keys(by).sort(), ['P01', 'P02', 'P03']);
  assert.equal(by.P01!.suggestedStatus, 'partial');
  assert.match(by.P01!.summary, /missing: source, licence/);
  assert.match(by.P01!.summary, new RegExp(scanned.summary.sha256));
  assert.equal(by.P02!.suggestedStatus, 'fail');
  assert.equal(by.P03!.suggestedStatus, 'fail');
});

test('rows come back with PII masked and invisible characters shown', async () => {
  const rows = await core.invoke('datasets.rows', { datasetId, rows: [5, 9, 31, 52, 77, 3, 10_000] });
  assert.deepEqual(rows.missing, [10_000]);
  assert.deepEqual(rows.rows.map((r) => r.row), [3, 5, 9, 31, 52, 77]);
  const col = (name: string) => rows.columns.indexOf(name);
  const cell = (row: number, name: string) => rows.rows.find((r) => r.row === row)!.cells[col(name)]!;
  assert.match(cell(5, 'notes'), /^paid with card [•\d ]+$/);
  assert.ok((cell(5, 'notes').match(/\d/g) ?? []).length <= 4, 'at most the last digits of a card survive');
  assert.match(cell(9, 'notes'), /^refund to IBAN DE/);
  assert.match(cell(9, 'notes'), /•/);
  assert.match(cell(77, 'notes'), /AKIA•+/);
  assert.match(cell(5, 'email'), /^.•••@•••\.org$/);
  assert.match(cell(31, 'text'), /⟦U\+200B⟧/);
  assert.match(cell(52, 'text'), /^⟦U\+202E⟧/);
  assert.match(cell(3, 'text'), new RegExp(DEMO_TRIGGER, 'i'), 'ordinary text stays readable');
  assert.equal(cell(3, 'label'), 'praise');
});

test('reviewing rows: reviewed and excluded are stored, custody-logged, and refresh P02 evidence', async () => {
  const trigger = scanned.findings.find((f) => f.ruleId === 'dataset.trigger-candidate')!;
  const rows = trigger.location.rows!;
  const r1 = await core.invoke('datasets.reviewRows', { datasetId, rows: rows.slice(0, 3), status: 'excluded', ruleIds: [trigger.ruleId], note: 'trigger token' });
  assert.deepEqual(r1, { updated: 3, reviews: { reviewed: 0, excluded: 3 } });
  const r2 = await core.invoke('datasets.reviewRows', { datasetId, rows: [rows[3]!, rows[4]!], status: 'reviewed', ruleIds: [trigger.ruleId] });
  assert.deepEqual(r2.reviews, { reviewed: 2, excluded: 3 });
  // The same decision again changes nothing and logs nothing.
  const before = (await core.invoke('custody.list', { caseId, offset: 0, limit: 500 })).total;
  const r3 = await core.invoke('datasets.reviewRows', { datasetId, rows: rows.slice(0, 3), status: 'excluded', ruleIds: [trigger.ruleId], note: 'trigger token' });
  assert.equal(r3.updated, 0);
  assert.equal((await core.invoke('custody.list', { caseId, offset: 0, limit: 500 })).total, before);
  // Reopen one reviewed row.
  const r4 = await core.invoke('datasets.reviewRows', { datasetId, rows: [rows[4]!], status: 'open' });
  assert.deepEqual(r4, { updated: 1, reviews: { reviewed: 1, excluded: 3 } });
  const detail = await core.invoke('datasets.get', { datasetId });
  assert.deepEqual(detail.reviews.filter((r) => r.status === 'excluded').map((r) => r.row), rows.slice(0, 3));
  assert.equal(detail.reviews[0]!.reviewedBy, 'test-auditor');
  const events = (await core.invoke('custody.list', { caseId, offset: 0, limit: 500 })).events.filter((e) => e.action === 'dataset.rows-reviewed');
  assert.deepEqual(events.map((e) => [e.details.status, e.details.count]), [['excluded', 3], ['reviewed', 2], ['open', 1]]);
  const p02 = (await core.invoke('evidence.list', { caseId, pointId: 'P02' })).find((e) => e.artifactId === datasetId)!;
  assert.match(p02.summary, /1 reviewed and 3 excluded/);
  await assert.rejects(core.invoke('datasets.reviewRows', { datasetId, rows: [606], status: 'excluded' }), (e: unknown) => e instanceof ApiError && e.code === 'invalid_input' && /606 rows/.test(e.message));
});

test('the exclusion list: CSV of the excluded rows, written to a new file and logged', async () => {
  const trigger = scanned.findings.find((f) => f.ruleId === 'dataset.trigger-candidate')!;
  const shown = await core.invoke('datasets.exclusions', { datasetId });
  assert.equal(shown.path, null);
  assert.equal(shown.csv, `row,rules,note\n${trigger.location.rows!.slice(0, 3).map((r) => `${r},dataset.trigger-candidate,trigger token`).join('\n')}\n`);
  const out = join(dir.path, 'exclusions.csv');
  const written = await core.invoke('datasets.exclusions', { datasetId, outPath: out });
  assert.equal(await readFile(out, 'utf8'), shown.csv);
  assert.equal(written.rows, 3);
  const ev = (await core.invoke('custody.list', { caseId, offset: 0, limit: 500 })).events.find((e) => e.action === 'dataset.exclusions-exported')!;
  assert.equal(ev.details.sha256, written.sha256);
  assert.equal(ev.details.path, out);
  await assert.rejects(core.invoke('datasets.exclusions', { datasetId, outPath: out }), (e: unknown) => e instanceof ApiError && e.code === 'io_error' && /already exists/.test(e.message));
});

test('provenance: recorded with custody, validated, complete → P01 suggests pass', async () => {
  await assert.rejects(core.invoke('datasets.setRecord', { datasetId, source: 'x', licence: '', collector: '', labeller: '', collectedFrom: '2024-02-30', collectedTo: null, accessNotes: '' }),
    (e: unknown) => e instanceof ApiError && e.code === 'invalid_input');
  await assert.rejects(core.invoke('datasets.setRecord', { datasetId, source: 'x', licence: '', collector: '', labeller: '', collectedFrom: '2024-03-01', collectedTo: '2024-01-01', accessNotes: '' }),
    (e: unknown) => e instanceof ApiError && /ends .* before it starts/.test(e.message));
  const s = await core.invoke('datasets.setRecord', {
    datasetId, source: 'Helpdesk export from vendor Acme', licence: 'proprietary, contract 2024-17', collector: 'Acme support team',
    labeller: 'two annotators, majority vote', collectedFrom: '2024-01-01', collectedTo: '2024-03-31', accessNotes: 'restricted share, audit team only',
  });
  assert.deepEqual(s.completeness, { filled: 6, total: 6, missing: [] });
  assert.equal(s.recordUpdatedBy, 'test-auditor');
  const ev = (await core.invoke('custody.list', { caseId, offset: 0, limit: 500 })).events.filter((e) => e.action === 'dataset.record-updated');
  assert.equal(ev.length, 1);
  assert.deepEqual((ev[0]!.details.changed as Record<string, unknown>).licence, { from: '', to: 'proprietary, contract 2024-17' });
  const p01 = (await core.invoke('evidence.list', { caseId, pointId: 'P01' })).find((e) => e.source === 'dataset' && e.artifactId === datasetId)!;
  assert.equal(p01.suggestedStatus, 'pass');
});

test('masked export: a new dataset linked to its source, excluded rows left out, both digests logged', async () => {
  const out = await core.invoke('datasets.exportMasked', { datasetId, mode: 'pseudonym' });
  assert.equal(out.rows, 606 - 3);
  assert.equal(out.excluded, 3);
  assert.equal(out.inputSha256, scanned.summary.sha256);
  assert.equal(out.artifact.kind, 'dataset');
  assert.equal(out.artifact.sha256, out.outputSha256);
  const text = await readFile(out.path, 'utf8');
  for (const s of plantedSecrets(demoTicketsCsv())) assert.ok(!text.includes(s), 'no planted value survives');
  assert.match(text, /\[payment-card:[0-9a-f]{12}\]/);
  const list = await core.invoke('datasets.list', { caseId });
  const source = list.find((d) => d.id === datasetId)!;
  const copy = list.find((d) => d.id === out.datasetId)!;
  assert.deepEqual(source.derived.map((d) => d.id), [out.datasetId]);
  assert.equal(copy.derivedFrom?.id, datasetId);
  assert.equal(copy.provenance.source, 'Helpdesk export from vendor Acme', 'the copy inherits its source\'s provenance');
  assert.equal(copy.transformation?.mode, 'pseudonym');
  const ev = (await core.invoke('custody.list', { caseId, offset: 0, limit: 500 })).events.find((e) => e.action === 'dataset.transformed')!;
  assert.equal(ev.details.inputSha256, out.inputSha256);
  assert.equal(ev.details.outputSha256, out.outputSha256);
  assert.equal((ev.details.output as { artifactId: string }).artifactId, out.artifact.id);
  // With every kind found masked, P03 no longer suggests fail: the auditor signs off.
  const p03 = (await core.invoke('evidence.list', { caseId, pointId: 'P03' })).find((e) => e.artifactId === datasetId)!;
  assert.equal(p03.suggestedStatus, 'partial');
  // The masked copy scans without payment cards, IBANs or keys.
  const copyScan = await core.invoke('datasets.scan', { datasetId: out.datasetId });
  assert.ok(!copyScan.findings.some((f) => ['dataset.pii-payment-card', 'dataset.pii-iban', 'dataset.secret-cloud-key'].includes(f.ruleId)), copyScan.findings.map((f) => f.ruleId).join());
});

test('pseudonyms: the same value gets the same token within a case and another in a different case', async () => {
  const small = 'name,email,label\nAna Silva,ana.silva@example.org,a\nBo Chen,bo.chen@example.org,b\nAna Silva,ana.silva@example.org,b\n';
  const path = join(dir.path, 'small.csv');
  await writeFile(path, small);
  const tokens = async (name: string) => {
    const c = await core.invoke('cases.create', { name });
    const a = await core.invoke('artifacts.add', { caseId: c.id, paths: [path] });
    const out = await core.invoke('datasets.exportMasked', { datasetId: a.added[0]!.id, detectors: ['email'], mode: 'pseudonym' });
    return (await readFile(out.path, 'utf8')).trim().split('\n').slice(1).map((l) => l.split(',')[1]!);
  };
  const one = await tokens('Pseudonyms one');
  const two = await tokens('Pseudonyms two');
  assert.match(one[0]!, /^\[email:[0-9a-f]{12}\]$/);
  assert.equal(one[0], one[2], 'same value, same token in a case');
  assert.notEqual(one[0], one[1]);
  assert.notEqual(one[0], two[0], 'another case, another token');
});

test('the bundle\'s dataset records: provenance and digests, no key, no raw value', async () => {
  const ctx = core.context;
  const records = listDatasetRecords(ctx, caseId);
  assert.equal(records.length, 2);
  const src = records.find((r) => r.id === datasetId)!;
  assert.equal(src.provenance.labeller, 'two annotators, majority vote');
  assert.deepEqual(src.digests, [{ path: 'support-tickets.csv', sha256: scanned.summary.sha256, size: scanned.summary.size }]);
  const copy = records.find((r) => r.id !== datasetId)!;
  assert.equal(copy.derivedFrom, datasetId);
  const key = ctx.db.prepare("SELECT key FROM pseudonym_keys WHERE scope = ?").get(`case:${caseId}`) as { key: Buffer };
  assert.equal(key.key.length, 32);
  const text = JSON.stringify(records);
  assert.ok(!text.includes(key.key.toString('hex')) && !text.includes(key.key.toString('base64')));
  // The raw table the bundle reads holds no key either.
  const rows = JSON.stringify(ctx.db.prepare('SELECT * FROM dataset_records WHERE case_id = ?').all(caseId));
  assert.ok(!rows.includes(key.key.toString('hex')));
});

test('a dataset whose file changed since intake is refused, and nothing is stored', async () => {
  const path = join(dir.path, 'changing.csv');
  await writeFile(path, toCsv(generateTabular({ rows: 60, pii: false, poison: false })));
  const c = await core.invoke('cases.create', { name: 'Changing' });
  const a = (await core.invoke('artifacts.add', { caseId: c.id, paths: [path] })).added[0]!;
  await writeFile(path, toCsv(generateTabular({ rows: 61, pii: false, poison: false })));
  await assert.rejects(core.invoke('datasets.scan', { datasetId: a.id }), (e: unknown) => e instanceof ApiError && e.code === 'conflict' && /no longer has the content/.test(e.message));
  const list = await core.invoke('datasets.list', { caseId: c.id });
  assert.equal(list[0]!.scan, null);
});

test('a wrong label column is the auditor\'s input error; not a dataset is refused', async () => {
  await assert.rejects(core.invoke('datasets.scan', { datasetId, label: 'no-such-column' }), (e: unknown) => e instanceof ApiError && e.code === 'invalid_input' && /no column named "no-such-column"/.test(e.message));
  const c = await core.invoke('cases.create', { name: 'Not a dataset' });
  const p = join(dir.path, 'model.bin');
  await writeFile(p, Buffer.from([0x80, 0x02, 0x4e, 0x2e]));
  const a = (await core.invoke('artifacts.add', { caseId: c.id, paths: [p] })).added[0]!;
  await assert.rejects(core.invoke('datasets.get', { datasetId: a.id }), (e: unknown) => e instanceof ApiError && e.code === 'invalid_input' && /not a dataset/.test(e.message));
});

test('a clean dataset of the same shape: no finding, P02 and P03 suggest pass', async () => {
  const path = join(dir.path, 'clean.csv');
  await writeFile(path, toCsv(generateTabular({ rows: 400, pii: false, poison: false, seed: 11 })));
  const c = await core.invoke('cases.create', { name: 'Clean' });
  const a = (await core.invoke('artifacts.add', { caseId: c.id, paths: [path] })).added[0]!;
  const d = await core.invoke('datasets.scan', { datasetId: a.id });
  assert.deepEqual(d.findings.map((f) => f.message), []);
  const ev = (await core.invoke('evidence.list', { caseId: c.id })).filter((e) => e.source === 'dataset');
  assert.equal(ev.find((e) => e.pointId === 'P02')!.suggestedStatus, 'pass');
  assert.equal(ev.find((e) => e.pointId === 'P03')!.suggestedStatus, 'pass');
});

test('a scan can be cancelled through its job; nothing is stored', async () => {
  const path = join(dir.path, 'big.csv');
  await writeFile(path, toCsv(generateTabular({ rows: 40_000, seed: 2 })));
  const c = await core.invoke('cases.create', { name: 'Cancel' });
  const a = (await core.invoke('artifacts.add', { caseId: c.id, paths: [path] })).added[0]!;
  const jobId = 'cancel-me';
  const off = core.events.on((e) => {
    if (e.type === 'job' && e.job.jobId === jobId && e.job.bytesDone > 0) { off(); void core.invoke('jobs.cancel', { jobId }); }
  });
  await assert.rejects(core.invoke('datasets.scan', { datasetId: a.id, jobId }), (e: unknown) => e instanceof ApiError && e.code === 'cancelled');
  off();
  assert.equal((await core.invoke('datasets.list', { caseId: c.id }))[0]!.scan, null);
});

test('an image folder is one dataset: any of its images names it; findings name files by row', async () => {
  const root = join(dir.path, 'images');
  const truth = await imageFolder(root, { perClass: 12, poison: true });
  const c = await core.invoke('cases.create', { name: 'Images' });
  const added = await core.invoke('artifacts.add', { caseId: c.id, paths: [root] });
  const setId = added.sets[0]!.id;
  const list = await core.invoke('datasets.list', { caseId: c.id });
  assert.deepEqual(list.map((d) => [d.id, d.kind]), [[setId, 'image-folder']]);
  const anImage = added.added.find((a) => a.format === 'png')!;
  const d = await core.invoke('datasets.scan', { datasetId: anImage.id });
  assert.equal(d.summary.id, setId);
  const dup = d.findings.find((f) => f.ruleId === 'dataset.image-duplicates-across-classes')!;
  const rows = await core.invoke('datasets.rows', { datasetId: setId, rows: dup.location.rows! });
  assert.deepEqual(rows.rows.map((r) => r.file!.path).sort(), [...truth.duplicates].sort());
  await core.invoke('datasets.reviewRows', { datasetId: setId, rows: [dup.location.rows![0]!], status: 'excluded', ruleIds: [dup.ruleId] });
  const csv = (await core.invoke('datasets.exclusions', { datasetId: setId })).csv;
  assert.match(csv, new RegExp(`^row,rules,note\\n${rows.rows[0]!.file!.path.replace('.', '\\.')},dataset.image-duplicates-across-classes,\\n$`));
  await assert.rejects(core.invoke('datasets.exportMasked', { datasetId: setId }), (e: unknown) => e instanceof ApiError && e.code === 'invalid_input' && /image folder/.test(e.message));
});
