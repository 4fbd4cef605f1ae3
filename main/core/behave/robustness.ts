// The robustness probe: agreement with the clean predictions as input noise grows, as a curve.
import type { Edit } from '../../sandbox/protocol.ts';
import type { BackdoorOptions, RobustnessCurve } from './backdoor-types.ts';
import type { ResolvedInput } from './probe-spec.ts';
import type { Prober } from './prober.ts';
import type { BehaveOptions } from './sandboxed.ts';

export async function robustnessStage(prober: Prober, input: ResolvedInput, opts: NonNullable<BackdoorOptions['robustness']>, progress: NonNullable<BehaveOptions['onProgress']>): Promise<RobustnessCurve> {
  const levels = opts.levels ?? [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5];
  const width = input.range.max - input.range.min || 1;
  const clamp = input.distribution.kind === 'uniform' ? { min: input.range.min, max: input.range.max } : {};
  const variants: Edit[][] = [[], ...levels.map((l, i): Edit[] => [{ kind: 'noise', input: input.name, std: l * width, seed: 0x401e + i, ...clamp }])];
  const rows = prober.rowsFor(opts.rows ?? 64);
  progress({ stage: 'robustness', done: 0, total: rows * variants.length });
  const preds = await prober.predict(rows, variants, (done, total) => progress({ stage: 'robustness', done, total }));
  const base = preds[0]!;
  return {
    input: input.name,
    rows,
    points: [{ noiseStd: 0, relativeStd: 0, agreement: 1 }, ...levels.map((l, i) => ({ noiseStd: l * width, relativeStd: l, agreement: 1 - prober.flips(base, preds[i + 1]!) }))],
  };
}
