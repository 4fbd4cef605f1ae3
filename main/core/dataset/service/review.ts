// The auditor's review of flagged rows: reading rows back masked, marking them reviewed or
// excluded (custody-logged, P02 evidence refreshed), and exporting the exclusion list.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { ApiError } from '../../../../shared/api/errors.ts';
import type { DatasetScanReport, datasetMethods } from '../../../../shared/api/methods/dataset.ts';
import {
  countRowReviews, deleteRowReview, getDatasetScan, listRowReviews, upsertRowReview, type StoredDatasetScan,
} from '../../../store/repos/datasets.ts';
import type { CoreContext } from '../../context.ts';
import { recordCustody } from '../../custody/log.ts';
import type { Job } from '../../jobs/registry.ts';
// The exclusion-list writer is a dependency-free module: importing it does not load the engine
// (parsers, image decoder) on the thread that answers the UI.
import { exclusionListCsv } from '../exclusions.ts';
import { refreshScanEvidence } from './evidence.ts';
import { ensureRecord } from './records.ts';
import { runInWorker } from './run.ts';
import { requireTarget, targetPath, type DatasetTarget } from './targets.ts';

type Out<M extends keyof typeof datasetMethods> = z.input<(typeof datasetMethods)[M]['output']>;

/** Row ids listed in a custody event; the count is always exact. */
const LOGGED_ROWS = 1000;

function requireScan(ctx: CoreContext, t: DatasetTarget): { scan: StoredDatasetScan; report: DatasetScanReport } {
  const scan = getDatasetScan(ctx.db, t.id);
  if (!scan) throw new ApiError('conflict', `${t.name} has not been scanned yet: scan it first, then review its rows`);
  return { scan, report: scan.report as unknown as DatasetScanReport };
}

function checkRows(t: DatasetTarget, report: DatasetScanReport, rows: readonly number[]): void {
  const n = report.dataset.rowCount;
  const outside = rows.filter((r) => r >= n);
  if (outside.length > 0) throw new ApiError('invalid_input', `${t.name} has ${n} rows (0 to ${n - 1}); row ${outside[0]} does not exist`);
}

export async function readRows(ctx: CoreContext, datasetId: string, rows: readonly number[], job: Job): Promise<Out<'datasets.rows'>> {
  const t = requireTarget(ctx, datasetId);
  const { scan, report } = requireScan(ctx, t);
  const unique = [...new Set(rows)].sort((a, b) => a - b);
  const n = report.dataset.rowCount;
  const present = unique.filter((r) => r < n);
  const missing = unique.filter((r) => r >= n);
  if (report.dataset.format === 'image-folder') {
    const files = report.dataset.files ?? [];
    return {
      columns: ['file', 'label'],
      rows: present.filter((r) => files[r]).map((r) => {
        const f = files[r]!;
        return { row: r, cells: [f.path, f.label], file: { path: f.path, label: f.label, size: f.size, sha256: f.sha256 } };
      }),
      missing: [...missing, ...present.filter((r) => !files[r])],
    };
  }
  if (present.length === 0) return { columns: report.dataset.columns.map((c) => c.name), rows: [], missing };
  job.update({ currentItem: t.name });
  const out = await runInWorker(ctx, job, 'dataset-rows', {
    path: targetPath(ctx, t), format: report.dataset.format, rows: present,
    personNameColumns: report.dataset.columns.filter((c) => c.pii.includes('person-name')).map((c) => c.name),
    ...(scan.phoneRegion ? { phoneRegion: scan.phoneRegion } : {}),
  });
  return { columns: out.columns, rows: out.rows, missing: [...missing, ...out.missing].sort((a, b) => a - b) };
}

export interface ReviewInput {
  datasetId: string;
  rows: number[];
  status: 'reviewed' | 'excluded' | 'open';
  ruleIds: string[];
  note: string;
}

export function reviewRows(ctx: CoreContext, input: ReviewInput): Out<'datasets.reviewRows'> {
  const t = requireTarget(ctx, input.datasetId);
  const { report } = requireScan(ctx, t);
  const rows = [...new Set(input.rows)].sort((a, b) => a - b);
  checkRows(t, report, rows);
  const ruleIds = [...new Set(input.ruleIds)].sort();
  let updated = 0;
  ctx.db.transaction(() => {
    ensureRecord(ctx, t);
    const before = new Map(listRowReviews(ctx.db, t.id).map((r) => [r.row, r]));
    for (const row of rows) {
      const old = before.get(row);
      if (input.status === 'open') {
        if (!old) continue;
        deleteRowReview(ctx.db, t.id, row);
      } else {
        if (old && old.status === input.status && old.note === input.note && old.ruleIds.join() === ruleIds.join()) continue;
        const merged = [...new Set([...(old?.ruleIds ?? []), ...ruleIds])].sort();
        upsertRowReview(ctx.db, t.id, { row, status: input.status, ruleIds: merged, note: input.note, reviewedBy: ctx.actor(), reviewedAt: ctx.now() });
      }
      updated++;
    }
    if (updated === 0) return;
    const changed = rows.filter((r) => input.status !== 'open' || before.has(r));
    recordCustody(ctx, {
      caseId: t.caseId, action: 'dataset.rows-reviewed', subject: t.id,
      details: {
        dataset: t.name, status: input.status, count: updated, rows: changed.slice(0, LOGGED_ROWS),
        rowsTruncated: changed.length > LOGGED_ROWS, ruleIds, note: input.note,
      },
    });
    refreshScanEvidence(ctx, t);
  }).immediate();
  if (updated > 0) ctx.events.emit({ type: 'changed', caseId: t.caseId, what: 'datasets' });
  return { updated, reviews: countRowReviews(ctx.db, t.id) };
}

/** The exclusion list as CSV; written to `outPath` (never over an existing file) and logged as an export when given. */
export async function exportExclusions(ctx: CoreContext, datasetId: string, outPath: string | undefined): Promise<Out<'datasets.exclusions'>> {
  const t = requireTarget(ctx, datasetId);
  const scan = getDatasetScan(ctx.db, t.id);
  const files = (scan?.report as unknown as DatasetScanReport | undefined)?.dataset.files;
  const excluded = listRowReviews(ctx.db, t.id, 'excluded');
  const csv = exclusionListCsv(excluded.map((r) => ({
    row: t.kind === 'image-folder' ? files?.[r.row]?.path ?? r.row : r.row, ruleIds: r.ruleIds, note: r.note,
  })));
  const sha256 = createHash('sha256').update(csv, 'utf8').digest('hex');
  if (!outPath) return { csv, rows: excluded.length, sha256, path: null };
  const path = resolve(outPath);
  try {
    await writeFile(path, csv, { flag: 'wx' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ApiError('io_error', code === 'EEXIST' ? `${path} already exists; choose another file name` : `cannot write ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  ctx.db.transaction(() => {
    ensureRecord(ctx, t);
    recordCustody(ctx, {
      caseId: t.caseId, action: 'dataset.exclusions-exported', subject: t.id,
      details: { dataset: t.name, rows: excluded.length, sha256, path, datasetSha256: t.sha256 },
    });
  }).immediate();
  ctx.events.emit({ type: 'changed', caseId: t.caseId, what: 'custody' });
  return { csv, rows: excluded.length, sha256, path };
}
