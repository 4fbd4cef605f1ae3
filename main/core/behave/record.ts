// Engine results as the API carries and the store keeps them: outputs summarised (the raw
// outputs live only in baselines), the probe set with where its rows came from, non-finite
// numbers as null, typed arrays as plain arrays.
import type { BehaveRun, RunKind } from '../../../shared/api/methods/behave-schemas.ts';
import type { Finding } from '../../../shared/findings.ts';
import type { BackdoorReport } from './backdoor-types.ts';
import type { BaselineProbeData } from './baselines.ts';
import type { Fingerprint } from './fingerprint.ts';
import { argmaxRows } from './metrics.ts';
import type { ResolvedProbeSet } from './probe-spec.ts';
import type { ProbeRunResult } from './run.ts';
import type { OutputTable, SandboxedResult } from './types.ts';

type ProbeSetRecord = NonNullable<BehaveRun['probe']>;
export type DatasetInfo = NonNullable<ProbeSetRecord['dataset']>;
export type OutputSummary = BehaveRun['outputs'][number];

/** JSON round trip: Infinity and NaN become null, typed arrays plain arrays. */
export function jsonSafe<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v))) as T;
}

export function finite(n: number | null | undefined): number | null {
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

/** Above this many values per row an output is not read as class scores. */
const MAX_CLASSES = 1000;

export function summariseOutput(t: OutputTable): OutputSummary {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let n = 0;
  for (const v of t.values) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    n++;
  }
  let classCounts: number[] | null = null;
  if (t.perRow >= 2 && t.perRow <= MAX_CLASSES) {
    classCounts = new Array<number>(t.perRow).fill(0);
    for (const k of argmaxRows(t)) classCounts[k]!++;
  }
  return { name: t.name, dtype: t.dtype, rowShape: t.rowShape, rows: t.rows, min: finite(min), max: finite(max), mean: n > 0 ? sum / n : null, classCounts };
}

export function summariseOutputs(outputs: Record<string, OutputTable>): OutputSummary[] {
  return Object.values(outputs).sort((a, b) => (a.name < b.name ? -1 : 1)).map(summariseOutput);
}

export function probeSetRecord(probe: ResolvedProbeSet | null, dataset: DatasetInfo | null): ProbeSetRecord | null {
  if (!probe) return null;
  return {
    seed: probe.seed,
    rows: dataset ? dataset.rows : probe.rows,
    batchSize: probe.batchSize,
    inputs: probe.inputs.map((x) => ({
      name: x.name, dtype: x.dtype, rowShape: x.rowShape, distribution: x.distribution, kind: x.kind,
      layout: x.image?.layout ?? null, vocab: x.vocab,
    })),
    source: dataset ? 'dataset' : 'generated',
    dataset,
  };
}

export function fingerprintRecord(fp: Fingerprint | null): BehaveRun['fingerprint'] {
  return fp ? { scheme: fp.scheme, digest: fp.digest, seed: fp.seed, rows: fp.rows } : null;
}

export function backdoorRecord(r: BackdoorReport): NonNullable<BehaveRun['backdoor']> {
  return jsonSafe({
    output: r.output, graph: r.graph, confirmations: r.confirmations, sweep: r.sweep, strip: r.strip,
    robustness: r.robustness, skipped: r.skipped,
  }) as NonNullable<BehaveRun['backdoor']>;
}

export interface RunMeta {
  id: string | null;
  caseId: string | null;
  artifactId: string | null;
  kind: RunKind;
  modelName: string;
  modelSha256: string;
  startedAt: string;
  finishedAt: string;
  actor: string;
  deadlineMs: number;
  deadlineAt: number | undefined;
}

/** Whether a timeout was the operation's deadline (not the watchdog). */
export function deadlineHit(meta: Pick<RunMeta, 'deadlineAt'>, result: Pick<SandboxedResult, 'failure'>): boolean {
  return result.failure?.kind === 'timeout' && meta.deadlineAt !== undefined && performance.now() >= meta.deadlineAt - 50;
}

/** The common part of every run record; the caller fills in what its kind produced. */
export function runRecord(meta: RunMeta, result: SandboxedResult & { ok: boolean }, findings: readonly Finding[] = result.findings): BehaveRun {
  return jsonSafe<BehaveRun>({
    id: meta.id,
    caseId: meta.caseId,
    artifactId: meta.artifactId,
    kind: meta.kind,
    modelName: meta.modelName,
    modelSha256: meta.modelSha256,
    startedAt: meta.startedAt,
    finishedAt: meta.finishedAt,
    actor: meta.actor,
    ok: result.ok,
    findings: [...findings],
    isolation: result.isolation,
    failure: result.failure,
    timings: result.timings,
    deadline: { ms: meta.deadlineMs, hit: deadlineHit(meta, result) },
    signature: null,
    probe: null,
    fingerprint: null,
    determinism: null,
    throughput: null,
    outputs: [],
    backdoor: null,
    baseline: null,
    comparison: null,
    sideBySide: null,
  });
}

/** The record of a probe run (probe, baseline, compare and side-by-side kinds start from it). */
export function probeRunRecord(meta: RunMeta, run: ProbeRunResult, dataset: { source: BaselineProbeData; rows: number } | null, findings: readonly Finding[] = run.findings): BehaveRun {
  const r = runRecord(meta, run, findings);
  r.signature = run.signature ? jsonSafe(run.signature) : null;
  r.probe = probeSetRecord(run.probe, dataset
    ? {
      artifactId: dataset.source.artifactId, name: dataset.source.name, input: dataset.source.input, columns: dataset.source.columns,
      rows: dataset.rows, digest: run.datasetDigest ?? '',
    }
    : null);
  r.fingerprint = fingerprintRecord(run.fingerprint);
  r.determinism = run.determinism ? jsonSafe({ ...run.determinism, maxAbsDiff: finite(run.determinism.maxAbsDiff), tolerance: finite(run.determinism.tolerance) }) : null;
  r.throughput = finite(run.throughput);
  r.outputs = summariseOutputs(run.outputs);
  return r;
}
