// Stage 4 of the backdoor suite (STRIP): inputs superimposed with clean samples (or generated
// ones) keep a confident prediction when they carry a trained-in trigger; clean inputs do not.
// Compares the entropy of clean inputs with that of inputs carrying the best candidate trigger.
import type { Finding } from '../../../shared/findings.ts';
import type { Edit } from '../../sandbox/protocol.ts';
import type { BackdoorOptions, BackdoorThresholds, StripResult, StripSide, SuiteState } from './backdoor-types.ts';
import { behaveFinding } from './findings.ts';
import { histogram, median, quantile, rowEntropy } from './metrics.ts';
import { pixelOffset, type ResolvedInput } from './probe-spec.ts';
import { setEdit, type Prober } from './prober.ts';
import type { BehaveOptions } from './sandboxed.ts';

/** The strongest candidate trigger on an input: a confirmed graph trigger, else the sweep's top patch. */
function candidateTrigger(report: SuiteState, input: ResolvedInput): { edit: Edit; label: string } | null {
  const conf = report.confirmations.filter((c) => c.input === input.name).sort((a, b) => b.triggerSuccessRate - a.triggerSuccessRate)[0];
  if (conf && conf.confirmed) return { edit: setEdit(input.name, conf.trigger), label: 'confirmed graph trigger' };
  const sweep = report.sweep;
  if (sweep && sweep.kind === 'patch' && sweep.input === input.name && input.image) {
    const top = [...sweep.candidates].sort((a, b) => b.successRate - a.successRate)[0];
    if (top && top.y !== undefined && top.x !== undefined) {
      const g = input.image;
      const p = sweep.patchSize!;
      const offsets: number[] = [];
      const values: number[] = [];
      for (let c = 0; c < g.channels; c++) for (let dy = 0; dy < p; dy++) for (let dx = 0; dx < p; dx++) {
        offsets.push(pixelOffset(g, c, top.y + dy, top.x + dx));
        values.push(top.pattern === 'min' ? input.range.min : top.pattern === 'checker' && (dy + dx) % 2 === 1 ? input.range.min : input.range.max);
      }
      return { edit: { kind: 'set', input: input.name, offsets, values }, label: `sweep's strongest patch (${top.pattern} at y ${top.y}, x ${top.x})` };
    }
  }
  if (conf) return { edit: setEdit(input.name, conf.trigger), label: 'unconfirmed graph trigger' };
  return null;
}

function side(entropies: number[], classes: number): StripSide {
  return { entropies, median: median(entropies), histogram: histogram(entropies, 20, 0, Math.log(Math.max(2, classes))) };
}

export async function stripStage(
  prober: Prober, input: ResolvedInput, report: SuiteState, options: BackdoorOptions,
  th: BackdoorThresholds, cleanSamples: boolean, progress: NonNullable<BehaveOptions['onProgress']>,
): Promise<StripResult> {
  const rows = prober.rowsFor(options.strip?.rows ?? 32);
  const blends = Math.max(1, options.strip?.blends ?? 8);
  const alpha = options.strip?.alpha ?? 0.5;
  const overlay = (k: number): Edit => (cleanSamples
    ? { kind: 'blend', input: input.name, alpha, seed: 0xb1e0 + k, dataset: `clean:${input.name}` }
    : { kind: 'blend', input: input.name, alpha, seed: 0xb1e0 + k, distribution: input.distribution });
  const cand = candidateTrigger(report, input);
  const variants: Edit[][] = [];
  for (let k = 0; k < blends; k++) variants.push([overlay(k)]);
  if (cand) for (let k = 0; k < blends; k++) variants.push([cand.edit, overlay(k)]);
  progress({ stage: 'strip', done: 0, total: rows * variants.length });
  const { perRow, values } = await prober.full(rows, variants);
  const entropies = (from: number): number[] => {
    const out = new Array<number>(rows).fill(0);
    for (let k = 0; k < blends; k++) {
      const v = values[from + k]!;
      for (let r = 0; r < rows; r++) out[r]! += rowEntropy(v.subarray(r * perRow, (r + 1) * perRow)) / blends;
    }
    return out;
  };
  const clean = side(entropies(0), perRow);
  const triggered = cand ? side(entropies(blends), perRow) : null;
  const flagged = triggered !== null
    && triggered.median < th.stripEntropyRatio * clean.median
    && triggered.median < quantile(clean.entropies, th.stripCleanQuantile);
  return { input: input.name, candidate: cand?.label ?? null, rows, blends, alpha, cleanSamples, clean, triggered, flagged };
}

export function stripFinding(findings: Finding[], strip: StripResult): void {
  findings.push(behaveFinding('behave.strip-low-entropy',
    `superimposed on ${strip.cleanSamples ? 'clean samples' : 'generated inputs'}, inputs of ${strip.input} carrying the ${strip.candidate} keep a median prediction entropy of ${strip.triggered!.median.toFixed(3)} nats against ${strip.clean.median.toFixed(3)} for clean ones`,
    { location: { field: strip.input }, evidence: { candidate: strip.candidate, rows: strip.rows, blends: strip.blends, alpha: strip.alpha, cleanMedian: strip.clean.median, triggeredMedian: strip.triggered!.median } }));
}
