// Baselines: outputs recorded on a probe set (the store keeps them as JSON), compared with a
// re-run of the same probe set, or two model versions side by side. Pure functions over outputs.
import type { Finding } from '../../../shared/findings.ts';
import { behaveFinding } from './findings.ts';
import { compareFingerprints, type Fingerprint, type FingerprintComparison } from './fingerprint.ts';
import { argmaxRows } from './metrics.ts';
import type { ProbeSpec, ResolvedProbeSet } from './probe-spec.ts';
import type { ProbeRunResult } from './run.ts';
import type { OutputTable } from './types.ts';

export const BASELINE_FORMAT = 'assay-behaviour-baseline/1';

export interface BaselineOutput {
  name: string;
  dtype: string;
  rowShape: number[];
  rows: number;
  /** Float32 little-endian values, base64. */
  values: string;
}

export interface Baseline {
  format: string;
  name: string;
  createdAt: string;
  modelSha256: string;
  /** The probe specification that reproduces the probe set. */
  probe: ProbeSpec;
  /** SHA-256 of dataset rows the probes came from; the same rows must be supplied again. */
  datasetDigest: string | null;
  outputs: BaselineOutput[];
  fingerprint: Fingerprint | null;
}

export interface Tolerance {
  /** Largest absolute difference of any output value. */
  maxAbsDiff: number;
  /** Smallest share of rows whose top-1 class must agree (outputs with two or more values per row). */
  minTop1Agreement: number;
}

export const DEFAULT_TOLERANCE: Tolerance = { maxAbsDiff: 1e-4, minTop1Agreement: 0.99 };

export interface OutputComparison {
  name: string;
  comparable: boolean;
  maxAbsDiff: number;
  meanAbsDiff: number;
  /** Share of rows with the same argmax, or null for one value per row. */
  top1Agreement: number | null;
  note?: string;
}

export interface OutputsComparison {
  outputs: OutputComparison[];
  maxAbsDiff: number;
  /** Lowest top-1 agreement over the outputs (1 when none has classes). */
  top1Agreement: number;
  comparable: boolean;
}

/** The specification that regenerates a resolved probe set exactly. */
export function specOf(probe: ResolvedProbeSet): ProbeSpec {
  return {
    seed: probe.seed,
    rows: probe.rows,
    batchSize: probe.batchSize,
    inputs: Object.fromEntries(probe.inputs.map((x) => [x.name, { distribution: x.distribution, rowShape: x.rowShape, layout: x.image?.layout ?? 'none' }])),
  };
}

function table(o: BaselineOutput): OutputTable {
  const b = Buffer.from(o.values, 'base64');
  const f = new Float32Array(new Uint8Array(b).buffer, 0, b.byteLength >> 2);
  const perRow = o.rowShape.reduce((a, d) => a * d, 1);
  return { name: o.name, dtype: o.dtype, rowShape: o.rowShape, perRow, rows: o.rows, values: Float64Array.from(f) };
}

export function compareOutputs(a: Record<string, OutputTable>, b: Record<string, OutputTable>): OutputsComparison {
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const outputs: OutputComparison[] = [];
  for (const name of names) {
    const x = a[name];
    const y = b[name];
    if (!x || !y || x.perRow !== y.perRow || x.rows !== y.rows) {
      outputs.push({ name, comparable: false, maxAbsDiff: Infinity, meanAbsDiff: Infinity, top1Agreement: 0, note: !x || !y ? 'present on one side only' : 'shapes differ' });
      continue;
    }
    let max = 0;
    let sum = 0;
    for (let i = 0; i < x.values.length; i++) {
      const xv = x.values[i]!;
      const yv = y.values[i]!;
      const d = Number.isNaN(xv) && Number.isNaN(yv) ? 0 : Math.abs(xv - yv);
      const dd = Number.isNaN(d) ? Infinity : d;
      if (dd > max) max = dd;
      sum += dd;
    }
    let top1: number | null = null;
    if (x.perRow >= 2) {
      const pa = argmaxRows(x);
      const pb = argmaxRows(y);
      let same = 0;
      for (let r = 0; r < x.rows; r++) if (pa[r] === pb[r]) same++;
      top1 = x.rows > 0 ? same / x.rows : 1;
    }
    outputs.push({ name, comparable: true, maxAbsDiff: max, meanAbsDiff: x.values.length > 0 ? sum / x.values.length : 0, top1Agreement: top1 });
  }
  return {
    outputs,
    maxAbsDiff: outputs.reduce((m, o) => Math.max(m, o.maxAbsDiff), 0),
    top1Agreement: outputs.reduce((m, o) => Math.min(m, o.top1Agreement ?? 1), 1),
    comparable: outputs.every((o) => o.comparable),
  };
}

/** Records a probe run as a baseline (outputs stored as float32). */
export function recordBaseline(name: string, run: ProbeRunResult, createdAt = new Date().toISOString()): Baseline {
  if (!run.ok || !run.probe) throw new Error('only a successful probe run can become a baseline');
  return {
    format: BASELINE_FORMAT,
    name,
    createdAt,
    modelSha256: run.modelSha256,
    probe: specOf(run.probe),
    datasetDigest: run.datasetDigest,
    outputs: Object.values(run.outputs).map((t) => {
      const f = Float32Array.from(t.values);
      return { name: t.name, dtype: t.dtype, rowShape: t.rowShape, rows: t.rows, values: Buffer.from(f.buffer).toString('base64') };
    }),
    fingerprint: run.fingerprint,
  };
}

export interface BaselineComparison {
  baseline: string;
  sameModelDigest: boolean;
  outputs: OutputsComparison;
  fingerprint: FingerprintComparison | null;
  tolerance: Tolerance;
  withinTolerance: boolean;
  findings: Finding[];
}

function judge(outputs: OutputsComparison, fp: FingerprintComparison | null, tol: Tolerance): boolean {
  // Stored baselines are float32: allow that rounding on top of the tolerance.
  return outputs.comparable && outputs.maxAbsDiff <= tol.maxAbsDiff && outputs.top1Agreement >= tol.minTop1Agreement && fp?.verdict !== 'different';
}

/** Compares a re-run on the baseline's probe set with the recorded outputs. */
export function compareToBaseline(baseline: Baseline, run: ProbeRunResult, tolerance: Partial<Tolerance> = {}): BaselineComparison {
  const tol = { ...DEFAULT_TOLERANCE, ...tolerance };
  const recorded = Object.fromEntries(baseline.outputs.map((o) => [o.name, table(o)]));
  const current: Record<string, OutputTable> = {};
  for (const [k, t] of Object.entries(run.outputs)) current[k] = { ...t, values: Float64Array.from(Float32Array.from(t.values)) };
  const outputs = compareOutputs(recorded, current);
  const fp = baseline.fingerprint && run.fingerprint ? compareFingerprints(baseline.fingerprint, run.fingerprint) : null;
  const withinTolerance = run.ok && judge(outputs, fp, tol);
  const findings: Finding[] = [];
  if (!withinTolerance) {
    const parts = [
      !run.ok ? 'the re-run did not complete' : null,
      !outputs.comparable ? 'outputs differ in names or shapes' : null,
      outputs.maxAbsDiff > tol.maxAbsDiff ? `max |difference| ${outputs.maxAbsDiff.toPrecision(3)} > ${tol.maxAbsDiff}` : null,
      outputs.top1Agreement < tol.minTop1Agreement ? `top-1 agreement ${(outputs.top1Agreement * 100).toFixed(1)}% < ${(tol.minTop1Agreement * 100).toFixed(1)}%` : null,
      fp?.verdict === 'different' ? `fingerprint changed (${fp.detail})` : null,
    ].filter(Boolean);
    findings.push(behaveFinding('behave.baseline-mismatch', `behaviour differs from baseline "${baseline.name}": ${parts.join('; ')}`, {
      evidence: {
        baseline: baseline.name,
        recordedAt: baseline.createdAt,
        baselineModelSha256: baseline.modelSha256,
        modelSha256: run.modelSha256,
        maxAbsDiff: outputs.maxAbsDiff,
        top1Agreement: outputs.top1Agreement,
        fingerprint: fp?.verdict ?? null,
        perOutput: outputs.outputs,
      },
    }));
  }
  return { baseline: baseline.name, sameModelDigest: baseline.modelSha256 === run.modelSha256, outputs, fingerprint: fp, tolerance: tol, withinTolerance, findings };
}

export interface SideBySide {
  a: { modelSha256: string; fingerprint: Fingerprint | null };
  b: { modelSha256: string; fingerprint: Fingerprint | null };
  outputs: OutputsComparison;
  fingerprint: FingerprintComparison | null;
  withinTolerance: boolean;
}

/** Two model versions run on the same probe set, side by side (no finding: the auditor judges). */
export function compareRuns(a: ProbeRunResult, b: ProbeRunResult, tolerance: Partial<Tolerance> = {}): SideBySide {
  const tol = { ...DEFAULT_TOLERANCE, ...tolerance };
  const outputs = compareOutputs(a.outputs, b.outputs);
  const fp = a.fingerprint && b.fingerprint ? compareFingerprints(a.fingerprint, b.fingerprint) : null;
  return {
    a: { modelSha256: a.modelSha256, fingerprint: a.fingerprint },
    b: { modelSha256: b.modelSha256, fingerprint: b.fingerprint },
    outputs,
    fingerprint: fp,
    withinTolerance: a.ok && b.ok && judge(outputs, fp, tol),
  };
}
