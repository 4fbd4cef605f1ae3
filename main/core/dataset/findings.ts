// Findings from the dataset indicators. Messages name columns, counts and masked values only;
// the rows behind each finding are in its location (capped) and its evidence has the totals.
import type { Finding, FindingLocation, Severity } from '../../../shared/findings.ts';
import { ruleOrThrow } from '../../../shared/rules/catalogue.ts';
import type { PiiColumnSummary } from './pii/tally.ts';
import type { DuplicateResult } from './poison/duplicates.ts';
import type { NearDuplicateResult } from './poison/minhash.ts';
import type { NumericAnalysis } from './poison/numeric.ts';
import type { TriggerCandidate } from './poison/triggers.ts';
import type { UnicodeIssue } from './poison/unicode.ts';

const LOWER: Record<Severity, Severity> = { critical: 'high', high: 'medium', medium: 'low', low: 'info', info: 'info' };

export function makeFinding(ruleId: string, message: string, location: FindingLocation, evidence?: Record<string, unknown>, severity?: Severity): Finding {
  const rule = ruleOrThrow(ruleId);
  const f: Finding = { ruleId, severity: severity ?? rule.severity, message, location, checklist: [...rule.checklist] };
  if (evidence) f.evidence = evidence;
  return f;
}

function loc(field: string | undefined, rows: readonly number[] | undefined, cap: number): FindingLocation {
  const l: FindingLocation = {};
  if (field !== undefined) l.field = field;
  if (rows && rows.length > 0) l.rows = rows.slice(0, cap);
  return l;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
const pct = (x: number) => `${Math.round(x * 100)}%`;

export function piiFinding(s: PiiColumnSummary, rows: readonly number[], cap: number): Finding {
  const rule = ruleOrThrow(s.ruleId);
  const severity = s.confidence < 0.6 ? LOWER[rule.severity] : rule.severity;
  const msg = `${s.label[0]!.toUpperCase()}${s.label.slice(1)} in column "${s.column}": ${s.count.toLocaleString('en-US')} in ${plural(s.rows, 'row')}, confidence ${s.confidence.toFixed(2)}${s.rejectedLookAlikes > 0 ? `; ${plural(s.rejectedLookAlikes, 'look-alike')} failed validation and ${s.rejectedLookAlikes === 1 ? 'is' : 'are'} not counted` : ''}${s.likelyChance ? '; few valid among many look-alikes, so these may be chance' : ''}`;
  return makeFinding(s.ruleId, msg, loc(s.column, rows, cap), {
    detector: s.detector, count: s.count, rows: s.rows, confidence: s.confidence, maxConfidence: s.maxConfidence,
    withContext: s.withContext, rejectedLookAlikes: s.rejectedLookAlikes, samples: s.samples, kinds: s.kinds,
  }, severity);
}

export function duplicateFinding(r: DuplicateResult, labelName: (id: number) => string, column: string | undefined, columns: readonly string[], cap: number): Finding | null {
  if (r.groups.length === 0) return null;
  const rows = r.groups.flatMap((g) => g.rows);
  const groups = r.groups.slice(0, 20).map((g) => ({ rows: g.rows.slice(0, 50), size: g.rows.length, labels: Object.fromEntries([...g.labels].map(([l, n]) => [labelName(l), n])) }));
  return makeFinding('dataset.label-conflict-duplicates',
    `${plural(r.groups.length, 'input')} ${r.groups.length === 1 ? 'occurs' : 'occur'} more than once with different labels (${plural(r.conflictRows, 'row')}), after normalising case, whitespace, Unicode form and invisible characters`,
    loc(column, rows, cap), { groups, groupCount: r.groups.length, conflictRows: r.conflictRows, duplicateRows: r.duplicateRows, columns: [...columns] });
}

export function nearDuplicateFinding(r: NearDuplicateResult, labelName: (id: number) => string, column: string | undefined, cap: number): Finding | null {
  if (r.clusters.length === 0) return null;
  const rows = r.clusters.flatMap((c) => c.rows);
  const clusters = r.clusters.slice(0, 20).map((c) => ({ rows: c.rows.slice(0, 50), size: c.rows.length, labels: Object.fromEntries([...c.labels].map(([l, n]) => [labelName(l), n])) }));
  return makeFinding('dataset.near-duplicate-mixed-labels',
    `${plural(r.clusters.length, 'cluster')} of nearly identical texts carry different labels (${plural(r.rowsInMixedClusters, 'row')})`,
    loc(column, rows, cap), { clusters, clusterCount: r.clusters.length, rows: r.rowsInMixedClusters, indexedRows: r.indexedRows });
}

export function triggerFinding(c: TriggerCandidate, shown: string, labelName: (id: number) => string, column: string | undefined, cap: number): Finding {
  const p = c.log10p < -300 ? '< 1e-300' : `≈ 1e${Math.round(c.log10p)}`;
  return makeFinding('dataset.trigger-candidate',
    `${c.kind === 'pair' ? 'word pair' : 'token'} "${shown}" appears in ${plural(c.support, 'row')}, ${c.count.toLocaleString('en-US')} of them (${pct(c.purity)}) labelled "${labelName(c.label)}" against a base rate of ${pct(c.baseRate)} (p ${p})`,
    loc(column, c.rows, cap), {
      token: shown, kind: c.kind, support: c.support, label: labelName(c.label), count: c.count, purity: c.purity,
      baseRate: c.baseRate, log10p: c.log10p, rowsComplete: c.rowsComplete,
    });
}

const UNICODE_RULES: Record<UnicodeIssue, { rule: string; noun: string }> = {
  invisible: { rule: 'dataset.invisible-characters', noun: 'invisible characters' },
  bidi: { rule: 'dataset.bidi-control', noun: 'bidirectional control characters' },
  homoglyph: { rule: 'dataset.confusable-homoglyphs', noun: 'words mixing Latin with look-alike letters' },
};

export function unicodeFinding(issue: UnicodeIssue, column: string, rows: readonly number[], rowCount: number, what: Map<string, number>, cap: number): Finding {
  const u = UNICODE_RULES[issue];
  const list = [...what.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10);
  const shown = list.map(([w]) => w).join(', ');
  return makeFinding(u.rule, `${plural(rowCount, 'row')} of column "${column}" ${rowCount === 1 ? 'contains' : 'contain'} ${u.noun} (${shown})`,
    loc(column, rows, cap), { rows: rowCount, found: Object.fromEntries(list) });
}

export function numericFindings(a: NumericAnalysis, labelName: (id: number) => string, cap: number): Finding[] {
  const out: Finding[] = [];
  const sample = a.sampled ? ` (on a uniform sample of ${a.storedRows.toLocaleString('en-US')} of ${a.seenRows.toLocaleString('en-US')} rows)` : '';
  for (const c of a.columns) {
    if (c.rows.length === 0 || c.heavyTailed) continue;
    const order = c.rows.map((r, i) => [r, c.scores[i]!] as const).sort((x, y) => y[1] - x[1]);
    out.push(makeFinding('dataset.numeric-outliers',
      `${plural(c.rows.length, 'value')} in column "${c.name}" lie more than ${c.threshold.toFixed(1)} robust standard deviations from the median${sample}`,
      loc(c.name, [...c.rows].sort((x, y) => x - y), cap),
      { median: c.median, robustScale: c.scale, threshold: c.threshold, count: c.rows.length, top: order.slice(0, 20).map(([row, z]) => ({ row, z: Math.round(z * 10) / 10 })) }));
  }
  if (a.forest && a.forest.rows.length > 0 && !a.forest.standsDown) {
    const order = a.forest.rows.map((r, i) => [r, a.forest!.scores[i]!] as const).sort((x, y) => y[1] - x[1]);
    out.push(makeFinding('dataset.multivariate-outliers',
      `${plural(a.forest.rows.length, 'row')} score at least ${a.forest.threshold} in an isolation forest over the numeric features${sample}`,
      loc(undefined, [...a.forest.rows].sort((x, y) => x - y), cap),
      { threshold: a.forest.threshold, count: a.forest.rows.length, top: order.slice(0, 20).map(([row, s]) => ({ row, score: Math.round(s * 1000) / 1000 })) }));
  }
  if (a.knn && a.knn.rows.length > 0 && !a.knn.standsDown) {
    const pairs = new Map<string, number>();
    a.knn.rows.forEach((_, i) => {
      const k = `${labelName(a.knn!.ownLabels[i]!)} → ${labelName(a.knn!.neighbourLabels[i]!)}`;
      pairs.set(k, (pairs.get(k) ?? 0) + 1);
    });
    out.push(makeFinding('dataset.knn-label-disagreement',
      `${plural(a.knn.rows.length, 'row')} carry a label that none of their ${a.knn.k} nearest neighbours share, all of which agree on another label${sample}`,
      loc(undefined, [...a.knn.rows].sort((x, y) => x - y), cap),
      { k: a.knn.k, count: a.knn.rows.length, labelPairs: Object.fromEntries(pairs) }));
  }
  return out;
}
