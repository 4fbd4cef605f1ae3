// Stores what a static scan found about one artifact: its findings (reviews carried over), its
// verdict, the report with unit details for the views, P10 evidence with a suggested status,
// and a custody event. Call inside the transaction that also records the artifact (intake) or
// the re-scan.
import type { Evidence } from '../../../shared/api/schemas.ts';
import { SEVERITIES, type Verdict } from '../../../shared/findings.ts';
import { setArtifactVerdict, type ArtifactRecord } from '../../store/repos/artifacts.ts';
import { deleteEvidence, insertEvidence } from '../../store/repos/evidence.ts';
import { upsertScanReport } from '../../store/repos/scans.ts';
import { newId } from '../../store/ids.ts';
import type { CoreContext } from '../context.ts';
import { recordCustody } from '../custody/log.ts';
import { replaceFindings } from '../findings/service.ts';
import type { ScanReport } from './engine.ts';

/** What a static-scan verdict suggests for P10 (unsafe serialization). */
export const P10_SUGGESTION: Record<Verdict, Evidence['suggestedStatus']> = {
  malicious: 'fail', suspicious: 'partial', malformed: 'partial', unsupported: 'partial', clean: 'pass',
};

export function worstSeverityOf(report: Pick<ScanReport, 'findings'>): string | null {
  return [...SEVERITIES].reverse().find((s) => report.findings.some((f) => f.severity === s)) ?? null;
}

export function recordScan(ctx: CoreContext, artifact: ArtifactRecord, report: ScanReport, options: { individualEvidence: boolean }): void {
  replaceFindings(ctx, artifact.caseId, artifact.id, 'scan', report.findings);
  setArtifactVerdict(ctx.db, artifact.id, report.verdict);
  upsertScanReport(ctx.db, {
    artifactId: artifact.id, verdict: report.verdict, format: report.format, formatDetail: report.formatDetail,
    units: report.units, bytesRead: report.bytesRead, durationMs: report.durationMs, scannedAt: ctx.now(), toolVersion: ctx.version,
  });
  if (options.individualEvidence) {
    deleteEvidence(ctx.db, artifact.caseId, 'P10', 'scan', artifact.id);
    const n = report.findings.length;
    insertEvidence(ctx.db, {
      id: newId(), caseId: artifact.caseId, pointId: 'P10', source: 'scan', artifactId: artifact.id, createdAt: ctx.now(),
      title: `Static scan of ${artifact.displayName}: ${report.verdict}`,
      summary: n === 0 ? 'no findings' : `${n} finding${n === 1 ? '' : 's'}, worst ${worstSeverityOf(report)}`,
      data: { verdict: report.verdict, findings: n, format: report.format, units: report.units.length },
      suggestedStatus: P10_SUGGESTION[report.verdict],
    });
  }
  recordCustody(ctx, {
    caseId: artifact.caseId, action: 'artifact.scanned', subject: artifact.id,
    details: { verdict: report.verdict, findings: report.findings.length, units: report.units.length, bytesRead: report.bytesRead, toolVersion: ctx.version },
  });
}
