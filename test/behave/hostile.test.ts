// Hostile models end as findings within the limits, and the parent stays healthy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProbes } from '../../main/core/behave/run.ts';
import { SandboxFailure, SandboxSession } from '../../main/core/behave/session.ts';
import {
  addOneModel, customOpModel, externalDataModel, hugeAllocationModel, hugeOutputModel, infiniteLoopModel, truncatedModel,
} from '../fixtures/behave-models.ts';
import { runtime, workersRunning } from './helpers.ts';

const quick = { determinism: false, fingerprint: false } as const;

async function healthyAfterwards(): Promise<void> {
  const r = await runProbes(addOneModel(), { name: 'add.onnx', runtime: await runtime(), ...quick, probes: { rows: 4 } });
  assert.ok(r.ok, 'a clean model still runs after the hostile one');
  assert.deepEqual(r.findings.filter((f) => f.severity === 'high'), []);
}

test('an infinite Loop is killed by the watchdog at its limit and reported; no worker is left behind', async () => {
  const rt = await runtime();
  const started = performance.now();
  const r = await runProbes(infiniteLoopModel(), { name: 'loop.onnx', runtime: rt, ...quick, limits: { timeoutMs: 2500 } });
  const elapsed = performance.now() - started;
  assert.ok(!r.ok);
  const f = r.findings.find((x) => x.ruleId === 'behave.sandbox-timeout');
  assert.ok(f, JSON.stringify(r.findings));
  assert.equal(f.severity, 'high');
  assert.equal(r.failure!.kind, 'timeout');
  assert.ok(elapsed >= 2400 && elapsed < 2500 + 5000, `ended after ${elapsed} ms`);
  assert.ok(r.isolation, 'the run record carries the isolation report');
  assert.deepEqual(await workersRunning(rt.workerPath), []);
  await healthyAfterwards();
});

test('a huge allocation fails inside the address-space limit and is reported as out of memory', async () => {
  const r = await runProbes(hugeAllocationModel(), { name: 'alloc.onnx', runtime: await runtime(), ...quick });
  assert.ok(!r.ok);
  assert.ok(r.findings.some((f) => f.ruleId === 'behave.sandbox-out-of-memory' && f.severity === 'high'), JSON.stringify(r.findings));
  assert.ok(r.timings.totalMs < 30_000);
  await healthyAfterwards();
});

test('a huge output is stopped by the output limit or the memory limit, never reaching the host', async () => {
  const small = await runProbes(hugeOutputModel(), {
    name: 'wide.onnx', runtime: await runtime(), ...quick, probes: { rows: 2, batchSize: 1 }, limits: { maxOutputBytes: 8 * 1024 * 1024 },
  });
  const f = small.findings.find((x) => x.ruleId === 'behave.output-limit');
  assert.ok(f, JSON.stringify(small.findings));
  assert.match(f.message, /33554432 bytes/);
  const big = await runProbes(hugeOutputModel(), { name: 'wide.onnx', runtime: await runtime(), ...quick });
  assert.ok(big.findings.some((x) => (x.ruleId === 'behave.output-limit' || x.ruleId === 'behave.sandbox-out-of-memory') && x.severity === 'high'), JSON.stringify(big.findings));
  assert.deepEqual(big.outputs, {});
});

test('malformed, custom-op and escaping models are refused at once, with no worker started', async () => {
  for (const [name, bytes] of [['truncated.onnx', truncatedModel()], ['custom.onnx', customOpModel()], ['escape.onnx', externalDataModel('../../../etc/passwd')]] as const) {
    const r = await runProbes(bytes, { name, runtime: await runtime(), ...quick });
    assert.ok(!r.ok, name);
    assert.equal(r.isolation, null, `${name}: no worker`);
    assert.equal(r.failure!.kind, 'refused');
    assert.ok(r.findings.some((f) => f.ruleId === 'behave.refused' && f.severity === 'high'), name);
    assert.ok(r.timings.totalMs < 5000);
  }
});

test('external data supplied as a buffer is used, and the worker never resolves paths in the host directory', async () => {
  const weights = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);
  const ok = await runProbes(externalDataModel('weights.bin'), {
    name: 'ext.onnx', runtime: await runtime(), ...quick, externalData: { 'weights.bin': weights },
    probes: { rows: 1, inputs: { x: { distribution: { kind: 'constant', value: 10 } } } },
  });
  assert.ok(ok.ok);
  assert.deepEqual(Array.from(ok.outputs.y!.values), [11, 12, 13, 14]);

  // Defence in depth: even bypassing the host's checks, a model loaded from bytes that names
  // ./secret.bin finds no such file: the worker's working directory is empty.
  const dir = await mkdtemp(join(tmpdir(), 'assay-secret-'));
  await writeFile(join(dir, 'secret.bin'), weights);
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const err = await SandboxSession.open(externalDataModel('secret.bin'), { runtime: await runtime(), optimization: 'disabled', selfTest: false })
      .then(async (s) => { await s.close(); return null; }, (e: unknown) => e);
    assert.ok(err instanceof SandboxFailure, 'loading must fail');
    assert.equal(err.info.kind, 'load-failed');
  } finally {
    process.chdir(cwd);
    await rm(dir, { recursive: true, force: true });
  }
});
