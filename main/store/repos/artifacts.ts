import type { Database } from 'better-sqlite3';
import type { Artifact, ArtifactSet, SeverityCounts, ArtifactKind } from '../../../shared/api/schemas.ts';
import type { Verdict } from '../../../shared/findings.ts';
import { stmt } from '../statements.ts';

export interface ArtifactRecord {
  id: string;
  caseId: string;
  setId: string | null;
  relPath: string | null;
  displayName: string;
  originalPath: string;
  size: number;
  sha256: string;
  format: string;
  formatDetail: string;
  extensionClaim: string | null;
  extensionMismatch: boolean;
  kind: ArtifactKind;
  storage: 'reference' | 'import';
  blobPath: string | null;
  fileMode: number | null;
  addedAt: string;
  addedBy: string;
  verdict: Verdict | null;
}

interface ArtifactRow {
  id: string; case_id: string; set_id: string | null; rel_path: string | null; display_name: string;
  original_path: string; size: number; sha256: string; format: string; format_detail: string;
  extension_claim: string | null; extension_mismatch: number; kind: ArtifactKind; storage: 'reference' | 'import';
  blob_path: string | null; file_mode: number | null; added_at: string; added_by: string; verdict: Verdict | null;
}

const toRecord = (r: ArtifactRow): ArtifactRecord => ({
  id: r.id, caseId: r.case_id, setId: r.set_id, relPath: r.rel_path, displayName: r.display_name,
  originalPath: r.original_path, size: r.size, sha256: r.sha256, format: r.format, formatDetail: r.format_detail,
  extensionClaim: r.extension_claim, extensionMismatch: r.extension_mismatch === 1, kind: r.kind, storage: r.storage,
  blobPath: r.blob_path, fileMode: r.file_mode, addedAt: r.added_at, addedBy: r.added_by, verdict: r.verdict,
});

export const EMPTY_COUNTS: SeverityCounts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };

export function toApiArtifact(r: ArtifactRecord, counts: SeverityCounts = EMPTY_COUNTS, formatLabel = r.format): Artifact {
  return {
    id: r.id, caseId: r.caseId, setId: r.setId, relPath: r.relPath, displayName: r.displayName,
    originalPath: r.originalPath, size: r.size, sha256: r.sha256, format: r.format, formatLabel,
    extensionClaim: r.extensionClaim, extensionMismatch: r.extensionMismatch, kind: r.kind, storage: r.storage,
    addedAt: r.addedAt, addedBy: r.addedBy, verdict: r.verdict, findingCounts: counts,
  };
}

export function insertArtifact(db: Database, a: ArtifactRecord): void {
  stmt(db, `INSERT INTO artifacts (id, case_id, set_id, rel_path, display_name, original_path, size, sha256, format,
      format_detail, extension_claim, extension_mismatch, kind, storage, blob_path, file_mode, added_at, added_by, verdict)
    VALUES (@id, @caseId, @setId, @relPath, @displayName, @originalPath, @size, @sha256, @format, @formatDetail,
      @extensionClaim, @extensionMismatch, @kind, @storage, @blobPath, @fileMode, @addedAt, @addedBy, @verdict)`)
    .run({ ...a, extensionMismatch: a.extensionMismatch ? 1 : 0 });
}

export function getArtifact(db: Database, id: string): ArtifactRecord | null {
  const row = stmt(db, 'SELECT * FROM artifacts WHERE id = ?').get(id) as ArtifactRow | undefined;
  return row ? toRecord(row) : null;
}

export function findLooseArtifact(db: Database, caseId: string, sha256: string): ArtifactRecord | null {
  const row = stmt(db, 'SELECT * FROM artifacts WHERE case_id = ? AND sha256 = ? AND set_id IS NULL').get(caseId, sha256) as ArtifactRow | undefined;
  return row ? toRecord(row) : null;
}

export function listArtifacts(db: Database, caseId: string, offset: number, limit: number): ArtifactRecord[] {
  return (stmt(db, 'SELECT * FROM artifacts WHERE case_id = ? ORDER BY rowid LIMIT ? OFFSET ?').all(caseId, limit, offset) as ArtifactRow[]).map(toRecord);
}

export function listSetArtifacts(db: Database, setId: string): ArtifactRecord[] {
  return (stmt(db, 'SELECT * FROM artifacts WHERE set_id = ? ORDER BY rel_path').all(setId) as ArtifactRow[]).map(toRecord);
}

export function countArtifacts(db: Database, caseId: string): number {
  return (stmt(db, 'SELECT count(*) AS n FROM artifacts WHERE case_id = ?').get(caseId) as { n: number }).n;
}

export function setArtifactVerdict(db: Database, id: string, verdict: Verdict | null): void {
  stmt(db, 'UPDATE artifacts SET verdict = ? WHERE id = ?').run(verdict, id);
}

interface SetRow {
  id: string; case_id: string; name: string; root_path: string; root_digest: string; file_count: number;
  total_size: number; added_at: string;
}

const toSet = (r: SetRow): ArtifactSet => ({
  id: r.id, caseId: r.case_id, name: r.name, rootPath: r.root_path, rootDigest: r.root_digest,
  fileCount: r.file_count, totalSize: r.total_size, addedAt: r.added_at,
});

export function insertSet(db: Database, s: ArtifactSet): void {
  stmt(db, `INSERT INTO artifact_sets (id, case_id, name, root_path, root_digest, file_count, total_size, added_at)
    VALUES (@id, @caseId, @name, @rootPath, @rootDigest, @fileCount, @totalSize, @addedAt)`).run(s);
}

export function findSetByDigest(db: Database, caseId: string, rootDigest: string): ArtifactSet | null {
  const row = stmt(db, 'SELECT * FROM artifact_sets WHERE case_id = ? AND root_digest = ?').get(caseId, rootDigest) as SetRow | undefined;
  return row ? toSet(row) : null;
}

export function listSets(db: Database, caseId: string): ArtifactSet[] {
  return (stmt(db, 'SELECT * FROM artifact_sets WHERE case_id = ? ORDER BY rowid').all(caseId) as SetRow[]).map(toSet);
}

export function getSet(db: Database, id: string): ArtifactSet | null {
  const row = stmt(db, 'SELECT * FROM artifact_sets WHERE id = ?').get(id) as SetRow | undefined;
  return row ? toSet(row) : null;
}
