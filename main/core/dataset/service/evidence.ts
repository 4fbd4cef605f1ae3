// Automatic checklist evidence from dataset work, one row per dataset and point, replaced when
// the work is done again: P01 (digests and provenance completeness), P02 (poisoning indicators,
// flagged and reviewed rows), P03 (PII and secrets by column, masked exports). Each suggests a
// status; the auditor decides. Call inside the transaction of the change.
import type { DatasetScanReport } from '../../../../shared/api/methods/dataset.ts';
import type { Evidence, FindingRecord } from '../../../../shared/api/schemas.ts';
import type { PointId } from '../../../../shared/checklist/points.ts';
import { atLeast, SEVERITIES, type Severity } from '../../../../shared/findings.ts';
import { countRowReviews, getDatasetRecord, getDatasetScan, listDerivedRecords } from '../../../store/repos/datasets.ts';
import { deleteEvidence, insertEvidence } from '../../../store/repos/evidence.ts';
import { listFindings } from '../../../store/repos/findings.ts';
import { newId } from '../../../store/ids.ts';
import type { CoreContext } from '../../context.ts';
import { completeness, provenanceOf } from './records.ts';
import type { DatasetTarget } from './targets.ts';

type Suggestion = Evidence['suggestedStatus'];

function replace(ctx: CoreContext, t: DatasetTarget, pointId: PointId, e: { title: string; summary: string; data: unknown; suggestedStatus: Suggestion }): void {
  deleteEvidence(ctx.db, t.caseId, pointId, 'dataset', t.anchor.id);
  insertEvidence(ctx.db, { id: newId(), caseId: t.caseId, pointId, source: 'dataset', artifactId: t.anchor.id, createdAt: ctx.now(), ...e });
}

/** The dataset's findings (rule ids `dataset.*`) as stored, with their review state. */
export function datasetFindings(ctx: CoreContext, t: DatasetTarget): FindingRecord[] {
  return listFindings(ctx.db, t.caseId, t.anchor.id).filter((f) => f.ruleId.startsWith('dataset.'));
}

function worst(findings: readonly FindingRecord[]): Severity | null {
  return [...SEVERITIES].reverse().find((s) => findings.some((f) => f.severity === s)) ?? null;
}

const plural = (n: number, one: string) => `${n.toLocaleString('en-US')} ${one}${n === 1 ? '' : 's'}`;

export function writeProvenanceEvidence(ctx: CoreContext, t: DatasetTarget): void {
  const record = getDatasetRecord(ctx.db, t.id);
  const p = provenanceOf(record);
  const c = completeness(p);
  const scan = getDatasetScan(ctx.db, t.id);
  replace(ctx, t, 'P01', {
    title: `Provenance of ${t.name}: ${c.filled} of ${c.total} recorded`,
    summary: `${t.kind === 'image-folder' ? `root digest ${t.sha256} over ${plural(t.files.length, 'file')}` : `SHA-256 ${t.sha256}`}${scan ? `; content re-verified by the dataset scan of ${scan.scannedAt}` : ''}; ${c.missing.length === 0 ? 'source, licence, collector, labeller, collection dates and access notes recorded' : `missing: ${c.missing.join(', ')}`}${record?.derivedFrom ? '; a masked export of another dataset of the case' : ''}`,
    data: {
      dataset: t.id, sha256: t.sha256, files: t.files.length, provenance: p, completeness: c,
      derivedFrom: record?.derivedFrom ?? null, transformation: record?.transformation ?? null,
      verifiedByScan: scan ? { sha256: scan.sha256, at: scan.scannedAt } : null,
    },
    suggestedStatus: c.missing.length === 0 ? 'pass' : 'partial',
  });
}

/** Rows named by any of the findings (counted once each). */
function flaggedRows(findings: readonly FindingRecord[]): number {
  const rows = new Set<number>();
  for (const f of findings) for (const r of f.location.rows ?? []) rows.add(r);
  return rows.size;
}

export function writeIndicatorEvidence(ctx: CoreContext, t: DatasetTarget, report: DatasetScanReport): void {
  const findings = datasetFindings(ctx, t).filter((f) => f.checklist.includes('P02'));
  const reviews = countRowReviews(ctx.db, t.id);
  const ran = report.indicators.filter((i) => i.ran).map((i) => i.name);
  const byRule: Record<string, { severity: string; rows: number }> = {};
  for (const f of findings) byRule[f.ruleId] = { severity: f.severity, rows: (f.location.rows ?? []).length };
  const w = worst(findings);
  const flagged = flaggedRows(findings);
  replace(ctx, t, 'P02', {
    title: `Poisoning indicators on ${t.name}: ${findings.length === 0 ? 'nothing flagged' : plural(findings.length, 'indicator')}`,
    summary: `${ran.length} checks ran on ${plural(report.dataset.rowCount, report.dataset.format === 'image-folder' ? 'image' : 'row')} (${ran.join(', ') || 'none'})${findings.length > 0 ? `; ${plural(flagged, 'row')} flagged, worst ${w}` : ''}; ${reviews.reviewed} reviewed and ${reviews.excluded} excluded by the auditor`,
    data: {
      dataset: t.id, rows: report.dataset.rowCount, label: report.dataset.label, indicators: report.indicators,
      findings: byRule, flaggedRows: flagged, reviewed: reviews.reviewed, excluded: reviews.excluded, charts: { classBalance: report.charts.classBalance },
    },
    suggestedStatus: w === null ? 'pass' : atLeast(w, 'high') ? 'fail' : 'partial',
  });
}

/** Detectors a masked export replaced (all of them for `all`). */
function maskedDetectors(transformation: Record<string, unknown> | null): Set<string> | 'all' {
  const d = transformation?.detectors;
  if (d === 'all') return 'all';
  return new Set(Array.isArray(d) ? d.filter((x): x is string => typeof x === 'string') : []);
}

export function writePiiEvidence(ctx: CoreContext, t: DatasetTarget, report: DatasetScanReport): void {
  const findings = datasetFindings(ctx, t).filter((f) => f.checklist.includes('P03'));
  const found = new Set(report.pii.map((p) => p.detector));
  const exports = listDerivedRecords(ctx.db, t.id).filter((r) => r.transformation);
  const covering = exports.filter((r) => {
    const d = maskedDetectors(r.transformation);
    return d === 'all' || [...found].every((x) => d.has(x));
  });
  const columns = [...new Set(report.pii.map((p) => p.column))];
  const w = worst(findings);
  let suggestion: Suggestion;
  if (findings.length === 0) suggestion = 'pass';
  else if (covering.length > 0) suggestion = 'partial'; // masked: the auditor signs off that it is enough
  else suggestion = w !== null && atLeast(w, 'high') ? 'fail' : 'partial';
  replace(ctx, t, 'P03', {
    title: `PII and secrets in ${t.name}: ${report.pii.length === 0 ? 'none found' : `${plural(found.size, 'kind')} in ${plural(columns.length, 'column')}`}`,
    summary: `${report.pii.length === 0 ? 'validated detectors found no personal data or secrets' : report.pii.map((p) => `${p.column}: ${p.count} ${p.label}`).join('; ')}${exports.length > 0 ? `; ${plural(exports.length, 'masked export')} (${covering.length} covering every kind found)` : ''}`,
    data: {
      dataset: t.id,
      byColumn: report.pii.map((p) => ({ column: p.column, detector: p.detector, ruleId: p.ruleId, count: p.count, rows: p.rows, confidence: p.confidence, samples: p.samples })),
      maskedExports: exports.map((r) => ({ dataset: r.id, name: r.name, transformation: r.transformation })),
    },
    suggestedStatus: suggestion,
  });
}

/** Rewrites P02 and P03 evidence from the stored scan (after reviews or a masked export). */
export function refreshScanEvidence(ctx: CoreContext, t: DatasetTarget): void {
  const scan = getDatasetScan(ctx.db, t.id);
  if (!scan) return;
  const report = scan.report as unknown as DatasetScanReport;
  writeIndicatorEvidence(ctx, t, report);
  writePiiEvidence(ctx, t, report);
}
