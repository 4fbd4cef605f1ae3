import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import type { Artifact, Case, CaseSummary, ChainStatus, ChecklistView } from '../../shared/api/schemas.ts';
import { runAssay, runAssayJson } from '../helpers/cli.ts';
import { tempDir } from '../helpers/core.ts';

let dir: { path: string; remove(): Promise<void> };
let dataDir: string;
before(async () => {
  dir = await tempDir('assay-cli-');
  dataDir = join(dir.path, 'data');
});
after(async () => dir.remove());

test('case create, list and show, in text and JSON', async () => {
  const created = await runAssayJson<Case>(['case', 'create', 'CLI case', '--description', 'made by the CLI test'], { dataDir });
  assert.equal(created.code, 0);
  assert.equal(created.json.name, 'CLI case');
  const list = await runAssayJson<CaseSummary[]>(['case', 'list'], { dataDir });
  assert.ok(list.json.some((c) => c.id === created.json.id && c.checklist.total === 20));
  const text = await runAssay(['case', 'list'], { dataDir });
  assert.match(text.stdout, /CLI case/);
  // A case can be named by its id, an id prefix or its name.
  for (const ref of [created.json.id, created.json.id.slice(0, 6), 'CLI case']) {
    const shown = await runAssayJson<{ case: CaseSummary }>(['case', 'show', ref], { dataDir });
    assert.equal(shown.json.case.id, created.json.id);
  }
});

test('add prints hashes; bad paths exit 2 with a clear message and add nothing', async () => {
  await runAssay(['case', 'create', 'Adds'], { dataDir });
  const folder = join(dir.path, 'model');
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'config.json'), '{"a": 1}\n');
  const ok = await runAssayJson<{ added: Artifact[]; sets: unknown[] }>(['add', 'Adds', folder], { dataDir });
  assert.equal(ok.code, 0);
  // sha256sum of the 9 bytes '{"a": 1}\n', computed outside Assay.
  assert.equal(ok.json.added[0]!.sha256, 'e8c628edc9968ef0c668f54e0ba2636b35503357eb1aca0ddc828aeace432f67');
  const bad = await runAssay(['add', 'Adds', join(dir.path, 'missing.onnx')], { dataDir });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /missing\.onnx does not exist/);
});

test('checklist --set and --note persist; an unknown status or point is a usage error (exit 2)', async () => {
  await runAssay(['case', 'create', 'Checks'], { dataDir });
  const set = await runAssay(['checklist', 'Checks', '--set', 'P05=partial', '--note', 'egress logs pending'], { dataDir });
  assert.equal(set.code, 0, set.stderr);
  const view = await runAssayJson<ChecklistView>(['checklist', 'Checks'], { dataDir });
  const p05 = view.json.entries.find((e) => e.pointId === 'P05')!;
  assert.equal(p05.status, 'partial');
  assert.equal(p05.notes, 'egress logs pending');
  assert.equal((await runAssay(['checklist', 'Checks', '--set', 'P05=great'], { dataDir })).code, 2);
  assert.equal((await runAssay(['checklist', 'Checks', '--set', 'P99=pass'], { dataDir })).code, 2);
  assert.equal((await runAssay(['checklist', 'No such case'], { dataDir })).code, 2);
  assert.equal((await runAssay(['frobnicate'], { dataDir })).code, 2);
  assert.equal((await runAssay(['case', 'create', 'x', '--colour', 'red'], { dataDir })).code, 2);
});

test('a point blocked by an open high finding is refused with exit 1', async () => {
  await runAssay(['case', 'create', 'Refusal'], { dataDir });
  const folder = join(dir.path, 'with-binary');
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'run'), Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(64)]));
  await runAssay(['add', 'Refusal', folder], { dataDir });
  const refused = await runAssay(['checklist', 'Refusal', '--set', 'P10=pass'], { dataDir });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /P10 .* cannot pass/);
});

test('log verify exits 0 on an intact chain and 1, naming the event, after tampering', async () => {
  const c = await runAssayJson<Case>(['case', 'create', 'Tamper'], { dataDir });
  await runAssay(['checklist', 'Tamper', '--set', 'P01=pass'], { dataDir });
  await runAssay(['checklist', 'Tamper', '--set', 'P02=fail'], { dataDir });
  const good = await runAssayJson<ChainStatus>(['log', 'verify', 'Tamper'], { dataDir });
  assert.equal(good.code, 0);
  assert.equal(good.json.events, 3);

  const db = new BetterSqlite3(join(dataDir, 'assay.db'));
  db.exec('DROP TRIGGER custody_events_no_update');
  db.prepare("UPDATE custody_events SET actor = 'someone-else' WHERE chain = ? AND seq = 2").run(`case:${c.json.id}`);
  db.close();
  const bad = await runAssay(['log', 'verify', 'Tamper'], { dataDir });
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /BROKEN at event 2/);
});

test('--help lists every command; info reports the data directory', async () => {
  const help = await runAssay(['--help'], { dataDir });
  assert.equal(help.code, 0);
  for (const cmd of ['case create', 'add CASE', 'checklist CASE', 'log verify', 'serve', 'demo']) assert.ok(help.stdout.includes(cmd), cmd);
  const info = await runAssayJson<{ dataDir: string; schemaVersion: number }>(['info'], { dataDir });
  assert.equal(info.json.dataDir, dataDir);
});

test('demo creates a filled-in case', async () => {
  const demo = await runAssayJson<Case>(['demo'], { dataDir });
  assert.equal(demo.code, 0);
  const shown = await runAssayJson<{ case: CaseSummary; artifacts: Artifact[] }>(['case', 'show', demo.json.id], { dataDir });
  assert.ok(shown.json.artifacts.some((a) => a.format === 'onnx'));
  assert.ok(shown.json.artifacts.some((a) => a.kind === 'dataset'));
  assert.ok(shown.json.case.checklist.reviewed >= 2);
});
