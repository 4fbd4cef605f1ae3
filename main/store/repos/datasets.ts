// Dataset records (provenance, digests, lineage), the latest dataset scan of each dataset, the
// auditor's row reviews, and pseudonym keys. SQL only: rules live in main/core/dataset/service.
import type { Database } from 'better-sqlite3';
import { parseJson, stmt } from '../statements.ts';

export interface FileDigest {
  path: string;
  sha256: string;
  size: number;
}

export interface DatasetRecordRow {
  id: string;
  caseId: string;
  artifactId: string | null;
  setId: string | null;
  name: string;
  source: string;
  licence: string;
  collector: string;
  labeller: string;
  collectedFrom: string | null;
  collectedTo: string | null;
  accessNotes: string;
  digests: FileDigest[];
  derivedFrom: string | null;
  transformation: Record<string, unknown> | null;
  createdAt: string;
  updatedAt: string | null;
  updatedBy: string | null;
}

interface RecordRow {
  id: string; case_id: string; artifact_id: string | null; set_id: string | null; name: string; source: string;
  licence: string; collector: string; labeller: string; collected_from: string | null; collected_to: string | null;
  access_notes: string; digests: string; derived_from: string | null; transformation: string | null;
  created_at: string; updated_at: string | null; updated_by: string | null;
}

const toRecord = (r: RecordRow): DatasetRecordRow => ({
  id: r.id, caseId: r.case_id, artifactId: r.artifact_id, setId: r.set_id, name: r.name, source: r.source,
  licence: r.licence, collector: r.collector, labeller: r.labeller, collectedFrom: r.collected_from,
  collectedTo: r.collected_to, accessNotes: r.access_notes, digests: parseJson<FileDigest[]>(r.digests) ?? [],
  derivedFrom: r.derived_from, transformation: parseJson<Record<string, unknown>>(r.transformation),
  createdAt: r.created_at, updatedAt: r.updated_at, updatedBy: r.updated_by,
});

export function insertDatasetRecord(db: Database, r: DatasetRecordRow): void {
  stmt(db, `INSERT INTO dataset_records (id, case_id, artifact_id, set_id, name, source, licence, collector, labeller,
      collected_from, collected_to, access_notes, digests, derived_from, transformation, created_at, updated_at, updated_by)
    VALUES (@id, @caseId, @artifactId, @setId, @name, @source, @licence, @collector, @labeller, @collectedFrom,
      @collectedTo, @accessNotes, @digests, @derivedFrom, @transformation, @createdAt, @updatedAt, @updatedBy)`)
    .run({ ...r, digests: JSON.stringify(r.digests), transformation: r.transformation === null ? null : JSON.stringify(r.transformation) });
}

export type ProvenanceFields = Pick<DatasetRecordRow, 'source' | 'licence' | 'collector' | 'labeller' | 'collectedFrom' | 'collectedTo' | 'accessNotes'>;

export function updateDatasetProvenance(db: Database, id: string, p: ProvenanceFields, updatedAt: string, updatedBy: string): void {
  stmt(db, `UPDATE dataset_records SET source = @source, licence = @licence, collector = @collector, labeller = @labeller,
      collected_from = @collectedFrom, collected_to = @collectedTo, access_notes = @accessNotes,
      updated_at = @updatedAt, updated_by = @updatedBy WHERE id = @id`).run({ ...p, id, updatedAt, updatedBy });
}

export function getDatasetRecord(db: Database, id: string): DatasetRecordRow | null {
  const row = stmt(db, 'SELECT * FROM dataset_records WHERE id = ?').get(id) as RecordRow | undefined;
  return row ? toRecord(row) : null;
}

export function listDatasetRecordRows(db: Database, caseId: string): DatasetRecordRow[] {
  return (stmt(db, 'SELECT * FROM dataset_records WHERE case_id = ? ORDER BY rowid').all(caseId) as RecordRow[]).map(toRecord);
}

/** Datasets produced from `id` by a transformation (masked exports). */
export function listDerivedRecords(db: Database, id: string): DatasetRecordRow[] {
  return (stmt(db, 'SELECT * FROM dataset_records WHERE derived_from = ? ORDER BY rowid').all(id) as RecordRow[]).map(toRecord);
}

export interface StoredDatasetScan {
  datasetId: string;
  caseId: string;
  sha256: string;
  labelRequested: string | null;
  phoneRegion: string | null;
  /** Schema, PII by column, charts and indicators (findings are stored as findings). */
  report: Record<string, unknown>;
  findings: number;
  durationMs: number;
  scannedAt: string;
  scannedBy: string;
  toolVersion: string;
}

interface ScanRow {
  dataset_id: string; case_id: string; sha256: string; label_requested: string | null; phone_region: string | null;
  report: string; findings: number; duration_ms: number; scanned_at: string; scanned_by: string; tool_version: string;
}

export function upsertDatasetScan(db: Database, s: StoredDatasetScan): void {
  stmt(db, `INSERT INTO dataset_scans (dataset_id, case_id, sha256, label_requested, phone_region, report, findings, duration_ms,
      scanned_at, scanned_by, tool_version)
    VALUES (@datasetId, @caseId, @sha256, @labelRequested, @phoneRegion, @report, @findings, @durationMs, @scannedAt, @scannedBy, @toolVersion)
    ON CONFLICT(dataset_id) DO UPDATE SET sha256 = excluded.sha256, label_requested = excluded.label_requested,
      phone_region = excluded.phone_region, report = excluded.report, findings = excluded.findings,
      duration_ms = excluded.duration_ms, scanned_at = excluded.scanned_at, scanned_by = excluded.scanned_by,
      tool_version = excluded.tool_version`).run({ ...s, report: JSON.stringify(s.report) });
}

const toScan = (r: ScanRow): StoredDatasetScan => ({
  datasetId: r.dataset_id, caseId: r.case_id, sha256: r.sha256, labelRequested: r.label_requested, phoneRegion: r.phone_region,
  report: parseJson<Record<string, unknown>>(r.report) ?? {}, findings: r.findings, durationMs: r.duration_ms,
  scannedAt: r.scanned_at, scannedBy: r.scanned_by, toolVersion: r.tool_version,
});

export function getDatasetScan(db: Database, datasetId: string): StoredDatasetScan | null {
  const row = stmt(db, 'SELECT * FROM dataset_scans WHERE dataset_id = ?').get(datasetId) as ScanRow | undefined;
  return row ? toScan(row) : null;
}

export const ROW_REVIEW_STATUSES = ['reviewed', 'excluded'] as const;
export type RowReviewStatus = (typeof ROW_REVIEW_STATUSES)[number];

export interface RowReview {
  row: number;
  status: RowReviewStatus;
  ruleIds: string[];
  note: string;
  reviewedBy: string;
  reviewedAt: string;
}

interface ReviewRow { row: number; status: RowReviewStatus; rule_ids: string; note: string; reviewed_by: string; reviewed_at: string }

const toReview = (r: ReviewRow): RowReview => ({
  row: r.row, status: r.status, ruleIds: parseJson<string[]>(r.rule_ids) ?? [], note: r.note, reviewedBy: r.reviewed_by, reviewedAt: r.reviewed_at,
});

export function upsertRowReview(db: Database, datasetId: string, r: RowReview): void {
  stmt(db, `INSERT INTO dataset_row_reviews (dataset_id, row, status, rule_ids, note, reviewed_by, reviewed_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(dataset_id, row) DO UPDATE SET status = excluded.status, rule_ids = excluded.rule_ids, note = excluded.note,
      reviewed_by = excluded.reviewed_by, reviewed_at = excluded.reviewed_at`)
    .run(datasetId, r.row, r.status, JSON.stringify(r.ruleIds), r.note, r.reviewedBy, r.reviewedAt);
}

export function deleteRowReview(db: Database, datasetId: string, row: number): void {
  stmt(db, 'DELETE FROM dataset_row_reviews WHERE dataset_id = ? AND row = ?').run(datasetId, row);
}

export function listRowReviews(db: Database, datasetId: string, status?: RowReviewStatus): RowReview[] {
  const rows = status
    ? stmt(db, 'SELECT * FROM dataset_row_reviews WHERE dataset_id = ? AND status = ? ORDER BY row').all(datasetId, status)
    : stmt(db, 'SELECT * FROM dataset_row_reviews WHERE dataset_id = ? ORDER BY row').all(datasetId);
  return (rows as ReviewRow[]).map(toReview);
}

export function countRowReviews(db: Database, datasetId: string): { reviewed: number; excluded: number } {
  const rows = stmt(db, 'SELECT status, count(*) AS n FROM dataset_row_reviews WHERE dataset_id = ? GROUP BY status').all(datasetId) as { status: RowReviewStatus; n: number }[];
  return { reviewed: rows.find((r) => r.status === 'reviewed')?.n ?? 0, excluded: rows.find((r) => r.status === 'excluded')?.n ?? 0 };
}

export function getPseudonymKey(db: Database, scope: string): Buffer | null {
  const row = stmt(db, 'SELECT key FROM pseudonym_keys WHERE scope = ?').get(scope) as { key: Buffer } | undefined;
  return row ? row.key : null;
}

/** Stores a key unless the scope has one already (then the stored key wins). */
export function insertPseudonymKey(db: Database, scope: string, key: Buffer, createdAt: string): void {
  stmt(db, 'INSERT INTO pseudonym_keys (scope, key, created_at) VALUES (?, ?, ?) ON CONFLICT(scope) DO NOTHING').run(scope, key, createdAt);
}
