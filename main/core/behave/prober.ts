// Reads predictions for variants of the base probe rows, and measures how far a variant pushes
// them towards one class (flip rate, attack success rate).
import type { Edit, InputPlan, IoMeta, RunPlan } from '../../sandbox/protocol.ts';
import type { BackdoorThresholds, PredictionMode } from './backdoor-types.ts';
import type { TriggerValues } from './graph-triggers.ts';
import { changedRows, flipRate, mode, std } from './metrics.ts';
import type { ResolvedProbeSet } from './probe-spec.ts';
import type { SandboxSession } from './session.ts';

export function pickOutput(outputs: readonly IoMeta[], wanted: string | undefined): { name: string; mode: PredictionMode } | null {
  const numeric = outputs.filter((o) => o.shape && o.shape.length > 0 && o.dtype !== 'non-tensor' && o.dtype !== 'string');
  const perRow = (o: IoMeta) => (o.shape ?? []).slice(1).reduce<number | null>((a, d) => (a === null || typeof d !== 'number' ? null : a * d), 1);
  const modeOf = (o: IoMeta): PredictionMode => {
    const n = perRow(o);
    if (n === 1) return o.dtype.startsWith('float') ? 'value' : 'label';
    return 'argmax';
  };
  if (wanted) {
    const o = numeric.find((x) => x.name === wanted);
    return o ? { name: o.name, mode: modeOf(o) } : null;
  }
  const cls = numeric.find((o) => o.dtype.startsWith('float') && (perRow(o) ?? 2) >= 2);
  const o = cls ?? numeric[0];
  return o ? { name: o.name, mode: modeOf(o) } : null;
}

/** Runs variants of the base rows and reads one prediction per row and variant. */
export class Prober {
  constructor(
    private readonly session: SandboxSession,
    private readonly probe: ResolvedProbeSet,
    readonly output: { name: string; mode: PredictionMode },
    private readonly inputs: Record<string, InputPlan>,
    readonly datasetRows: number | null,
  ) {}

  rowsFor(wanted: number): number {
    const n = this.datasetRows !== null ? Math.min(wanted, this.datasetRows) : wanted;
    const b = this.probe.inputs.some((x) => x.fixedBatch !== null) ? this.probe.batchSize : 1;
    return Math.max(b, Math.ceil(n / b) * b);
  }

  plan(rows: number, variants: Edit[][], reduce: boolean): RunPlan {
    return {
      rows,
      batchSize: this.probe.batchSize,
      inputs: this.inputs,
      variants,
      outputs: [this.output.name],
      ...(reduce && this.output.mode === 'argmax' ? { reduce: { [this.output.name]: 'argmax' as const } } : {}),
    };
  }

  /** One array of predictions per variant (class index, label, or value). */
  async predict(rows: number, variants: Edit[][], onBatch?: (done: number, total: number) => void): Promise<Float64Array[]> {
    const r = await this.session.run(this.plan(rows, variants, true), onBatch);
    const t = r.outputs[this.output.name]!;
    if (t.perRow !== 1) throw new Error(`output ${this.output.name} has ${t.perRow} values per row where one was expected`);
    return variants.map((_, v) => t.values.subarray(v * rows, (v + 1) * rows));
  }

  /** Full output rows per variant (for entropies). */
  async full(rows: number, variants: Edit[][]): Promise<{ perRow: number; values: Float64Array[] }> {
    const r = await this.session.run(this.plan(rows, variants, false));
    const t = r.outputs[this.output.name]!;
    return { perRow: t.perRow, values: variants.map((_, v) => t.values.subarray(v * rows * t.perRow, (v + 1) * rows * t.perRow)) };
  }

  /** Share of rows whose prediction changed from the base. */
  flips(base: Float64Array, other: Float64Array): number {
    if (this.output.mode !== 'value') return flipRate(base, other);
    const changed = changedRows(base, other, 0.1 * std(base) + 1e-6);
    return changed.reduce((a, c) => a + c, 0) / Math.max(1, changed.length);
  }
}

/** Of the rows not predicted `cls` at base, how many there are and the share the variant predicts `cls`. */
export function successRate(base: Float64Array, variant: Float64Array, cls: number): { rate: number; eligible: number } {
  let eligible = 0;
  let moved = 0;
  for (let i = 0; i < base.length; i++) {
    if (base[i] === cls) continue;
    eligible++;
    if (variant[i] === cls) moved++;
  }
  return { rate: eligible > 0 ? moved / eligible : 0, eligible };
}

export interface Effect {
  flipRate: number;
  targetClass: number;
  targetShare: number;
  successRate: number;
  eligible: number;
}

export function effect(prober: Prober, base: Float64Array, variant: Float64Array): Effect {
  const t = mode(variant);
  const flipRate = prober.flips(base, variant);
  // One value per row (regression): no classes, the flip rate is the success rate.
  if (prober.output.mode === 'value') return { flipRate, targetClass: t.value, targetShare: t.share, successRate: flipRate, eligible: base.length };
  const s = successRate(base, variant, t.value);
  return { flipRate, targetClass: t.value, targetShare: t.share, successRate: s.rate, eligible: s.eligible };
}

export function enoughRows(eligible: number, rows: number, th: BackdoorThresholds): boolean {
  return eligible >= th.minEligibleRows && eligible >= th.minEligibleShare * rows;
}

/** An edit writing trigger values into one input. */
export function setEdit(input: string, t: TriggerValues): Edit {
  return { kind: 'set', input, offsets: t.offsets, values: t.values };
}
