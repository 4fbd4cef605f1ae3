// Probe runs, determinism, fingerprints, baselines, dataset rows, introspection, cancellation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { compareRuns, compareToBaseline, recordBaseline, specOf, type Baseline } from '../../main/core/behave/baseline.ts';
import { compareFingerprints } from '../../main/core/behave/fingerprint.ts';
import { inspectModel } from '../../main/core/behave/inspect.ts';
import { parseNpy } from '../../main/core/behave/npy.ts';
import { behaviouralFingerprint, runProbes } from '../../main/core/behave/run.ts';
import { SandboxSession } from '../../main/core/behave/session.ts';
import { RowSource } from '../../main/sandbox/probes.ts';
import type { InputPlan } from '../../main/sandbox/protocol.ts';
import type { Progress } from '../../main/core/behave/types.ts';
import { cleanImageMlp, cleanTokenClassifier, randomOutputModel, whereBackdoorMlp } from '../fixtures/behave-models.ts';
import { seededRandom } from '../fixtures/onnx-builder.ts';
import { npyBytes, runtime, workersRunning } from './helpers.ts';

const clean = cleanImageMlp();

test('a probe run returns outputs per row, the isolation report, a determinism check and a fingerprint', async () => {
  const stages = new Set<Progress['stage']>();
  const r = await runProbes(clean, { name: 'clean.onnx', runtime: await runtime(), onProgress: (p) => stages.add(p.stage) });
  assert.ok(r.ok);
  assert.deepEqual(r.findings.filter((f) => f.ruleId !== 'behave.isolation-degraded'), []);
  const p = r.outputs.probabilities!;
  assert.equal(p.rows, 64);
  assert.equal(p.perRow, 10);
  for (let i = 0; i < p.rows; i++) {
    const sum = p.values.subarray(i * 10, i * 10 + 10).reduce((a, v) => a + v, 0);
    assert.ok(Math.abs(sum - 1) < 1e-5);
  }
  assert.equal(r.signature!.inputs[0]!.name, 'input');
  assert.deepEqual(r.signature!.inputs[0]!.shape, ['batch', 1, 16, 16]);
  assert.ok(r.isolation && r.isolation.limits.timeoutMs === 30_000 && r.isolation.checks.length === 7);
  assert.deepEqual(r.determinism, { deterministic: true, maxAbsDiff: 0, tolerance: 1e-6 });
  assert.match(r.fingerprint!.digest, /^[0-9a-f]{64}$/);
  assert.ok(r.timings.firstResultMs! > 0 && r.timings.firstResultMs! < r.timings.totalMs);
  for (const s of ['validate', 'launch', 'probe', 'determinism', 'fingerprint', 'done'] as const) assert.ok(stages.has(s), s);
});

test('the fingerprint is stable for a model, changes with its weights, and cannot see an exact-value graph trigger', async () => {
  const rt = await runtime();
  const fp = async (bytes: Uint8Array) => (await behaviouralFingerprint(bytes, { name: 'm.onnx', runtime: rt })).fingerprint!;
  const a = await fp(clean);
  const again = await fp(cleanImageMlp());
  const other = await fp(cleanImageMlp(12));
  const trojan = await fp(whereBackdoorMlp());
  assert.equal(again.digest, a.digest);
  assert.equal(compareFingerprints(a, again).verdict, 'identical');
  assert.notEqual(other.digest, a.digest);
  assert.equal(compareFingerprints(a, other).verdict, 'different');
  // Why graph inspection comes first: random probes never hit the exact trigger values.
  assert.equal(trojan.digest, a.digest);
});

test('a baseline round-trips through JSON and matches a re-run; another model fails it with a high finding', async () => {
  const rt = await runtime();
  const first = await runProbes(clean, { name: 'clean.onnx', runtime: rt, determinism: false, probes: { rows: 16, seed: 99 } });
  const baseline = JSON.parse(JSON.stringify(recordBaseline('v1', first, '2024-01-01T00:00:00Z'))) as Baseline;
  assert.equal(baseline.probe.seed, 99);
  const rerun = await runProbes(clean, { name: 'clean.onnx', runtime: rt, determinism: false, probes: baseline.probe });
  const same = compareToBaseline(baseline, rerun);
  assert.ok(same.withinTolerance);
  assert.deepEqual(same.findings, []);
  assert.equal(same.outputs.top1Agreement, 1);
  const changed = await runProbes(cleanImageMlp(12), { name: 'v2.onnx', runtime: rt, determinism: false, probes: baseline.probe });
  const diff = compareToBaseline(baseline, changed);
  assert.ok(!diff.withinTolerance);
  assert.equal(diff.findings[0]!.ruleId, 'behave.baseline-mismatch');
  assert.equal(diff.findings[0]!.severity, 'high');
  assert.ok(diff.outputs.top1Agreement < 0.9);
  const side = compareRuns(first, changed);
  assert.ok(!side.withinTolerance);
  assert.equal(side.fingerprint!.verdict, 'different');
  assert.deepEqual(specOf(first.probe!).inputs!.input!.rowShape, [1, 16, 16]);
});

test('a model with a random operator is reported as nondeterministic; a plain model is not', async () => {
  const r = await runProbes(randomOutputModel(), { name: 'random.onnx', runtime: await runtime(), fingerprint: false });
  assert.ok(r.ok);
  assert.equal(r.determinism!.deterministic, false);
  assert.ok(r.findings.some((f) => f.ruleId === 'behave.nondeterministic' && f.severity === 'medium'));
});

test('probe rows from a dataset (NPY) cross into the worker exactly: outputs match in-process onnxruntime', async () => {
  const rand = seededRandom(3);
  const rows = 5;
  const data = Float32Array.from({ length: rows * 256 }, () => rand());
  const matrix = parseNpy(npyBytes('<f4', [rows, 1, 16, 16], data));
  const r = await runProbes(clean, { name: 'clean.onnx', runtime: await runtime(), rows: { input: matrix }, fingerprint: false, determinism: false });
  assert.ok(r.ok);
  assert.equal(r.outputs.probabilities!.rows, rows);
  assert.match(r.datasetDigest!, /^[0-9a-f]{64}$/);
  process.env.ORT_DISABLE_TELEMETRY = '1';
  const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof import('onnxruntime-node');
  const s = await ort.InferenceSession.create(clean);
  const expected = (await s.run({ input: new ort.Tensor('float32', data, [rows, 1, 16, 16]) })).probabilities!.data as Float32Array;
  const got = r.outputs.probabilities!.values;
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(expected[i]! - got[i]!) < 1e-6);
  await assert.rejects(runProbes(clean, { name: 'clean.onnx', runtime: await runtime(), rows: { input: { rows: 2, values: new Float32Array(10) } } }), RangeError);
});

test('generated rows reach onnxruntime intact whether a batch is a view of the pool or a copy', async () => {
  // Batches of 64 lie inside blocks of the pool (256 rows) and go to onnxruntime without a copy;
  // the batch of 50 at row 250 straddles two blocks and is copied. Every row must get the output
  // in-process onnxruntime gives it.
  const plan: InputPlan = { source: 'generate', dtype: 'float32', rowShape: [1, 16, 16], distribution: { kind: 'uniform', min: 0, max: 1 }, seed: 21 };
  const rows = 300;
  const session = await SandboxSession.open(clean, { runtime: await runtime(), selfTest: false });
  const outputs: Float64Array[] = [];
  try {
    for (const batchSize of [64, 50]) {
      const r = await session.run({ rows, batchSize, outputs: ['probabilities'], inputs: { input: plan } });
      outputs.push(r.outputs.probabilities!.values);
    }
  } finally {
    await session.close();
  }
  const source = new RowSource(plan, new Map());
  assert.ok(source.view(64, 64, rows) !== null && source.view(250, 50, rows) === null, 'batches of 50 cross a block at row 256 and are copied there');
  const data = new Float32Array(rows * 256);
  source.copyRows(0, rows, rows, data, 0);
  process.env.ORT_DISABLE_TELEMETRY = '1';
  const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof import('onnxruntime-node');
  const s = await ort.InferenceSession.create(clean);
  const expected = (await s.run({ input: new ort.Tensor('float32', data, [rows, 1, 16, 16]) })).probabilities!.data as Float32Array;
  await s.release();
  for (const got of outputs) {
    assert.equal(got.length, expected.length);
    for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(expected[i]! - got[i]!) < 1e-6, `value ${i}: ${got[i]} vs ${expected[i]}`);
  }
});

test('introspection shows names, element types and symbolic dimensions, and the probes a run would use', () => {
  const img = inspectModel(clean);
  assert.ok(img.ok);
  assert.deepEqual(img.inputs[0], { name: 'input', elementType: 'float32', shape: ['batch', 1, 16, 16] });
  assert.deepEqual(img.outputs[0], { name: 'probabilities', elementType: 'float32', shape: ['batch', 10] });
  assert.equal(img.probes!.inputs[0]!.kind, 'image');
  assert.deepEqual(img.probes!.inputs[0]!.image, { layout: 'NCHW', channels: 1, height: 16, width: 16 });
  const tok = inspectModel(cleanTokenClassifier());
  assert.equal(tok.probes!.inputs[0]!.kind, 'tokens');
  assert.equal(tok.probes!.inputs[0]!.vocab, 64);
  assert.deepEqual(tok.probes!.inputs[0]!.distribution, { kind: 'integers', min: 0, max: 63 });
  assert.ok(!inspectModel(new Uint8Array([0x08, 0x07, 0x12, 0xff])).ok);
  assert.equal(inspectModel(whereBackdoorMlp()).graphTriggers.length, 1);
});

test('cancelling with an AbortSignal stops the run and leaves no worker', async () => {
  const rt = await runtime();
  const ac = new AbortController();
  const run = runProbes(clean, { name: 'clean.onnx', runtime: rt, signal: ac.signal, probes: { rows: 200_000 }, fingerprint: false, onProgress: (p) => { if (p.stage === 'probe' && p.done > 0) ac.abort(); } });
  await assert.rejects(run, (e: unknown) => (e as Error).name === 'AbortError');
  assert.deepEqual(await workersRunning(rt.workerPath), []);
});
