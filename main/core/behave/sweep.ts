// Stage 3 of the backdoor suite: trigger sweeps for triggers trained into weights. Image inputs
// get small patches of extreme values over a grid of positions; token inputs get candidate
// tokens inserted. A candidate is flagged when it forces one class far more than its peers.
import type { Finding } from '../../../shared/findings.ts';
import type { Edit } from '../../sandbox/protocol.ts';
import { random } from '../../sandbox/probes.ts';
import type { BackdoorOptions, BackdoorThresholds, SweepCandidate, SweepResult } from './backdoor-types.ts';
import { behaveFinding } from './findings.ts';
import { median, mode } from './metrics.ts';
import { pixelOffset, type ResolvedInput } from './probe-spec.ts';
import { effect, enoughRows, type Prober } from './prober.ts';
import type { BehaveOptions } from './sandboxed.ts';

function patchGrid(size: number, patch: number): number[] {
  const out: number[] = [];
  for (let p = 0; p + patch <= size; p += patch) out.push(p);
  if (out.length === 0) out.push(0);
  else if (out[out.length - 1]! + patch < size) out.push(size - patch);
  return out;
}

export async function patchSweep(prober: Prober, input: ResolvedInput, opts: NonNullable<BackdoorOptions['sweep']>, th: BackdoorThresholds, progress: NonNullable<BehaveOptions['onProgress']>): Promise<SweepResult> {
  const g = input.image!;
  const patch = Math.max(1, Math.min(g.height, g.width, opts.patchSize ?? Math.max(2, Math.round(Math.min(g.height, g.width) / 8))));
  const ys = patchGrid(g.height, patch);
  const xs = patchGrid(g.width, patch);
  const { min, max } = input.range;
  const patterns: Record<string, (dy: number, dx: number) => number> = {
    max: () => max,
    min: () => min,
    checker: (dy, dx) => ((dy + dx) % 2 === 0 ? max : min),
  };
  const variants: Edit[][] = [[]];
  const meta: SweepCandidate[] = [];
  for (const [pattern, value] of Object.entries(patterns)) {
    for (const y of ys) {
      for (const x of xs) {
        const offsets: number[] = [];
        const values: number[] = [];
        for (let c = 0; c < g.channels; c++) {
          for (let dy = 0; dy < patch; dy++) {
            for (let dx = 0; dx < patch; dx++) {
              offsets.push(pixelOffset(g, c, y + dy, x + dx));
              values.push(value(dy, dx));
            }
          }
        }
        variants.push([{ kind: 'set', input: input.name, offsets, values }]);
        meta.push({ pattern, y, x, flipRate: 0, targetClass: 0, targetShare: 0, successRate: 0, eligible: 0 });
      }
    }
  }
  const rows = prober.rowsFor(opts.rows ?? 64);
  progress({ stage: 'sweep', done: 0, total: rows * variants.length });
  const preds = await prober.predict(rows, variants, (done, total) => progress({ stage: 'sweep', done, total }));
  const base = preds[0]!;
  meta.forEach((m, i) => Object.assign(m, effect(prober, base, preds[i + 1]!)));
  const heatmaps: Record<string, number[][]> = {};
  for (const pattern of Object.keys(patterns)) {
    const own = meta.filter((m) => m.pattern === pattern);
    heatmaps[pattern] = ys.map((y) => xs.map((x) => own.find((m) => m.y === y && m.x === x)!.flipRate));
  }
  return { input: input.name, kind: 'patch', rows, patchSize: patch, grid: { ys, xs }, heatmaps, dominantClass: mode(base), ...judgeSweep(meta, rows, th) };
}

export async function tokenSweep(prober: Prober, input: ResolvedInput, opts: NonNullable<BackdoorOptions['sweep']>, th: BackdoorThresholds, progress: NonNullable<BehaveOptions['onProgress']>): Promise<SweepResult> {
  const len = input.rowShape[input.rowShape.length - 1]!;
  const lo = Math.ceil(input.range.min);
  const hi = Math.floor(input.range.max);
  const span = hi - lo + 1;
  const maxTokens = opts.maxTokens ?? 256;
  let tokens = opts.candidateTokens;
  if (!tokens) {
    if (span <= maxTokens) {
      tokens = Array.from({ length: span }, (_, i) => lo + i);
    } else {
      // The lowest ids (special tokens live there) and a seeded sample of the rest.
      const rand = random(0x70c3);
      const set = new Set<number>(Array.from({ length: Math.min(32, span) }, (_, i) => lo + i));
      while (set.size < maxTokens) set.add(lo + Math.floor(rand() * span));
      tokens = [...set];
    }
  }
  const positions = [...new Set([0, Math.floor(len / 2)])];
  const variants: Edit[][] = [[]];
  const meta: SweepCandidate[] = [];
  for (const token of tokens) {
    for (const position of positions) {
      variants.push([{ kind: 'insert', input: input.name, position, value: token }]);
      meta.push({ pattern: `insert@${position}`, token, position, flipRate: 0, targetClass: 0, targetShare: 0, successRate: 0, eligible: 0 });
    }
  }
  const rows = prober.rowsFor(opts.rows ?? 32);
  progress({ stage: 'sweep', done: 0, total: rows * variants.length });
  const preds = await prober.predict(rows, variants, (done, total) => progress({ stage: 'sweep', done, total }));
  const base = preds[0]!;
  meta.forEach((m, i) => Object.assign(m, effect(prober, base, preds[i + 1]!)));
  return { input: input.name, kind: 'token', rows, dominantClass: mode(base), ...judgeSweep(meta, rows, th) };
}

/** Flags candidates that force one class far more than the other candidates of their pattern. */
function judgeSweep(meta: SweepCandidate[], rows: number, th: BackdoorThresholds): Pick<SweepResult, 'candidates' | 'flagged' | 'medianFlipRate' | 'medianSuccessRate'> {
  const medianFlipRate: Record<string, number> = {};
  const medianSuccessRate: Record<string, number> = {};
  for (const p of new Set(meta.map((m) => m.pattern))) {
    const own = meta.filter((m) => m.pattern === p);
    medianFlipRate[p] = median(own.map((m) => m.flipRate));
    medianSuccessRate[p] = median(own.map((m) => m.successRate));
  }
  const flagged = meta
    .filter((m) => enoughRows(m.eligible, rows, th) && m.successRate >= th.sweepMinSuccess && m.targetShare >= th.sweepMinTargetShare && m.successRate - medianSuccessRate[m.pattern]! >= th.sweepMinLift)
    .sort((a, b) => b.successRate - a.successRate);
  return { candidates: meta, flagged, medianFlipRate, medianSuccessRate };
}

export function sweepFindings(findings: Finding[], sweep: SweepResult): void {
  const best = sweep.flagged[0];
  if (!best) return;
  const others = sweep.flagged.length - 1;
  if (sweep.kind === 'patch') {
    findings.push(behaveFinding('behave.patch-trigger',
      `a ${sweep.patchSize}x${sweep.patchSize} "${best.pattern}" patch at (y ${best.y}, x ${best.x}) of input ${sweep.input} sent ${(best.successRate * 100).toFixed(0)}% of the other rows to class ${best.targetClass} (median over positions ${(sweep.medianSuccessRate[best.pattern]! * 100).toFixed(0)}%); ${(best.targetShare * 100).toFixed(0)}% of stamped rows predict it${others > 0 ? `; ${others} more candidate(s)` : ''}`,
      { location: { field: sweep.input }, evidence: { best, flagged: sweep.flagged.slice(0, 10), patchSize: sweep.patchSize, rows: sweep.rows, medianSuccessRate: sweep.medianSuccessRate } }));
  } else {
    findings.push(behaveFinding('behave.token-trigger',
      `inserting token ${best.token} at position ${best.position} of input ${sweep.input} sent ${(best.successRate * 100).toFixed(0)}% of the other rows to class ${best.targetClass} (median over tokens ${(sweep.medianSuccessRate[best.pattern]! * 100).toFixed(0)}%); ${(best.targetShare * 100).toFixed(0)}% of rows with it predict that class${others > 0 ? `; ${others} more candidate(s)` : ''}`,
      { location: { field: sweep.input }, evidence: { best, flagged: sweep.flagged.slice(0, 10), rows: sweep.rows, medianSuccessRate: sweep.medianSuccessRate } }));
  }
}
