import type { Database } from 'better-sqlite3';
import type { ChecklistStatus, PointId } from '../../../shared/checklist/points.ts';
import { POINT_IDS } from '../../../shared/checklist/points.ts';
import { stmt } from '../statements.ts';

export interface ChecklistRow {
  pointId: PointId;
  status: ChecklistStatus;
  notes: string;
  auditor: string | null;
  updatedAt: string | null;
}

interface Row { point_id: PointId; status: ChecklistStatus; notes: string; auditor: string | null; updated_at: string | null }

const toRow = (r: Row): ChecklistRow => ({ pointId: r.point_id, status: r.status, notes: r.notes, auditor: r.auditor, updatedAt: r.updated_at });

export function initChecklist(db: Database, caseId: string): void {
  const insert = stmt(db, 'INSERT INTO checklist_entries (case_id, point_id) VALUES (?, ?)');
  for (const p of POINT_IDS) insert.run(caseId, p);
}

export function getChecklist(db: Database, caseId: string): ChecklistRow[] {
  return (stmt(db, 'SELECT * FROM checklist_entries WHERE case_id = ? ORDER BY point_id').all(caseId) as Row[]).map(toRow);
}

export function getChecklistEntry(db: Database, caseId: string, pointId: PointId): ChecklistRow | null {
  const row = stmt(db, 'SELECT * FROM checklist_entries WHERE case_id = ? AND point_id = ?').get(caseId, pointId) as Row | undefined;
  return row ? toRow(row) : null;
}

export function updateChecklistEntry(db: Database, caseId: string, row: ChecklistRow): void {
  stmt(db, 'UPDATE checklist_entries SET status = ?, notes = ?, auditor = ?, updated_at = ? WHERE case_id = ? AND point_id = ?')
    .run(row.status, row.notes, row.auditor, row.updatedAt, caseId, row.pointId);
}
