// Readers: delimiter and header sniffing, quoting, encodings, ragged and malformed records,
// JSON Lines, streamed JSON arrays, Parquet (and a Parquet decompression bomb).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanDataset } from '../../main/core/dataset/index.ts';
import { CsvReader } from '../../main/core/dataset/read/csv.ts';
import { ArrayElementSplitter } from '../../main/core/dataset/read/json-array.ts';
import { sniffCsv } from '../../main/core/dataset/read/sniff-csv.ts';
import type { Cell, ReadProblem, TableSink } from '../../main/core/dataset/read/types.ts';
import { writeParquet } from './fixtures/parquet-writer.ts';

let dir: string;
before(async () => { dir = await mkdtemp(join(tmpdir(), 'assay-readers-')); });
after(async () => { await rm(dir, { recursive: true, force: true }); });

async function readAll(path: string): Promise<{ columns: string[]; rows: Cell[][]; problems: ReadProblem[] }> {
  const out = { columns: [] as string[], rows: [] as Cell[][], problems: [] as ReadProblem[] };
  const sink: TableSink = {
    columns: (n) => { out.columns = [...n]; },
    row: (c) => { out.rows.push([...c]); },
    problem: (p) => { out.problems.push(p); },
  };
  await new CsvReader(path).read(sink, {});
  return out;
}

test('delimiters are sniffed from content; quotes around delimiters do not confuse it', () => {
  assert.equal(sniffCsv('a;b;c\n1;2;3\n4;5;6\n', true).delimiter, ';');
  assert.equal(sniffCsv('a\tb\n1\t2\n', true).delimiter, '\t');
  assert.equal(sniffCsv('a|b|c\n1|2|3\n', true).delimiter, '|');
  assert.equal(sniffCsv('name,quote\n"Smith; John","a; b; c"\n"Doe; Jane","x; y"\n', true).delimiter, ',');
});

test('a header row is recognised, and a file without one is not given one', () => {
  assert.equal(sniffCsv('id,score,label\n1,0.5,cat\n2,0.7,dog\n', true).hasHeader, true);
  assert.equal(sniffCsv('1,0.5,cat\n2,0.7,dog\n3,0.1,cat\n', true).hasHeader, false);
  assert.equal(sniffCsv('text,label\nhello there,pos\nbad day,neg\n', true).hasHeader, true);
  assert.equal(sniffCsv('cat,dog\ncat,dog\nbird,fish\n', true).hasHeader, false);
});

test('quoted multi-line fields stay one field; ragged rows are kept and reported', async () => {
  const path = join(dir, 'quoted.csv');
  await writeFile(path, 'id,text,label\n1,"line one\nline two, with comma",a\n2,plain,b\n3,short\n4,x,y,extra\n');
  const r = await readAll(path);
  assert.deepEqual(r.rows[0], ['1', 'line one\nline two, with comma', 'a']);
  assert.equal(r.rows.length, 4);
  assert.deepEqual(r.problems.filter((p) => p.kind === 'ragged').map((p) => p.row), [2, 3]);
  assert.equal(r.columns.length, 4, 'an extra field gets its own column so it is still scanned');
});

test('UTF-16 LE and BE with BOM, and UTF-8 with BOM, read as text', async () => {
  const text = 'name,city\nJosé,Zürich\nZoë,Kraków\n';
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  const be = Buffer.from(le);
  for (let i = 0; i < be.length; i += 2) { const t = be[i]!; be[i] = be[i + 1]!; be[i + 1] = t; }
  for (const [name, bytes] of [['le.csv', le], ['be.csv', be], ['bom.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])]] as const) {
    const path = join(dir, name);
    await writeFile(path, bytes);
    const r = await readAll(path);
    assert.deepEqual(r.columns, ['name', 'city'], name);
    assert.deepEqual(r.rows, [['José', 'Zürich'], ['Zoë', 'Kraków']], name);
  }
  const report = await scanDataset(join(dir, 'le.csv'));
  assert.equal(report.dataset.encoding, 'utf-16le');
});

test('a broken quote is reported as a malformed or ragged record, never a crash', async () => {
  const path = join(dir, 'broken.csv');
  await writeFile(path, 'a,b\n1,2\n3,"unterminated\n4,5\n');
  const report = await scanDataset(path);
  assert.ok(report.dataset.rowCount >= 1);
  assert.ok(report.findings.every((f) => f.ruleId.startsWith('dataset.')));
});

test('JSON Lines: records flattened, a bad line reported and skipped', async () => {
  const path = join(dir, 'data.jsonl');
  await writeFile(path, [
    JSON.stringify({ text: 'hello', user: { email: 'ana@example.org', age: 31 }, tags: ['a', 'b'] }),
    '{"text": "broken',
    JSON.stringify({ text: 'bye', user: { email: 'bo@example.org', age: 40 }, extra: true }),
  ].join('\n'));
  const report = await scanDataset(path);
  assert.equal(report.dataset.format, 'jsonl');
  assert.equal(report.dataset.rowCount, 2);
  assert.deepEqual(report.dataset.columns.map((c) => c.name), ['text', 'user.email', 'user.age', 'tags', 'extra']);
  const malformed = report.findings.find((f) => f.ruleId === 'dataset.malformed-records')!;
  assert.equal(malformed.evidence?.count, 1);
  assert.deepEqual(malformed.evidence?.lines, [2]);
  const email = report.pii.find((p) => p.column === 'user.email')!;
  assert.equal(email.count, 2);
});

test('a JSON array is split into records however the text is chunked', () => {
  const doc = '{"rows": [{"a": "x,]}", "b": [1, {"c": 2}]}, {"a": "q\\"uote"}, "plain", 7]}';
  for (const size of [1, 3, 7, doc.length]) {
    const seen: string[] = [];
    const s = new ArrayElementSplitter((t) => { if (t !== null) seen.push(t); }, 1 << 20);
    for (let i = 0; i < doc.length; i += size) s.push(doc.slice(i, i + size));
    assert.deepEqual(seen.map((t) => JSON.parse(t)), [{ a: 'x,]}', b: [1, { c: 2 }] }, { a: 'q"uote' }, 'plain', 7], `chunk size ${size}`);
    assert.ok(s.done);
  }
  const tooLong: Array<string | null> = [];
  const s = new ArrayElementSplitter((t) => tooLong.push(t), 10);
  s.push('[{"a": "this element is too long"}, 1]');
  assert.deepEqual(tooLong, [null, '1']);
});

test('a JSON array file is scanned as records', async () => {
  const path = join(dir, 'data.json');
  await writeFile(path, JSON.stringify(Array.from({ length: 50 }, (_, i) => ({ id: i, note: i === 3 ? 'SSN 123-45-6789' : 'fine', label: i % 2 ? 'a' : 'b' }))));
  const report = await scanDataset(path);
  assert.equal(report.dataset.format, 'json');
  assert.equal(report.dataset.rowCount, 50);
  const ssn = report.findings.find((f) => f.ruleId === 'dataset.pii-us-ssn')!;
  assert.deepEqual(ssn.location.rows, [3]);
});

test('Parquet is read through hyparquet with its types', async () => {
  const path = join(dir, 'data.parquet');
  await writeFile(path, writeParquet([
    { name: 'text', type: 'string', values: ['hello', 'mail ana@example.org', 'card 4111 1111 1111 1111', 'bye'] },
    { name: 'n', type: 'int64', values: [1, 2, 3, 4] },
    { name: 'x', type: 'double', values: [0.5, 1.5, 2.5, 3.5] },
  ]));
  const report = await scanDataset(path);
  assert.equal(report.dataset.format, 'parquet');
  assert.equal(report.dataset.rowCount, 4);
  assert.deepEqual(report.dataset.columns.map((c) => [c.name, c.type]), [['text', 'string'], ['n', 'integer'], ['x', 'number']]);
  assert.deepEqual(report.findings.find((f) => f.ruleId === 'dataset.pii-payment-card')?.location.rows, [2]);
});

test('a Parquet page claiming gigabytes uncompressed is refused before allocation', async () => {
  const path = join(dir, 'bomb.parquet');
  await writeFile(path, writeParquet([{ name: 'text', type: 'string', values: ['a', 'b'] }], { bombPageSize: 2_000_000_000 }));
  const before = process.memoryUsage().rss;
  const report = await scanDataset(path);
  assert.ok(process.memoryUsage().rss - before < 500 * 2 ** 20);
  assert.equal(report.findings[0]?.ruleId, 'dataset.unreadable');
  assert.match(report.findings[0]!.message, /claims 2000000000 bytes/);
});

test('an empty file and a header-only file scan to zero rows without error', async () => {
  await writeFile(join(dir, 'empty.csv'), '');
  await writeFile(join(dir, 'header.csv'), 'a,b,c\n');
  const e = await scanDataset(join(dir, 'empty.csv'));
  assert.equal(e.dataset.rowCount, 0);
  const h = await scanDataset(join(dir, 'header.csv'));
  assert.equal(h.dataset.rowCount, 0);
  assert.deepEqual(h.findings, []);
});
