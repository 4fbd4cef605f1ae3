// Masked export: chosen detectors' values are redacted or pseudonymised consistently, nothing
// else changes, excluded rows are dropped, digests describe the two files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { exportMasked, exclusionListCsv, scanDataset } from '../../main/core/dataset/index.ts';
import { generateTabular, toCsv } from './fixtures/tabular.ts';

let dir: string;
let input: string;
const KEY = 'case-0001-secret-key-material';
const t = generateTabular({ rows: 300, seed: 11 });

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'assay-export-'));
  input = join(dir, 'in.csv');
  await writeFile(input, toCsv(t));
});
after(async () => { await rm(dir, { recursive: true, force: true }); });

const sha = async (p: string) => createHash('sha256').update(await readFile(p)).digest('hex');

test('redaction removes every value of the chosen detectors and leaves the rest of the file alone', async () => {
  const out = join(dir, 'redacted.csv');
  const r = await exportMasked(input, out, { detectors: ['email', 'phone', 'payment-card'], mode: 'redact', key: KEY });
  assert.equal(r.rows, t.rows.length);
  assert.equal(r.format, 'csv');
  assert.equal(r.inputSha256, await sha(input));
  assert.equal(r.outputSha256, await sha(out));
  const rows = parse(await readFile(out)) as string[][];
  assert.deepEqual(rows[0], t.header);
  for (let i = 0; i < t.rows.length; i++) {
    assert.equal(rows[i + 1]![2], '[email]');
    assert.equal(rows[i + 1]![3], '[phone]');
    assert.equal(rows[i + 1]![10], t.rows[i]![10], 'untouched columns are copied as they were');
    assert.equal(rows[i + 1]![1], t.rows[i]![1], 'names were not chosen, so they stay');
  }
  // Every address is replaced (a password@host inside a connection string also reads as one).
  assert.ok(r.byDetector.email! >= t.rows.length + [...(t.truth.notesPii.get('email') ?? [])].length);
  // Scanning the export finds no e-mail, phone or card any more; names are still there.
  const again = await scanDataset(out);
  const rules = new Set(again.findings.map((f) => f.ruleId));
  assert.ok(!rules.has('dataset.pii-email') && !rules.has('dataset.pii-phone') && !rules.has('dataset.pii-payment-card'));
  assert.ok(rules.has('dataset.pii-person-name'));
});

test('pseudonyms are consistent within a key, differ across keys, and hide the value', async () => {
  const csv = 'user,note\nana@example.org,hello\nbo@example.org,hi ANA@example.org again\nana@example.org,bye\n';
  const path = join(dir, 'users.csv');
  await writeFile(path, csv);
  const a = join(dir, 'p1.csv');
  const b = join(dir, 'p2.csv');
  await exportMasked(path, a, { detectors: ['email'], mode: 'pseudonym', key: KEY });
  await exportMasked(path, b, { detectors: ['email'], mode: 'pseudonym', key: 'another-case-key-0002' });
  const ra = parse(await readFile(a)) as string[][];
  const rb = parse(await readFile(b)) as string[][];
  assert.match(ra[1]![0]!, /^\[email:[0-9a-f]{12}\]$/);
  assert.equal(ra[1]![0], ra[3]![0], 'same value, same pseudonym');
  assert.ok(ra[2]![1]!.includes(ra[1]![0]!), 'case differences in an address do not change its pseudonym');
  assert.notEqual(ra[1]![0], ra[2]![0]);
  assert.notEqual(ra[1]![0], rb[1]![0], 'another case key gives other pseudonyms');
  assert.ok(!(await readFile(a, 'utf8')).includes('example.org'));
  await assert.rejects(exportMasked(path, join(dir, 'p3.csv'), { detectors: ['email'], mode: 'pseudonym', key: 'short' }));
  assert.ok(!existsSync(join(dir, 'p3.csv')) && !existsSync(join(dir, 'p3.csv.partial')));
});

test('excluded rows are dropped and counted; the exclusion list renders as CSV', async () => {
  const out = join(dir, 'excluded.csv');
  const exclude = [...t.truth.trigger.rows];
  const r = await exportMasked(input, out, { detectors: 'all', mode: 'redact', key: KEY, excludeRows: exclude });
  assert.equal(r.excluded, exclude.length);
  assert.equal(r.rows, t.rows.length - exclude.length);
  const text = await readFile(out, 'utf8');
  assert.ok(!text.includes(' zq '), 'trigger rows are gone');
  const list = exclusionListCsv(exclude.map((row) => ({ row, ruleIds: ['dataset.trigger-candidate'], note: 'token "zq"' })));
  assert.equal(list.split('\n')[0], 'row,rules,note');
  assert.equal(list.trim().split('\n').length, exclude.length + 1);
});

test('JSON Lines keep their structure; nested values are masked in place', async () => {
  const path = join(dir, 'in.jsonl');
  await writeFile(path, `${JSON.stringify({ id: 1, user: { email: 'ana@example.org', card: '4111 1111 1111 1111' }, text: 'ok' })}\n${JSON.stringify({ id: 2, user: { email: 'bo@example.org' }, text: 'call +44 20 7946 0958' })}\n`);
  const out = join(dir, 'out.jsonl');
  const r = await exportMasked(path, out, { detectors: 'all', mode: 'redact', key: KEY });
  assert.equal(r.format, 'jsonl');
  const lines = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines[0], { id: 1, user: { email: '[email]', card: '[payment-card]' }, text: 'ok' });
  assert.deepEqual(lines[1], { id: 2, user: { email: '[email]' }, text: 'call [phone]' });
});

test('the export never overwrites its input or an existing file', async () => {
  await assert.rejects(exportMasked(input, input, { detectors: 'all', mode: 'redact', key: KEY }));
  await assert.rejects(exportMasked(input, join(dir, 'redacted.csv'), { detectors: 'all', mode: 'redact', key: KEY }), /exists/);
});
