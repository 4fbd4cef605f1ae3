import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Ajv from 'ajv-draft-04';
import type { ScanJsonDocument } from '../../main/core/report/scan-json.ts';
import { mlpClassifier } from '../fixtures/onnx-builder.ts';
import { runAssay, runAssayJson } from '../helpers/cli.ts';
import { tempDir } from '../helpers/core.ts';

const require = createRequire(import.meta.url);
const sarifSchema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as object;

// Protocol 2: GLOBAL posix.system, ('id',), REDUCE, STOP — bytes only, never loaded.
const EVIL = Buffer.concat([Buffer.from([0x80, 0x02]), Buffer.from('cposix\nsystem\nX\x02\x00\x00\x00id', 'latin1'), Buffer.from([0x85, 0x52, 0x2e])]);

let dir: { path: string; remove(): Promise<void> };
let dataDir: string;
let models: string;
before(async () => {
  dir = await tempDir('assay-scan-cli-');
  dataDir = join(dir.path, 'data');
  models = join(dir.path, 'models');
  await mkdir(join(models, 'nested'), { recursive: true });
  await writeFile(join(models, 'clean.onnx'), mlpClassifier([4, 3, 2]));
  await writeFile(join(models, 'nested', 'weights.bin'), EVIL);
  await writeFile(join(models, 'notes.txt'), 'plain text\n');
});
after(async () => dir.remove());

test('scan --format json: one entry per file found, findings rolled up, exit 1 at the default threshold', async () => {
  const r = await runAssayJson<ScanJsonDocument>(['scan', models, '--format', 'json'], { dataDir });
  assert.equal(r.code, 1);
  assert.equal(r.json.tool.name, 'Assay');
  assert.deepEqual(r.json.artifacts.map((a) => a.path.slice(models.length + 1)).sort(), ['clean.onnx', 'nested/weights.bin', 'notes.txt']);
  const evil = r.json.artifacts.find((a) => a.path.endsWith('weights.bin'))!;
  assert.equal(evil.verdict, 'malicious');
  assert.equal(evil.format, 'pickle');
  const f = evil.findings.find((x) => x.severity === 'critical')!;
  assert.match(f.message, /posix\.system/);
  assert.match(f.location, /byte \d+, opcode \d+/);
  assert.ok(f.checklist.includes('P10'));
  assert.equal(r.json.artifacts.find((a) => a.path.endsWith('clean.onnx'))!.verdict, 'clean');
});

test('--fail-on raises or lowers the threshold', async () => {
  assert.equal((await runAssay(['scan', join(models, 'clean.onnx'), '--fail-on', 'info'], { dataDir })).code, 0);
  assert.equal((await runAssay(['scan', join(models, 'nested'), '--fail-on', 'critical'], { dataDir })).code, 1);
  assert.equal((await runAssay(['scan', join(models, 'nested'), '--fail-on', 'catastrophic'], { dataDir })).code, 2);
});

test('nothing scannable exits 3; a missing path exits 2', async () => {
  const unknown = join(dir.path, 'blob.dat');
  await writeFile(unknown, Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 151 + 7) & 0xff)));
  const r = await runAssay(['scan', unknown], { dataDir });
  assert.equal(r.code, 3);
  assert.match(r.stdout, /UNSUPPORTED/);
  const missing = await runAssay(['scan', join(dir.path, 'nope.pt')], { dataDir });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.pt does not exist/);
});

test('--format sarif --out writes a valid SARIF 2.1.0 log', async () => {
  const out = join(dir.path, 'scan.sarif');
  const r = await runAssay(['scan', models, '--format', 'sarif', '--out', out], { dataDir });
  assert.equal(r.code, 1);
  const log = JSON.parse(await (await import('node:fs/promises')).readFile(out, 'utf8')) as { runs: { results: { ruleId: string }[] }[] };
  const ajv = new Ajv({ strict: false, unicodeRegExp: false });
  assert.equal(ajv.validate(sarifSchema, log), true, JSON.stringify(ajv.errors));
  assert.ok(log.runs[0]!.results.some((x) => x.ruleId === 'scan.pickle.code-execution'));
});
