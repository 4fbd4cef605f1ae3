// `assay behave` as a user runs it (a subprocess): exit 0 when nothing at or above high was
// found, 1 when something was (a confirmed backdoor, a baseline mismatch, a hang, a refusal),
// 2 for usage and I/O errors; a hostile model ends within 60 s with the default limits.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BaselineInfo, BehaveRun } from '../../shared/api/methods/behave-schemas.ts';
import { cleanImageMlp, infiniteLoopModel, whereBackdoorMlp, PIXELS } from '../fixtures/behave-models.ts';
import { runAssay, runAssayJson } from '../helpers/cli.ts';
import { tempDir } from '../helpers/core.ts';
import { npyBytes, runtime } from './helpers.ts';

let dir: { path: string; remove(): Promise<void> };
let dataDir: string;
/** The infinite Loop with the default limits, started first: it runs beside the other tests. */
let hungRun: Promise<{ result: Awaited<ReturnType<typeof runAssay>>; elapsed: number }>;
let env: NodeJS.ProcessEnv;
const file = (name: string) => join(dir.path, name);

before(async () => {
  dir = await tempDir('assay-behave-cli-');
  dataDir = join(dir.path, 'data');
  env = { ASSAY_SANDBOX_WORKER: (await runtime()).workerPath };
  await writeFile(file('clean.onnx'), cleanImageMlp(11));
  await writeFile(file('retrained.onnx'), cleanImageMlp(12));
  await writeFile(file('backdoored.onnx'), whereBackdoorMlp(11));
  await writeFile(file('loop.onnx'), infiniteLoopModel());
  // A pickle that would run a command, named like a model.
  // Protocol 2: GLOBAL posix.system, BINUNICODE 'id', TUPLE1, REDUCE, STOP.
  await writeFile(file('model.onnx'), Buffer.concat([Buffer.from([0x80, 0x02]), Buffer.from('cposix\nsystem\nX', 'latin1'), Buffer.from([2, 0, 0, 0]), Buffer.from('id'), Buffer.from([0x85, 0x52, 0x2e])]));
  const values = Float32Array.from({ length: 40 * PIXELS }, (_, i) => (i * 7919 % 1000) / 1000);
  await writeFile(file('rows.npy'), npyBytes('<f4', [40, 1, 16, 16], values));
  const t0 = performance.now();
  hungRun = runAssay(['--json', 'behave', file('loop.onnx')], { dataDir: join(dir.path, 'data-hung'), env, timeoutMs: 90_000 })
    .then((result) => ({ result, elapsed: performance.now() - t0 }));
  hungRun.catch(() => {});
});

after(async () => {
  await dir.remove();
});

const run = (args: string[], timeoutMs = 90_000) => runAssay(args, { dataDir, env, timeoutMs });
const json = async (args: string[]) => {
  const r = await run(['--json', ...args]);
  try {
    return { code: r.code, run: JSON.parse(r.stdout) as BehaveRun, stderr: r.stderr };
  } catch {
    throw new Error(`no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
};

test('a clean model: exit 0, with the signature, isolation report, probes and fingerprint', async () => {
  const text = await run(['behave', file('clean.onnx'), '--probes', '{"seed": 7, "rows": 16}']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^isolation: (bubblewrap|unshare|plain).*\d\/7 forbidden operations denied/m);
  assert.match(text.stdout, /^limits: .*watchdog 30 s without progress, operation 60 s/m);
  assert.match(text.stdout, /^input {3}input {2}float32 \[batch, 1, 16, 16\]$/m);
  assert.match(text.stdout, /^probes: 16 rows, generated, seed 7/m);
  assert.match(text.stdout, /^fingerprint: [0-9a-f]{64}/m);
  assert.match(text.stdout, /^no findings$/m);
});

test('--backdoor on a backdoored model: exit 1 with the confirmed trigger; rows from a .npy file as clean samples', async () => {
  const j = await json(['behave', file('backdoored.onnx'), '--backdoor', '--probe-data', file('rows.npy')]);
  assert.equal(j.code, 1, j.stderr);
  assert.ok(j.run.findings.some((f) => f.ruleId === 'behave.graph-trigger-confirmed'));
  assert.equal(j.run.backdoor!.strip!.cleanSamples, true);
  assert.equal(j.run.id, null, 'runs on a file are not stored');
});

test('baselines in the model library: record, refuse a duplicate, compare (same model 0, retrained 1), list', async () => {
  const rec = await json(['behave', file('clean.onnx'), '--baseline', 'vetted']);
  assert.equal(rec.code, 0);
  assert.equal(rec.run.baseline!.scope, 'library');
  const dup = await run(['behave', file('clean.onnx'), '--baseline', 'vetted']);
  assert.equal(dup.code, 2);
  assert.match(dup.stderr, /already has a baseline "vetted".*--replace/);

  const same = await json(['behave', file('clean.onnx'), '--compare', 'vetted']);
  assert.equal(same.code, 0);
  assert.equal(same.run.comparison!.withinTolerance, true);
  const changed = await run(['behave', file('retrained.onnx'), '--compare', 'vetted']);
  assert.equal(changed.code, 1);
  assert.match(changed.stdout, /DIFFERS/);
  assert.match(changed.stdout, /high {5}behave\.baseline-mismatch/);

  const list = await runAssayJson<BaselineInfo[]>(['behave', 'baselines'], { dataDir });
  assert.deepEqual(list.json.map((b) => [b.name, b.modelSha256 === rec.run.modelSha256]), [['vetted', true]]);
});

test('usage and I/O errors exit 2', async () => {
  const cases: [string[], RegExp][] = [
    [['behave', file('clean.onnx'), '--backdoor', '--baseline', 'x'], /not --backdoor/],
    [['behave', file('missing.onnx')], /missing\.onnx/],
    [['behave', file('clean.onnx'), '--compare', 'nope'], /no baseline named "nope"/],
  ];
  for (const [args, message] of cases) {
    const r = await run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});

test('a hostile model is refused or contained, exit 1: a pickle named .onnx, and an infinite Loop within 60 s with the default limits', async () => {
  const refused = await json(['behave', file('model.onnx')]);
  assert.equal(refused.code, 1);
  assert.equal(refused.run.findings[0]!.ruleId, 'behave.refused');
  assert.equal(refused.run.isolation, null, 'no worker was started');

  const { result, elapsed } = await hungRun;
  assert.equal(result.code, 1, result.stderr);
  assert.ok(elapsed < 60_000, `ended after ${Math.round(elapsed)} ms`);
  const hung = JSON.parse(result.stdout) as BehaveRun;
  assert.equal(hung.failure!.kind, 'timeout');
  assert.equal(hung.deadline.ms, 60_000);
  assert.equal(hung.isolation!.limits.timeoutMs, 30_000, 'the default watchdog ended it');
  assert.ok(hung.findings.some((f) => f.ruleId === 'behave.sandbox-timeout'));

  const t1 = performance.now();
  const cut = await run(['behave', file('loop.onnx'), '--timeout', '120', '--command-timeout', '3']);
  assert.equal(cut.code, 1);
  assert.ok(performance.now() - t1 < 20_000);
  assert.match(cut.stdout, /the operation's 3 s limit ended it/);
});
