// Behaviour tests on the ONNX artifacts of a case: inspection, probe runs, baselines recorded
// and compared, two versions side by side, and the backdoor suite. Every run is stored with its
// findings, evidence and custody events (commit.ts).
import type { z } from 'zod';
import { ApiError } from '../../../shared/api/errors.ts';
import type { behaveMethods } from '../../../shared/api/methods/behave.ts';
import type { BehaveRun, Inspection } from '../../../shared/api/methods/behave-schemas.ts';
import { getArtifact, type ArtifactRecord } from '../../store/repos/artifacts.ts';
import { findArtifactBaseline, listRuns, type StoredBaseline } from '../../store/repos/behave.ts';
import { getScanReport } from '../../store/repos/scans.ts';
import { newId } from '../../store/ids.ts';
import type { OnnxGraphSummary } from '../../../shared/scan-details.ts';
import type { CoreContext } from '../context.ts';
import { FORMATS, type FormatId } from '../formats/catalogue.ts';
import type { Job } from '../jobs/registry.ts';
import { detectBackdoors } from './backdoor.ts';
import { compareRuns, compareToBaseline, recordBaseline, specOf, type Tolerance } from './baseline.ts';
import { baselineInfo, baselineMeta, requireBaseline, type BaselineMeta } from './baselines.ts';
import { commitRun } from './commit.ts';
import { inspectModel } from './inspect.ts';
import { argmaxRows } from './metrics.ts';
import { externalLocations, readArtifactModel, sha256Hex, readBounded, MAX_MODEL_BYTES } from './model-source.ts';
import { progressOn, startOperation, wrapEngineErrors } from './operation.ts';
import { caseProbeRows, type LoadedRows } from './probe-rows.ts';
import type { ProbeSpec } from './probe-spec.ts';
import { backdoorRecord, finite, fingerprintRecord, jsonSafe, probeRunRecord, runRecord, summariseOutputs } from './record.ts';
import { runProbes, type ProbeRunResult } from './run.ts';
import { artifactBytesPath } from '../scan/service.ts';

type In<M extends keyof typeof behaveMethods> = z.output<(typeof behaveMethods)[M]['input']>;

export function requireOnnxArtifact(ctx: CoreContext, artifactId: string): ArtifactRecord {
  const a = getArtifact(ctx.db, artifactId);
  if (!a) throw new ApiError('not_found', `no artifact with id ${artifactId}`);
  if (a.format !== 'onnx') {
    throw new ApiError('invalid_input', `${a.displayName} is ${FORMATS[a.format as FormatId]?.label ?? a.format} by its content; behaviour tests run ONNX models only`);
  }
  return a;
}

/** Above this size inspection uses the scanner's stored summary instead of decoding the graph again. */
const INSPECT_DECODE_LIMIT = 512 * 1024 * 1024;

export async function inspectArtifact(ctx: CoreContext, input: In<'behave.inspect'>): Promise<Inspection> {
  const a = requireOnnxArtifact(ctx, input.artifactId);
  if (a.size > INSPECT_DECODE_LIMIT) {
    const summary = getScanReport(ctx.db, a.id)?.units.find((u) => u.details.onnx)?.details.onnx as OnnxGraphSummary | undefined;
    return {
      ok: summary !== undefined, error: summary ? null : 'no graph summary stored for this model', modelSha256: a.sha256,
      inputs: summary?.inputs ?? [], outputs: summary?.outputs ?? [], probes: null,
      probeError: `the model is ${a.size} bytes; its probes and graph triggers are worked out when a run starts`,
      graphTriggers: [], externalData: summary?.externalData.map((e) => e.location) ?? [],
    };
  }
  const bytes = await readBounded(artifactBytesPath(ctx, a), MAX_MODEL_BYTES, 'the model');
  const sha = sha256Hex(bytes);
  if (sha !== a.sha256) throw new ApiError('conflict', `${a.displayName} no longer has the content recorded at intake; add it again as a new artifact`);
  const r = await wrapEngineErrors(async () => inspectModel(bytes, input.probes as ProbeSpec | undefined));
  return jsonSafe<Inspection>({
    ok: r.ok, error: r.error, modelSha256: sha, inputs: r.inputs, outputs: r.outputs,
    probes: r.probes
      ? {
        seed: r.probes.seed, rows: r.probes.rows, batchSize: r.probes.batchSize,
        inputs: r.probes.inputs.map((x) => ({ name: x.name, dtype: x.dtype, rowShape: x.rowShape, distribution: x.distribution, kind: x.kind, layout: x.image?.layout ?? null, vocab: x.vocab })),
      }
      : null,
    probeError: r.probeError,
    graphTriggers: r.graphTriggers,
    externalData: externalLocations(bytes),
  });
}

function datasetOf(loaded: LoadedRows | null): { source: LoadedRows['source']; rows: number } | null {
  return loaded ? { source: loaded.source, rows: Object.values(loaded.rows)[0]?.rows ?? 0 } : null;
}

/** A probe run, recorded as a named baseline when `baselineName` is given. */
export async function probeArtifact(ctx: CoreContext, input: In<'behave.probe'>, job: Job, baselineName: string | null = null): Promise<BehaveRun> {
  const artifact = requireOnnxArtifact(ctx, input.artifactId);
  if (baselineName !== null) {
    const existing = findArtifactBaseline(ctx.db, artifact.id, baselineName);
    if (existing) throw new ApiError('conflict', `${artifact.displayName} already has a baseline named "${baselineName}" (recorded ${existing.createdAt}); choose another name`);
  }
  const op = await startOperation(ctx, input, job, artifact.displayName);
  const model = await readArtifactModel(ctx, artifact);
  const probes = input.probes as ProbeSpec | undefined;
  const loaded = input.probeData ? await caseProbeRows(ctx, artifact.caseId, input.probeData, model.bytes, probes, job.signal) : null;
  const run = await wrapEngineErrors(() => runProbes(model.bytes, {
    ...op.options, name: model.name, externalData: model.externalData,
    ...(probes ? { probes } : {}), ...(loaded ? { rows: loaded.rows } : {}),
  }));
  const record = probeRunRecord(op.meta({ kind: baselineName !== null ? 'baseline' : 'probe', modelName: artifact.displayName, modelSha256: model.sha256 }), run, datasetOf(loaded));
  let stored: StoredBaseline<BaselineMeta> | null = null;
  if (baselineName !== null && run.ok) {
    const doc = recordBaseline(baselineName, run, ctx.now());
    stored = {
      id: newId(), caseId: artifact.caseId, artifactId: artifact.id, modelSha256: model.sha256, name: baselineName,
      createdAt: doc.createdAt, createdBy: ctx.actor(), info: baselineMeta(doc, loaded?.source ?? null), data: doc,
    };
    record.baseline = baselineInfo(ctx, stored, { caseId: artifact.caseId, artifactId: artifact.id });
  }
  return commitRun(ctx, artifact, record, '', stored);
}

export async function backdoorArtifact(ctx: CoreContext, input: In<'behave.backdoor'>, job: Job): Promise<BehaveRun> {
  const artifact = requireOnnxArtifact(ctx, input.artifactId);
  const op = await startOperation(ctx, input, job, artifact.displayName);
  const model = await readArtifactModel(ctx, artifact);
  const probes = input.probes as ProbeSpec | undefined;
  const clean = input.cleanData ? await caseProbeRows(ctx, artifact.caseId, input.cleanData, model.bytes, probes, job.signal) : null;
  const report = await wrapEngineErrors(() => detectBackdoors(model.bytes, {
    ...op.options, name: model.name, externalData: model.externalData,
    ...(probes ? { probes } : {}), ...(clean ? { cleanRows: clean.rows } : {}),
  }));
  const record = runRecord(op.meta({ kind: 'backdoor', modelName: artifact.displayName, modelSha256: model.sha256 }), report);
  record.backdoor = backdoorRecord(report);
  return commitRun(ctx, artifact, record, '', null);
}

export async function compareWithBaseline(ctx: CoreContext, input: In<'behave.baselines.compare'>, job: Job): Promise<BehaveRun> {
  const artifact = requireOnnxArtifact(ctx, input.artifactId);
  const baseline = requireBaseline(ctx, input.baselineId, artifact.caseId);
  const op = await startOperation(ctx, input, job, artifact.displayName);
  const model = await readArtifactModel(ctx, artifact);
  const from = baseline.info.probeData;
  let loaded: LoadedRows | null = null;
  if (from) {
    if (!from.artifactId) {
      throw new ApiError('invalid_input', `baseline "${baseline.name}" was recorded on rows of the file ${from.name}; compare with it from the command line with the same --probe-data`);
    }
    loaded = await caseProbeRows(ctx, artifact.caseId, { artifactId: from.artifactId, input: from.input, columns: from.columns ?? undefined, maxRows: from.maxRows }, model.bytes, baseline.data.probe, job.signal);
  }
  const run = await wrapEngineErrors(() => runProbes(model.bytes, {
    ...op.options, name: model.name, externalData: model.externalData, probes: baseline.data.probe, ...(loaded ? { rows: loaded.rows } : {}),
  }));
  if (loaded && run.ok && run.datasetDigest !== baseline.data.datasetDigest) {
    throw new ApiError('conflict', `the probe rows of ${from!.name} differ from those baseline "${baseline.name}" was recorded on`);
  }
  const cmp = compareToBaseline(baseline.data, run, input.tolerance as Partial<Tolerance> | undefined);
  const record = probeRunRecord(op.meta({ kind: 'compare', modelName: artifact.displayName, modelSha256: model.sha256 }), run, datasetOf(loaded), [...run.findings, ...cmp.findings]);
  record.comparison = jsonSafe({
    baseline: baselineInfo(ctx, baseline, { caseId: artifact.caseId, artifactId: artifact.id }),
    sameModelDigest: cmp.sameModelDigest, outputs: cmp.outputs, fingerprint: cmp.fingerprint, tolerance: cmp.tolerance, withinTolerance: cmp.withinTolerance,
  });
  return commitRun(ctx, artifact, record, baseline.id, null);
}

const MAX_DISAGREEMENTS = 20;

function disagreements(a: ProbeRunResult, b: ProbeRunResult): { output: string; row: number; a: number; b: number }[] {
  const out: { output: string; row: number; a: number; b: number }[] = [];
  for (const [name, ta] of Object.entries(a.outputs)) {
    const tb = b.outputs[name];
    if (!tb || ta.perRow < 2 || ta.perRow !== tb.perRow || ta.rows !== tb.rows) continue;
    const pa = argmaxRows(ta);
    const pb = argmaxRows(tb);
    for (let r = 0; r < ta.rows && out.length < MAX_DISAGREEMENTS; r++) if (pa[r] !== pb[r]) out.push({ output: name, row: r, a: pa[r]!, b: pb[r]! });
  }
  return out;
}

function side(a: ArtifactRecord, run: ProbeRunResult): NonNullable<BehaveRun['sideBySide']>['a'] {
  return jsonSafe({
    artifactId: a.id, name: a.displayName, modelSha256: run.modelSha256, ok: run.ok, signature: run.signature,
    fingerprint: fingerprintRecord(run.fingerprint), outputs: summariseOutputs(run.outputs), findings: run.findings, failure: run.failure,
  });
}

/** Two versions on the same probe set (the first's, resolved), side by side; no finding but each side's own. */
export async function compareVersions(ctx: CoreContext, input: In<'behave.compareVersions'>, job: Job): Promise<BehaveRun> {
  const a = requireOnnxArtifact(ctx, input.artifactId);
  const b = requireOnnxArtifact(ctx, input.otherArtifactId);
  if (a.caseId !== b.caseId) throw new ApiError('invalid_input', 'the two versions must be artifacts of the same case');
  if (a.id === b.id) throw new ApiError('invalid_input', 'choose another artifact to compare with');
  const op = await startOperation(ctx, input, job, a.displayName);
  const [ma, mb] = [await readArtifactModel(ctx, a), await readArtifactModel(ctx, b)];
  const probes = input.probes as ProbeSpec | undefined;
  const runA = await wrapEngineErrors(() => runProbes(ma.bytes, {
    ...op.options, name: ma.name, externalData: ma.externalData, determinism: false, ...(probes ? { probes } : {}),
  }));
  const spec = runA.probe ? specOf(runA.probe) : probes;
  const runB = await wrapEngineErrors(() => runProbes(mb.bytes, {
    ...op.options, onProgress: progressOn(job, b.displayName), name: mb.name, externalData: mb.externalData, determinism: false, ...(spec ? { probes: spec } : {}),
  }));
  const sbs = compareRuns(runA, runB, input.tolerance as Partial<Tolerance> | undefined);
  const record = probeRunRecord(op.meta({ kind: 'side-by-side', modelName: a.displayName, modelSha256: ma.sha256 }), runA, null);
  record.ok = runA.ok && runB.ok;
  record.deadline.hit ||= runB.failure?.kind === 'timeout' && op.deadlineAt !== undefined && performance.now() >= op.deadlineAt - 50;
  record.sideBySide = jsonSafe({
    a: side(a, runA), b: side(b, runB), outputs: sbs.outputs, fingerprint: sbs.fingerprint, withinTolerance: sbs.withinTolerance,
    disagreements: disagreements(runA, runB),
  });
  record.throughput = finite(runA.throughput);
  return commitRun(ctx, a, record, b.id, null);
}

export function runsOf(ctx: CoreContext, input: In<'behave.runs'>): BehaveRun[] {
  requireOnnxArtifact(ctx, input.artifactId);
  return listRuns<BehaveRun>(ctx.db, input.artifactId, input.kind ?? null, input.limit).map((r) => r.result);
}
