// Sandboxed inference on a 784-256-10 MLP: throughput at batch 256 with probes generated inside
// the worker, against in-process onnxruntime-node with the same session options in the same run;
// time from launch to the first result; and the full backdoor suite's wall time. Then the same
// with the store in the loop: the model added to a case and run through the API (reading and
// verifying the artifact, validation, the sandbox, storing the run, findings, evidence, custody).
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createCore } from '../../main/core/create-core.ts';
import { detectBackdoors } from '../../main/core/behave/backdoor.ts';
import { DEFAULT_LIMITS } from '../../main/core/behave/launcher.ts';
import { SandboxSession } from '../../main/core/behave/session.ts';
import { RowSource } from '../../main/sandbox/probes.ts';
import type { InputPlan, RunPlan } from '../../main/sandbox/protocol.ts';
import { mlpClassifier, seededRandom } from '../../test/fixtures/onnx-builder.ts';
import { buildWorkerBundle } from '../../test/behave/worker-bundle.ts';
import type { Bench, BenchResult } from './types.ts';

const BATCH = 256;
const BATCHES = 100;
const ROUNDS = 9;
const LAUNCHES = 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const bench: Bench = {
  description: 'sandboxed onnxruntime on a 784-256-10 MLP (throughput vs in-process, first-result latency, backdoor suite)',
  async run(ctx) {
    const workerPath = await buildWorkerBundle(join(ctx.tmpDir, 'worker.mjs'));
    const model = mlpClassifier([784, 256, 10], 7);
    const threads = DEFAULT_LIMITS.threads;

    // In-process reference: same options the worker builds, inputs prepared beforehand.
    process.env.ORT_DISABLE_TELEMETRY = '1';
    const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof import('onnxruntime-node');
    const ref = await ort.InferenceSession.create(model, {
      executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: threads, interOpNumThreads: 1,
      executionMode: 'sequential', enableCpuMemArena: true, enableMemPattern: true, logSeverityLevel: 3,
    });
    const rand = seededRandom(1);
    const feeds = Array.from({ length: 8 }, () => ({ input: new ort.Tensor('float32', Float32Array.from({ length: BATCH * 784 }, () => rand()), [BATCH, 784]) }));
    const inProcess = async (): Promise<number> => {
      const t0 = performance.now();
      for (let i = 0; i < BATCHES; i++) await ref.run(feeds[i % feeds.length]!);
      return (BATCHES * BATCH) / ((performance.now() - t0) / 1000);
    };
    // The same, generating each batch with the worker's own probe generator first.
    const probePlan: InputPlan = { source: 'generate', dtype: 'float32', rowShape: [784], distribution: { kind: 'uniform', min: 0, max: 1 }, seed: 5 };
    const source = new RowSource(probePlan, new Map());
    const buffer = new Float32Array(BATCH * 784);
    const inProcessGenerating = async (): Promise<number> => {
      const t0 = performance.now();
      for (let i = 0; i < BATCHES; i++) {
        for (let r = 0; r < BATCH; r++) source.copyRow(i * BATCH + r, buffer, r * 784);
        await ref.run({ input: new ort.Tensor('float32', buffer, [BATCH, 784]) });
      }
      return (BATCHES * BATCH) / ((performance.now() - t0) / 1000);
    };

    const session = await SandboxSession.open(model, { runtime: { workerPath } });
    const level = session.isolation!.level;
    const plan = (rows: number): RunPlan => ({ rows, batchSize: BATCH, outputs: ['probabilities'], inputs: { input: probePlan } });
    const sandboxed = async (): Promise<{ rate: number; generateMs: number; inferMs: number }> => {
      const r = await session.run(plan(BATCHES * BATCH));
      return { rate: r.rows / (r.wallMs / 1000), generateMs: r.generateMs, inferMs: r.inferMs };
    };
    await inProcess();
    await inProcessGenerating();
    await sandboxed();
    // Measured in short rounds, the three back to back in alternating order, so background load
    // hits them alike; each round gives a ratio and the median ratio is reported.
    const refRates: number[] = [];
    const genRates: number[] = [];
    const boxRates: number[] = [];
    const strict: number[] = [];
    const matched: number[] = [];
    let split = { generateMs: 0, inferMs: 0 };
    for (let i = 0; i < ROUNDS; i++) {
      let r = 0;
      let g = 0;
      let b = { rate: 0, generateMs: 0, inferMs: 0 };
      if (i % 2 === 0) {
        r = await inProcess();
        b = await sandboxed();
        g = await inProcessGenerating();
      } else {
        g = await inProcessGenerating();
        b = await sandboxed();
        r = await inProcess();
      }
      refRates.push(r);
      genRates.push(g);
      boxRates.push(b.rate);
      strict.push(b.rate / r);
      matched.push(b.rate / g);
      split = b;
    }
    await session.close();
    await ref.release();
    const refBest = median(refRates);
    const genBest = median(genRates);
    const boxBest = median(boxRates);
    const rates = (xs: number[]) => xs.map((r) => r.toFixed(0)).join('/');
    ctx.log(`isolation ${level}; rows/s in-process ${rates(refRates)}, in-process generating ${rates(genRates)}, sandboxed ${rates(boxRates)}`);

    // Launch to first result: validation excluded, isolation self-test included.
    const firsts: number[] = [];
    for (let i = 0; i < LAUNCHES; i++) {
      const t0 = performance.now();
      const s = await SandboxSession.open(model, { runtime: { workerPath } });
      let first = 0;
      await s.run(plan(BATCH), () => { first ||= performance.now() - t0; });
      firsts.push(first);
      await s.close();
    }
    ctx.log(`launch to first result: ${firsts.map((t) => t.toFixed(0)).join(', ')} ms`);

    const t0 = performance.now();
    const suite = await detectBackdoors(model, { name: 'mlp-784-256-10.onnx', runtime: { workerPath } });
    const suiteMs = performance.now() - t0;
    ctx.log(`backdoor suite: ok=${suite.ok}, findings ${suite.findings.map((f) => f.ruleId).join(', ') || 'none'}`);

    // The store in the loop: the same model as an artifact of a case, through the API.
    process.env.ASSAY_SANDBOX_WORKER = workerPath;
    const core = createCore({ dataDir: join(ctx.tmpDir, 'data'), defaultActor: 'bench' });
    let api: BenchResult[];
    try {
      const modelPath = join(ctx.tmpDir, 'mlp-784-256-10.onnx');
      await writeFile(modelPath, model);
      const caseId = (await core.invoke('cases.create', { name: 'bench', description: '' })).id;
      const artifactId = (await core.invoke('artifacts.add', { caseId, paths: [modelPath] })).added[0]!.id;
      const apiFirsts: number[] = [];
      const apiTotals: number[] = [];
      for (let i = 0; i < LAUNCHES; i++) {
        const t = performance.now();
        const r = await core.invoke('behave.probe', { artifactId, probes: { rows: BATCH, batchSize: BATCH } });
        apiTotals.push(performance.now() - t);
        apiFirsts.push(r.timings.firstResultMs ?? NaN);
      }
      // One cold run (a fresh worker, as every API run is): more rows amortise the warm-up.
      const apiRows = 4 * BATCHES * BATCH;
      const big = await core.invoke('behave.probe', { artifactId, probes: { rows: apiRows, batchSize: BATCH } });
      const t1 = performance.now();
      const apiSuite = await core.invoke('behave.backdoor', { artifactId });
      const apiSuiteMs = performance.now() - t1;
      ctx.log(`through the API: probe call ${apiTotals.map((t) => t.toFixed(0)).join(', ')} ms; first result ${apiFirsts.map((t) => t.toFixed(0)).join(', ')} ms; ${Math.round(big.throughput ?? 0)} rows/s on ${apiRows} rows`);
      api = [
        {
          name: 'API probe run throughput / in-process with ready inputs (store in the loop)',
          value: (big.throughput ?? 0) / refBest,
          unit: 'ratio',
          target: { bound: 0.8, better: 'higher' },
          detail: { apiRowsPerSec: Math.round(big.throughput ?? 0), inProcessRowsPerSec: Math.round(refBest), rows: apiRows, note: 'first pass of one cold run (fresh worker); a second pass checks determinism' },
        },
        {
          name: 'API probe run: launch to first result (median of 7, store in the loop)',
          value: median(apiFirsts),
          unit: 'ms',
          target: { bound: 500, better: 'lower' },
          detail: { wholeCallMedianMs: Math.round(median(apiTotals)), note: 'whole call = read + verify + validate + launch + probes + determinism pass + fingerprint + store' },
        },
        {
          name: 'API full backdoor suite (store in the loop)',
          value: apiSuiteMs / 1000,
          unit: 's',
          target: { bound: 30, better: 'lower' },
          detail: { ok: String(apiSuite.ok), findings: apiSuite.findings.length },
        },
      ];
    } finally {
      await core.close();
      delete process.env.ASSAY_SANDBOX_WORKER;
    }

    const results: BenchResult[] = [
      ...api,
      {
        name: 'sandboxed throughput / in-process with ready inputs (batch 256, median of rounds)',
        value: median(strict),
        unit: 'ratio',
        target: { bound: 0.8, better: 'higher' },
        detail: { sandboxRowsPerSec: Math.round(boxBest), inProcessRowsPerSec: Math.round(refBest), isolation: level, threads, workerGenerateMs: split.generateMs.toFixed(1), workerInferMs: split.inferMs.toFixed(1) },
      },
      {
        name: 'sandboxed throughput / in-process generating the same probes (batch 256, median of rounds)',
        value: median(matched),
        unit: 'ratio',
        target: { bound: 0.8, better: 'higher' },
        detail: { sandboxRowsPerSec: Math.round(boxBest), inProcessRowsPerSec: Math.round(genBest) },
      },
      {
        name: 'launch to first result (median of 7)',
        value: median(firsts),
        unit: 'ms',
        target: { bound: 500, better: 'lower' },
        detail: { min: Math.round(Math.min(...firsts)), max: Math.round(Math.max(...firsts)), isolation: level },
      },
      {
        name: 'full backdoor suite',
        value: suiteMs / 1000,
        unit: 's',
        target: { bound: 30, better: 'lower' },
        detail: { ok: String(suite.ok), findings: suite.findings.length, sweepCandidates: suite.sweep?.candidates.length ?? 0 },
      },
    ];
    return results;
  },
};

export default bench;
