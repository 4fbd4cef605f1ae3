// Probe runs: run a probe set (generated from seeds, or rows from a dataset) through the
// sandboxed model, check determinism on a second pass, and compute the behavioural fingerprint
// on the canonical probe set.
import { isDType, type RunPlan } from '../../sandbox/protocol.ts';
import { behaveFinding } from './findings.ts';
import { canonicalProbeSpec, fingerprintOutputs, type Fingerprint } from './fingerprint.ts';
import { compareOutputs } from './baseline.ts';
import { generatedInputs, resolveProbeSet, type ProbeSpec, type ResolvedProbeSet } from './probe-spec.ts';
import { runSandboxed, uploadRows, type BehaveOptions, type SandboxContext } from './sandboxed.ts';
import type { IoMeta } from '../../sandbox/protocol.ts';
import type { ModelSignature, OutputTable, ProbeRows, SandboxedResult } from './types.ts';

export interface RunProbesOptions extends BehaveOptions {
  /** Generated probes: seed, rows, distributions, dimension values. */
  probes?: ProbeSpec;
  /** Rows from a dataset in the case, per input name (other inputs are generated). */
  rows?: ProbeRows;
  /** Outputs to collect; all numeric batched outputs by default. */
  outputs?: string[];
  /** Run the probes twice and compare (default true). */
  determinism?: boolean;
  /** Compute the behavioural fingerprint on the canonical probe set (default true). */
  fingerprint?: boolean;
}

export interface DeterminismCheck {
  deterministic: boolean;
  maxAbsDiff: number;
  tolerance: number;
}

export interface ProbeRunResult extends SandboxedResult {
  /** True when the probes ran and outputs were collected. */
  ok: boolean;
  modelSha256: string;
  /** I/O signature as onnxruntime reports it (symbolic dimensions by name). */
  signature: ModelSignature | null;
  /** The probe set as run; feed it back (with the same rows) to reproduce the outputs. */
  probe: ResolvedProbeSet | null;
  /** SHA-256 of the dataset rows used, or null for generated probes. */
  datasetDigest: string | null;
  outputs: Record<string, OutputTable>;
  fingerprint: Fingerprint | null;
  determinism: DeterminismCheck | null;
  /** Rows per second of the main probe run (generation and inference in the worker). */
  throughput: number | null;
}

/** Numeric outputs whose first dimension is the batch. */
export function batchedOutputs(outputs: readonly IoMeta[], probe: ResolvedProbeSet): string[] {
  const fixed = probe.inputs.find((x) => x.fixedBatch !== null)?.fixedBatch ?? null;
  return outputs
    .filter((o) => isDType(o.dtype) && o.shape !== null && o.shape.length > 0)
    .filter((o) => {
      const d = o.shape![0];
      return typeof d === 'string' || d === null || (fixed !== null && d === fixed);
    })
    .map((o) => o.name);
}

export const DETERMINISM_TOLERANCE = 1e-6;

async function fingerprintRun(ctx: SandboxContext, outputs: string[]): Promise<Fingerprint | null> {
  const canon = resolveProbeSet(ctx.prepared.model, canonicalProbeSpec());
  if (!canon.ok) return null;
  const r = await ctx.session.run({ rows: canon.probe.rows, batchSize: canon.probe.batchSize, inputs: generatedInputs(canon.probe), outputs });
  return fingerprintOutputs(r.outputs, canon.probe);
}

export async function runProbes(bytes: Uint8Array, options: RunProbesOptions): Promise<ProbeRunResult> {
  let datasetDigest: string | null = null;
  const o = await runSandboxed(bytes, options, options.probes, async (ctx) => {
    const { session, probe, progress } = ctx;
    const outputs = options.outputs ?? batchedOutputs(session.io.outputs, probe);
    if (outputs.length === 0) {
      ctx.findings.push(behaveFinding('behave.not-probed', `${options.name}: no numeric output is batched by row, so no probe results can be collected`));
      return null;
    }
    let inputs = generatedInputs(probe);
    let rows = probe.rows;
    if (options.rows && Object.keys(options.rows).length > 0) {
      const up = await uploadRows(session, probe, options.rows);
      inputs = up.plans;
      rows = up.rows;
      datasetDigest = up.digest;
      if (probe.inputs.some((x) => x.fixedBatch !== null) && rows % probe.batchSize !== 0) {
        throw new RangeError(`the model takes exactly ${probe.batchSize} rows per call; ${rows} probe rows are not a multiple`);
      }
    }
    const plan: RunPlan = { rows, batchSize: probe.batchSize, inputs, outputs };
    const passes = (options.determinism ?? true) ? 2 : 1;
    const total = rows * passes;
    progress({ stage: 'probe', done: 0, total });
    const first = await session.run(plan, (done) => progress({ stage: 'probe', done, total }));
    const throughput = first.inferMs + first.generateMs > 0 ? rows / (first.wallMs / 1000) : null;
    let determinism: DeterminismCheck | null = null;
    if (passes === 2) {
      progress({ stage: 'determinism', done: rows, total });
      const second = await session.run(plan, (done) => progress({ stage: 'determinism', done: rows + done, total }));
      const cmp = compareOutputs(first.outputs, second.outputs);
      let scale = 1;
      for (const t of Object.values(first.outputs)) for (const v of t.values) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
      const tolerance = DETERMINISM_TOLERANCE * scale;
      determinism = { deterministic: cmp.maxAbsDiff <= tolerance, maxAbsDiff: cmp.maxAbsDiff, tolerance };
      if (!determinism.deterministic) {
        ctx.findings.push(behaveFinding('behave.nondeterministic', `two runs on the same ${rows} probe rows differ by up to ${cmp.maxAbsDiff.toPrecision(3)} (tolerance ${tolerance.toPrecision(3)}); top-1 agreement ${(cmp.top1Agreement * 100).toFixed(1)}%`, {
          evidence: { maxAbsDiff: cmp.maxAbsDiff, top1Agreement: cmp.top1Agreement, rows },
        }));
      }
    }
    let fingerprint: Fingerprint | null = null;
    if (options.fingerprint ?? true) {
      progress({ stage: 'fingerprint', done: 0, total: 1 });
      fingerprint = await fingerprintRun(ctx, outputs);
    }
    return { outputs: first.outputs, determinism, fingerprint, throughput, signature: session.io };
  });
  const v = o.value;
  return {
    ok: v !== null,
    findings: o.findings,
    isolation: o.isolation,
    failure: o.failure,
    timings: o.timings,
    modelSha256: o.modelSha256,
    signature: v?.signature ?? null,
    probe: o.probe,
    datasetDigest,
    outputs: v?.outputs ?? {},
    fingerprint: v?.fingerprint ?? null,
    determinism: v?.determinism ?? null,
    throughput: v?.throughput ?? null,
  };
}

/** Computes only the behavioural fingerprint (canonical probe set), in its own sandboxed run. */
export async function behaviouralFingerprint(bytes: Uint8Array, options: BehaveOptions): Promise<SandboxedResult & { fingerprint: Fingerprint | null; modelSha256: string }> {
  const o = await runSandboxed(bytes, options, canonicalProbeSpec(), async (ctx) => {
    const outputs = batchedOutputs(ctx.session.io.outputs, ctx.probe);
    return outputs.length > 0 ? fingerprintRun(ctx, outputs) : null;
  });
  return { findings: o.findings, isolation: o.isolation, failure: o.failure, timings: o.timings, fingerprint: o.value ?? null, modelSha256: o.modelSha256 };
}
