// Chart data for the dataset view: label distribution and class balance.
import type { Finding } from '../../../shared/findings.ts';
import { makeFinding } from './findings.ts';
import type { DatasetCharts, LabelCount } from './types.ts';

/** Majority over minority at or above this ratio is reported. */
export const IMBALANCE_RATIO = 10;

export function labelCharts(names: readonly string[], counts: readonly number[], unlabelled: number): Pick<DatasetCharts, 'labelDistribution' | 'classBalance'> {
  const dist: LabelCount[] = names.map((label, i) => ({ label, count: counts[i] ?? 0 })).filter((d) => d.count > 0).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
  const total = dist.reduce((s, d) => s + d.count, 0);
  let entropy = 0;
  for (const d of dist) { const p = d.count / total; entropy -= p * Math.log(p); }
  const majority = dist[0] ?? null;
  const minority = dist[dist.length - 1] ?? null;
  return {
    labelDistribution: dist,
    classBalance: {
      classes: dist.length,
      majority,
      minority,
      imbalanceRatio: majority && minority ? majority.count / minority.count : null,
      normalisedEntropy: dist.length > 1 ? entropy / Math.log(dist.length) : null,
      unlabelled,
    },
  };
}

export function imbalanceFinding(charts: Pick<DatasetCharts, 'classBalance'>, column: string | null): Finding | null {
  const b = charts.classBalance;
  if (b.classes < 2 || b.imbalanceRatio === null || b.imbalanceRatio < IMBALANCE_RATIO || !b.majority || !b.minority) return null;
  const loc = column ? { field: column } : {};
  return makeFinding('dataset.class-imbalance',
    `label "${b.majority.label}" has ${b.majority.count.toLocaleString('en-US')} rows, ${b.imbalanceRatio.toFixed(1)} times as many as "${b.minority.label}" (${b.minority.count.toLocaleString('en-US')})`,
    loc, { classes: b.classes, imbalanceRatio: b.imbalanceRatio, normalisedEntropy: b.normalisedEntropy });
}
