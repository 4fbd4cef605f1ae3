// `assay data …`: the JSON document of `data scan`, its exit codes and masked copies with
// consistent pseudonyms as a user runs them (a subprocess); the case commands (record, review,
// exclusion list, masked export) through the same command table in-process, to keep the suite fast.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { runCli } from '../../main/cli/main.ts';
import { demoTicketsCsv } from '../../main/core/demo/dataset-samples.ts';
import { runAssay, runAssayJson } from '../helpers/cli.ts';
import { tempDir } from '../helpers/core.ts';
import { generateTabular, toCsv } from './fixtures/tabular.ts';

let dir: { path: string; remove(): Promise<void> };
let dataDir: string;
const file = (name: string) => join(dir.path, name);
const TIMEOUT = 120_000;

interface Doc {
  dataset: { name: string; rowCount: number; sha256: string; columns: { name: string; pii: string[] }[]; label: { name: string | null } };
  findings: { ruleId: string; severity: string; message: string; column: string | null; rows: number[]; checklist: string[] }[];
}

before(async () => {
  dir = await tempDir('assay-ds-cli-');
  dataDir = file('data');
  await writeFile(file('tickets.csv'), demoTicketsCsv());
  await writeFile(file('clean.csv'), toCsv(generateTabular({ rows: 300, pii: false, poison: false, seed: 4 })));
  await writeFile(file('key.bin'), Buffer.alloc(32, 7));
});
after(async () => { await dir.remove(); });

test('data scan --format json: the documented shape, rows 0-based, checklist points; exit 1 on a high finding', async () => {
  const r = await runAssay(['data', 'scan', file('tickets.csv'), '--format', 'json'], { dataDir, timeoutMs: TIMEOUT });
  assert.equal(r.code, 1, r.stderr);
  const doc = JSON.parse(r.stdout) as Doc;
  assert.deepEqual(Object.keys(doc), ['dataset', 'findings']);
  assert.equal(doc.dataset.rowCount, 606);
  assert.equal(doc.dataset.label.name, 'label');
  assert.deepEqual(doc.dataset.columns.find((c) => c.name === 'email')?.pii, ['email']);
  for (const f of doc.findings) assert.deepEqual(Object.keys(f), ['ruleId', 'severity', 'message', 'column', 'rows', 'checklist']);
  const trigger = doc.findings.find((f) => f.ruleId === 'dataset.trigger-candidate')!;
  assert.equal(trigger.column, 'text');
  assert.deepEqual(trigger.rows.slice(0, 3), [3, 28, 53]);
  assert.deepEqual(trigger.checklist, ['P02']);
  assert.deepEqual(doc.findings.find((f) => f.ruleId === 'dataset.pii-iban')!.checklist, ['P03']);
  // The first data row (header excluded) is row 0: the bidi control was planted in row 52.
  assert.deepEqual(doc.findings.find((f) => f.ruleId === 'dataset.bidi-control')!.rows, [52]);
});

test('data scan of a clean dataset: exit 0, text report; usage and I/O errors exit 2', async () => {
  const clean = await runAssay(['data', 'scan', file('clean.csv')], { dataDir, timeoutMs: TIMEOUT });
  assert.equal(clean.code, 0, clean.stderr);
  assert.match(clean.stdout, /^clean\.csv: CSV/);
  assert.match(clean.stdout, /no findings/);
  const missing = await runAssay(['data', 'scan', file('nope.csv')], { dataDir });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no such file or folder/);
  const usage = await runAssay(['data', 'scan', file('clean.csv'), '--mask', 'redact'], { dataDir });
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /go with --masked-out/);
});

test('--masked-out: no planted value survives; pseudonyms are consistent and keyed (key file or workstation key); logged on the workstation chain', async () => {
  const a = await runAssayJson<Doc & { maskedExport: { path: string; outputSha256: string; inputSha256: string; replaced: number } }>(
    ['data', 'scan', file('tickets.csv'), '--masked-out', file('masked-a.csv'), '--key-file', file('key.bin')], { dataDir });
  assert.equal(a.code, 1, a.stderr);
  assert.deepEqual(Object.keys(a.json), ['dataset', 'findings', 'maskedExport']);
  assert.ok(a.json.maskedExport.replaced > 1000);
  const b = await runAssay(['data', 'scan', file('tickets.csv'), '--masked-out', file('masked-b.csv'), '--detectors', 'email,payment-card'], { dataDir, timeoutMs: TIMEOUT });
  assert.equal(b.code, 1, b.stderr);
  assert.match(b.stdout, /masked copy: .*masked-b\.csv \(606 rows/);
  const original = demoTicketsCsv().trim().split('\n').slice(1).map((l) => l.split(','));
  const rowsA = (await readFile(file('masked-a.csv'), 'utf8')).trim().split('\n').slice(1).map((l) => l.split(','));
  const rowsB = (await readFile(file('masked-b.csv'), 'utf8')).trim().split('\n').slice(1).map((l) => l.split(','));
  const textA = rowsA.map((r) => r.join(',')).join('\n');
  const card = /paid with card ([\d ]{19})/.exec(demoTicketsCsv())![1]!;
  assert.ok(!textA.includes(card) && !rowsB.map((r) => r.join(',')).join('\n').includes(card));
  assert.ok(!/@example\.org/.test(textA), 'e-mail addresses replaced');
  assert.ok(rowsB.every((r) => r[1] === original[rowsB.indexOf(r)]![1]), 'names kept when only e-mail and cards are chosen');
  // The same address gets the same token wherever it occurs; another key gives another token.
  const first = original.findIndex((r, i) => original.some((o, j) => j > i && o[2] === r[2]));
  const again = original.findIndex((r, j) => j > first && r[2] === original[first]![2]);
  assert.match(rowsA[first]![2]!, /^\[email:[0-9a-f]{12}\]$/);
  assert.equal(rowsA[first]![2], rowsA[again]![2]);
  assert.equal(rowsB[first]![2], rowsB[again]![2]);
  assert.notEqual(rowsA[first]![2], rowsB[first]![2]);
  const db = new BetterSqlite3(join(dataDir, 'assay.db'), { readonly: true });
  try {
    const events = (db.prepare("SELECT details FROM custody_events WHERE chain = 'workstation' AND action = 'dataset.transformed' ORDER BY seq").all() as { details: string }[])
      .map((e) => JSON.parse(e.details) as { inputSha256: string; output: { sha256: string }; key: string; detectors: unknown });
    assert.equal(events.length, 2);
    assert.equal(events[0]!.inputSha256, a.json.maskedExport.inputSha256);
    assert.equal(events[0]!.output.sha256, a.json.maskedExport.outputSha256);
    assert.deepEqual(events.map((e) => e.key), ['key file', 'workstation key']);
    assert.deepEqual(events[1]!.detectors, ['email', 'payment-card']);
    const keys = db.prepare('SELECT scope FROM pseudonym_keys').all() as { scope: string }[];
    assert.deepEqual(keys.map((k) => k.scope), ['workstation']);
  } finally {
    db.close();
  }
});

/** The CLI in-process: the same command table and core, without a process start per command. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['--data-dir', dataDir, ...args], {
    out: (t) => { stdout += t; }, err: (t) => { stderr += t; }, stderrIsTTY: false, stdin: process.stdin,
  }, {});
  return { code, stdout, stderr };
}

test('data scan of something that is not a readable dataset exits 3: nothing was checked', async () => {
  await writeFile(file('weights.bin'), Buffer.from([0x80, 0x02, 0x4e, 0x2e]));
  const r = await cli(['data', 'scan', file('weights.bin')]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stdout, /dataset\.unreadable/);
});

test('case commands: scan, record, review, exclusion list and masked copy', async () => {
  const caseId = (JSON.parse((await cli(['--json', 'case', 'create', 'CLI datasets'])).stdout) as { id: string }).id;
  assert.equal((await cli(['add', caseId, file('tickets.csv')])).code, 0);
  const scan = await cli(['--json', 'data', 'scan', '--case', caseId, 'tickets.csv']);
  assert.equal(scan.code, 1, scan.stderr);
  const trigger = (JSON.parse(scan.stdout) as { findings: { ruleId: string; rows: number[]; status: string }[] }).findings.find((f) => f.ruleId === 'dataset.trigger-candidate')!;
  assert.equal(trigger.status, 'open');
  assert.deepEqual(trigger.rows.slice(0, 3), [3, 28, 53]);

  const rec = await cli(['--json', 'data', 'record', caseId, 'tickets.csv', '--source', 'Acme helpdesk export', '--licence', 'proprietary', '--collected-from', '2024-01-01']);
  assert.equal(rec.code, 0, rec.stderr);
  const record = JSON.parse(rec.stdout) as { completeness: { filled: number }; provenance: { source: string; collectedFrom: string | null } };
  assert.equal(record.provenance.source, 'Acme helpdesk export');
  assert.equal(record.provenance.collectedFrom, '2024-01-01');
  assert.equal(record.completeness.filled, 3);
  const badDate = await cli(['data', 'record', caseId, 'tickets.csv', '--collected-to', '2024-13-01']);
  assert.equal(badDate.code, 2);

  const review = await cli(['data', 'review', caseId, 'tickets.csv', '--rows', '3,28,53-53', '--status', 'excluded', '--rule', 'dataset.trigger-candidate', '--note', 'trigger']);
  assert.equal(review.code, 0, review.stderr);
  assert.match(review.stdout, /3 rows changed; tickets\.csv now has 0 reviewed and 3 excluded/);
  const badRows = await cli(['data', 'review', caseId, 'tickets.csv', '--rows', '9-3', '--status', 'excluded']);
  assert.equal(badRows.code, 2);
  assert.match(badRows.stderr, /runs backwards/);

  const rows = await cli(['data', 'rows', caseId, 'tickets.csv', '--rows', '5']);
  assert.match(rows.stdout, /paid with card [•\d ]+/);
  assert.ok(!rows.stdout.includes(/paid with card ([\d ]{19})/.exec(demoTicketsCsv())![1]!));

  const list = await cli(['data', 'exclusions', caseId, 'tickets.csv']);
  assert.equal(list.stdout, 'row,rules,note\n3,dataset.trigger-candidate,trigger\n28,dataset.trigger-candidate,trigger\n53,dataset.trigger-candidate,trigger\n');

  const mask = await cli(['--json', 'data', 'mask', caseId, 'tickets.csv', '--mask', 'redact', '--out', file('case-masked.csv')]);
  assert.equal(mask.code, 0, mask.stderr);
  const masked = JSON.parse(mask.stdout) as { rows: number; excluded: number };
  assert.equal(masked.rows, 603);
  assert.equal(masked.excluded, 3);
  assert.match(await readFile(file('case-masked.csv'), 'utf8'), /paid with card \[payment-card\]/);

  const datasets = JSON.parse((await cli(['--json', 'data', 'list', caseId])).stdout) as { name: string; derivedFrom: { name: string } | null }[];
  assert.deepEqual(datasets.map((d) => [d.name, d.derivedFrom?.name ?? null]), [['tickets.csv', null], ['case-masked.csv', 'tickets.csv']]);
  const log = await cli(['log', 'show', caseId]);
  for (const action of ['dataset.scanned', 'dataset.record-updated', 'dataset.rows-reviewed', 'dataset.transformed']) assert.match(log.stdout, new RegExp(action.replace('.', '\\.')));
});
