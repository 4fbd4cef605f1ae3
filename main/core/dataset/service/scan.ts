// Scanning a dataset of a case: the engine runs in a worker thread (the thread answering the UI
// only stores the result); the content must still be what intake recorded; then, in one
// transaction, the report, its findings (reviews carried over), P01/P02/P03 evidence and the
// custody event. Scans are started by the auditor (button or CLI), not at intake: a large
// dataset takes minutes, and the label column is often the auditor's choice.
import { ApiError } from '../../../../shared/api/errors.ts';
import type { DatasetDetail, DatasetScanReport } from '../../../../shared/api/methods/dataset.ts';
import { getDatasetScan, upsertDatasetScan } from '../../../store/repos/datasets.ts';
import type { CoreContext } from '../../context.ts';
import { recordCustody } from '../../custody/log.ts';
import { replaceFindings } from '../../findings/service.ts';
import type { Job } from '../../jobs/registry.ts';
import type { DatasetReport } from '../index.ts';
import { writeIndicatorEvidence, writePiiEvidence, writeProvenanceEvidence } from './evidence.ts';
import { ensureRecord } from './records.ts';
import { detectorList, runInWorker } from './run.ts';
import { requireTarget, targetPath, type DatasetTarget } from './targets.ts';
import { detailOf } from './view.ts';

export interface CaseScanInput {
  datasetId: string;
  label?: string | null;
  phoneRegion?: string;
}

/** Refuses a report whose digests differ from what intake recorded. */
function checkContent(t: DatasetTarget, report: DatasetReport): void {
  const changed = `${t.name} no longer has the content recorded at intake`;
  if (t.kind === 'file') {
    if (report.dataset.sha256 !== t.sha256) {
      throw new ApiError('conflict', `${changed} (SHA-256 ${t.sha256.slice(0, 12)}…, now ${report.dataset.sha256.slice(0, 12)}…); add it again as a new artifact`);
    }
    return;
  }
  const byPath = new Map(t.files.map((f) => [f.relPath ?? f.displayName, f.sha256]));
  const wrong = (report.dataset.files ?? []).filter((f) => byPath.get(f.path) !== f.sha256);
  if (wrong.length > 0) {
    throw new ApiError('conflict', `${changed}: ${wrong.length} file${wrong.length === 1 ? '' : 's'} differ or were added (${wrong.slice(0, 3).map((f) => f.path).join(', ')}); add the folder again`);
  }
}

/** The stored part of a report: everything but the findings, which are stored as findings. */
export function storedReport(t: DatasetTarget, report: DatasetReport): DatasetScanReport {
  const { findings: _findings, ...rest } = report;
  return { ...rest, dataset: { ...rest.dataset, name: t.name } } as DatasetScanReport;
}

export async function scanCaseDataset(ctx: CoreContext, input: CaseScanInput, job: Job): Promise<DatasetDetail> {
  const t = requireTarget(ctx, input.datasetId);
  const previous = getDatasetScan(ctx.db, t.id);
  const requested = input.label === undefined ? previous?.labelRequested ?? null : input.label;
  const phoneRegion = input.phoneRegion?.toUpperCase() ?? previous?.phoneRegion ?? null;
  job.update({ bytesTotal: t.size, bytesDone: 0, itemsTotal: 1, itemsDone: 0, currentItem: t.name });
  const path = targetPath(ctx, t);
  let out;
  try {
    out = await runInWorker(ctx, job, 'dataset-scan', {
      path, ...(requested !== null ? { label: requested } : {}), ...(phoneRegion ? { phoneRegion } : {}),
    });
  } catch (e) {
    if (e instanceof ApiError && e.code === 'io_error' && t.kind === 'image-folder') {
      throw new ApiError('io_error', `the image folder ${t.name} cannot be read at ${path} (${e.message}); image folders are read where they were added`);
    }
    throw e;
  }
  const report = out.report;
  checkContent(t, report);
  job.update({ itemsDone: 1 });
  const stored = storedReport(t, report);
  ctx.db.transaction(() => {
    ensureRecord(ctx, t);
    upsertDatasetScan(ctx.db, {
      datasetId: t.id, caseId: t.caseId, sha256: t.sha256, labelRequested: requested, phoneRegion,
      report: stored as unknown as Record<string, unknown>, findings: report.findings.length, durationMs: report.durationMs,
      scannedAt: ctx.now(), scannedBy: ctx.actor(), toolVersion: ctx.version,
    });
    replaceFindings(ctx, t.caseId, t.anchor.id, 'dataset', report.findings);
    writeProvenanceEvidence(ctx, t);
    writeIndicatorEvidence(ctx, t, stored);
    writePiiEvidence(ctx, t, stored);
    const byRule: Record<string, number> = {};
    for (const f of report.findings) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
    recordCustody(ctx, {
      caseId: t.caseId, action: 'dataset.scanned', subject: t.id,
      details: {
        dataset: t.name, sha256: t.sha256, format: report.dataset.format, rows: report.dataset.rowCount,
        label: report.dataset.label.name, labelGuessed: report.dataset.label.guessed, findings: report.findings.length, byRule,
        pii: report.pii.map((p) => ({ column: p.column, detector: p.detector, count: p.count })),
        durationMs: report.durationMs, toolVersion: ctx.version,
      },
    });
  }).immediate();
  ctx.events.emit({ type: 'changed', caseId: t.caseId, what: 'datasets' });
  return detailOf(ctx, requireTarget(ctx, t.id), await detectorList(ctx));
}
