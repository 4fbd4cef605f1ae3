// What the API returns about a dataset: its summary (provenance completeness, scan state,
// reviews, lineage) and its detail (digests, the stored report, findings, row reviews).
import type { DatasetDetail, DatasetScanReport, DatasetSummary } from '../../../../shared/api/methods/dataset.ts';
import type { SeverityCounts } from '../../../../shared/api/schemas.ts';
import { countRowReviews, getDatasetRecord, getDatasetScan, listDerivedRecords, listRowReviews } from '../../../store/repos/datasets.ts';
import type { CoreContext } from '../../context.ts';
import { datasetFindings } from './evidence.ts';
import { completeness, provenanceOf } from './records.ts';
import { targetDigests, type DatasetTarget } from './targets.ts';

export type DetectorInfo = DatasetDetail['detectors'][number];

function counts(findings: readonly { severity: keyof SeverityCounts; status: string }[]): SeverityCounts {
  const c: SeverityCounts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) if (f.status !== 'false_positive') c[f.severity]++;
  return c;
}

export function summaryOf(ctx: CoreContext, t: DatasetTarget): DatasetSummary {
  const record = getDatasetRecord(ctx.db, t.id);
  const scan = getDatasetScan(ctx.db, t.id);
  const p = provenanceOf(record);
  const source = record?.derivedFrom ? getDatasetRecord(ctx.db, record.derivedFrom) : null;
  const report = scan?.report as DatasetScanReport | undefined;
  return {
    id: t.id, caseId: t.caseId, kind: t.kind, artifactId: t.anchor.id, setId: t.set?.id ?? null, name: t.name,
    format: t.format, size: t.size, sha256: t.sha256, fileCount: t.files.length,
    provenance: p, recordUpdatedAt: record?.updatedAt ?? null, recordUpdatedBy: record?.updatedBy ?? null,
    completeness: completeness(p),
    derivedFrom: source ? { id: source.id, name: source.name, artifactId: source.artifactId } : null,
    transformation: record?.transformation ?? null,
    derived: listDerivedRecords(ctx.db, t.id).map((r) => ({ id: r.id, name: r.name, artifactId: r.artifactId })),
    scan: scan && report
      ? {
        scannedAt: scan.scannedAt, scannedBy: scan.scannedBy, toolVersion: scan.toolVersion, sha256: scan.sha256,
        rowCount: report.dataset.rowCount, label: report.dataset.label.name, labelGuessed: report.dataset.label.guessed,
        labelRequested: scan.labelRequested, phoneRegion: scan.phoneRegion,
        findings: counts(datasetFindings(ctx, t)), piiColumns: new Set(report.pii.map((x) => x.column)).size,
      }
      : null,
    reviews: countRowReviews(ctx.db, t.id),
  };
}

export function detailOf(ctx: CoreContext, t: DatasetTarget, detectors: DetectorInfo[]): DatasetDetail {
  const scan = getDatasetScan(ctx.db, t.id);
  return {
    summary: summaryOf(ctx, t),
    report: scan ? (scan.report as DatasetScanReport) : null,
    findings: datasetFindings(ctx, t),
    reviews: listRowReviews(ctx.db, t.id),
    digests: targetDigests(t),
    detectors,
  };
}
