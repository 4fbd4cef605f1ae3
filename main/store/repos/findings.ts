import type { Database } from 'better-sqlite3';
import type { FindingRecord, FindingStatus, SeverityCounts } from '../../../shared/api/schemas.ts';
import type { PointId } from '../../../shared/checklist/points.ts';
import type { FindingLocation, Severity } from '../../../shared/findings.ts';
import { parseJson, stmt } from '../statements.ts';
import { EMPTY_COUNTS } from './artifacts.ts';

export interface FindingInsert {
  id: string;
  caseId: string;
  artifactId: string | null;
  source: string;
  ruleId: string;
  severity: Severity;
  message: string;
  location: FindingLocation;
  evidence: Record<string, unknown> | null;
  checklist: PointId[];
  fingerprint: string;
  status: FindingStatus;
  justification: string | null;
  reviewedBy: string | null;
  reviewedAt: string | null;
  createdAt: string;
}

interface FindingRow {
  id: string; case_id: string; artifact_id: string | null; source: string; rule_id: string; severity: Severity;
  message: string; location: string; evidence: string | null; fingerprint: string; status: FindingStatus;
  justification: string | null; reviewed_by: string | null; reviewed_at: string | null; created_at: string;
  points: string | null;
}

const SELECT = `SELECT f.*, (SELECT group_concat(point_id) FROM finding_points p WHERE p.finding_id = f.id) AS points FROM findings f`;
const SEVERITY_ORDER = `CASE f.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END`;

const toRecord = (r: FindingRow): FindingRecord => ({
  id: r.id, caseId: r.case_id, artifactId: r.artifact_id, ruleId: r.rule_id, severity: r.severity, message: r.message,
  location: parseJson<FindingLocation>(r.location) ?? {},
  checklist: (r.points ? r.points.split(',').sort() : []) as PointId[],
  evidence: parseJson<Record<string, unknown>>(r.evidence),
  status: r.status, justification: r.justification, reviewedBy: r.reviewed_by, reviewedAt: r.reviewed_at, createdAt: r.created_at,
});

export function insertFinding(db: Database, f: FindingInsert): void {
  stmt(db, `INSERT INTO findings (id, case_id, artifact_id, source, rule_id, severity, message, location, evidence,
      fingerprint, status, justification, reviewed_by, reviewed_at, created_at)
    VALUES (@id, @caseId, @artifactId, @source, @ruleId, @severity, @message, @location, @evidence, @fingerprint,
      @status, @justification, @reviewedBy, @reviewedAt, @createdAt)`).run({
    ...f,
    location: JSON.stringify(f.location),
    evidence: f.evidence === null ? null : JSON.stringify(f.evidence),
  });
  const point = stmt(db, 'INSERT OR IGNORE INTO finding_points (finding_id, point_id) VALUES (?, ?)');
  for (const p of f.checklist) point.run(f.id, p);
}

/** Review state of the current findings of one artifact and source, keyed by fingerprint. */
export function reviewsByFingerprint(db: Database, artifactId: string | null, caseId: string, source: string): Map<string, Pick<FindingInsert, 'status' | 'justification' | 'reviewedBy' | 'reviewedAt'>> {
  const rows = stmt(db, `SELECT fingerprint, status, justification, reviewed_by, reviewed_at FROM findings
      WHERE case_id = ? AND source = ? AND artifact_id IS ?`).all(caseId, source, artifactId) as FindingRow[];
  return new Map(rows.map((r) => [r.fingerprint, { status: r.status, justification: r.justification, reviewedBy: r.reviewed_by, reviewedAt: r.reviewed_at }]));
}

export function deleteFindings(db: Database, artifactId: string | null, caseId: string, source: string): number {
  return stmt(db, 'DELETE FROM findings WHERE case_id = ? AND source = ? AND artifact_id IS ?').run(caseId, source, artifactId).changes;
}

export function getFinding(db: Database, id: string): FindingRecord | null {
  const row = stmt(db, `${SELECT} WHERE f.id = ?`).get(id) as FindingRow | undefined;
  return row ? toRecord(row) : null;
}

export function listFindings(db: Database, caseId: string, artifactId?: string): FindingRecord[] {
  const rows = artifactId
    ? stmt(db, `${SELECT} WHERE f.case_id = ? AND f.artifact_id = ? ORDER BY ${SEVERITY_ORDER}, f.rowid`).all(caseId, artifactId)
    : stmt(db, `${SELECT} WHERE f.case_id = ? ORDER BY ${SEVERITY_ORDER}, f.rowid`).all(caseId);
  return (rows as FindingRow[]).map(toRecord);
}

export function findingsForPoint(db: Database, caseId: string, pointId: PointId): FindingRecord[] {
  const rows = stmt(db, `${SELECT} JOIN finding_points fp ON fp.finding_id = f.id
      WHERE f.case_id = ? AND fp.point_id = ?
      ORDER BY CASE f.status WHEN 'open' THEN 0 ELSE 1 END, ${SEVERITY_ORDER}, f.rowid`).all(caseId, pointId) as FindingRow[];
  return rows.map(toRecord);
}

/** Open high or critical findings linked to a point: while any exist the point cannot pass. */
export function blockingFindingCount(db: Database, caseId: string, pointId: PointId): number {
  return (stmt(db, `SELECT count(*) AS n FROM findings f JOIN finding_points fp ON fp.finding_id = f.id
      WHERE f.case_id = ? AND fp.point_id = ? AND f.status = 'open' AND f.severity IN ('high', 'critical')`)
    .get(caseId, pointId) as { n: number }).n;
}

export function setFindingReview(db: Database, id: string, review: { status: FindingStatus; justification: string | null; reviewedBy: string | null; reviewedAt: string | null }): void {
  stmt(db, 'UPDATE findings SET status = ?, justification = ?, reviewed_by = ?, reviewed_at = ? WHERE id = ?')
    .run(review.status, review.justification, review.reviewedBy, review.reviewedAt, id);
}

function countsFrom(rows: { severity: Severity; n: number }[]): SeverityCounts {
  const counts = { ...EMPTY_COUNTS };
  for (const r of rows) counts[r.severity] = r.n;
  return counts;
}

/** Counts of findings not dismissed as false positives, for a case. */
export function caseSeverityCounts(db: Database, caseId: string): SeverityCounts {
  return countsFrom(stmt(db, `SELECT severity, count(*) AS n FROM findings WHERE case_id = ? AND status != 'false_positive' GROUP BY severity`)
    .all(caseId) as { severity: Severity; n: number }[]);
}

/** The same counts per artifact of a case. */
export function artifactSeverityCounts(db: Database, caseId: string): Map<string, SeverityCounts> {
  const rows = stmt(db, `SELECT artifact_id, severity, count(*) AS n FROM findings
      WHERE case_id = ? AND artifact_id IS NOT NULL AND status != 'false_positive' GROUP BY artifact_id, severity`)
    .all(caseId) as { artifact_id: string; severity: Severity; n: number }[];
  const out = new Map<string, SeverityCounts>();
  for (const r of rows) {
    const c = out.get(r.artifact_id) ?? { ...EMPTY_COUNTS };
    c[r.severity] = r.n;
    out.set(r.artifact_id, c);
  }
  return out;
}
