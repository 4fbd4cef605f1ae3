import type { Database } from 'better-sqlite3';
import type { Attachment, Evidence } from '../../../shared/api/schemas.ts';
import type { ChecklistStatus, PointId } from '../../../shared/checklist/points.ts';
import { parseJson, stmt } from '../statements.ts';

interface EvidenceRow {
  id: string; case_id: string; point_id: PointId; source: Evidence['source']; title: string; summary: string;
  artifact_id: string | null; data: string; suggested_status: ChecklistStatus | null; created_at: string;
}

const toEvidence = (r: EvidenceRow): Evidence => ({
  id: r.id, caseId: r.case_id, pointId: r.point_id, source: r.source, title: r.title, summary: r.summary,
  artifactId: r.artifact_id, data: parseJson<unknown>(r.data), suggestedStatus: r.suggested_status, createdAt: r.created_at,
});

export function insertEvidence(db: Database, e: Evidence): void {
  stmt(db, `INSERT INTO evidence (id, case_id, point_id, source, title, summary, artifact_id, data, suggested_status, created_at)
    VALUES (@id, @caseId, @pointId, @source, @title, @summary, @artifactId, @data, @suggestedStatus, @createdAt)`)
    .run({ ...e, data: JSON.stringify(e.data ?? null) });
}

/** Removes earlier evidence of one source about one artifact and point (a re-scan replaces it). */
export function deleteEvidence(db: Database, caseId: string, pointId: PointId, source: Evidence['source'], artifactId: string | null): void {
  stmt(db, 'DELETE FROM evidence WHERE case_id = ? AND point_id = ? AND source = ? AND artifact_id IS ?').run(caseId, pointId, source, artifactId);
}

export function listEvidence(db: Database, caseId: string, pointId?: PointId): Evidence[] {
  const rows = pointId
    ? stmt(db, 'SELECT * FROM evidence WHERE case_id = ? AND point_id = ? ORDER BY rowid').all(caseId, pointId)
    : stmt(db, 'SELECT * FROM evidence WHERE case_id = ? ORDER BY rowid').all(caseId);
  return (rows as EvidenceRow[]).map(toEvidence);
}

interface AttachmentRow {
  id: string; case_id: string; point_id: PointId | null; name: string; size: number; sha256: string; added_at: string; added_by: string;
}

const toAttachment = (r: AttachmentRow): Attachment => ({
  id: r.id, caseId: r.case_id, pointId: r.point_id, name: r.name, size: r.size, sha256: r.sha256, addedAt: r.added_at, addedBy: r.added_by,
});

export function insertAttachment(db: Database, a: Attachment): void {
  stmt(db, `INSERT INTO attachments (id, case_id, point_id, name, size, sha256, added_at, added_by)
    VALUES (@id, @caseId, @pointId, @name, @size, @sha256, @addedAt, @addedBy)`).run(a);
}

export function listAttachments(db: Database, caseId: string): Attachment[] {
  return (stmt(db, 'SELECT * FROM attachments WHERE case_id = ? ORDER BY rowid').all(caseId) as AttachmentRow[]).map(toAttachment);
}
