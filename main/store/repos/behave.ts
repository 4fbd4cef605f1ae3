// Behaviour runs and baselines (tables of migration 004). SQL only: results and baseline
// documents are JSON the core builds and reads.
import type { Database } from 'better-sqlite3';
import { parseJson, stmt } from '../statements.ts';

export interface StoredRun<R = unknown> {
  id: string;
  caseId: string;
  artifactId: string;
  kind: string;
  /** The baseline compared with, the other version... ('' when the kind needs none). */
  subject: string;
  modelSha256: string;
  startedAt: string;
  finishedAt: string;
  actor: string;
  ok: boolean;
  isolationLevel: string | null;
  result: R;
}

interface RunRow {
  id: string; case_id: string; artifact_id: string; kind: string; subject: string; model_sha256: string; started_at: string;
  finished_at: string; actor: string; ok: number; isolation_level: string | null; result: string;
}

function toRun<R>(r: RunRow): StoredRun<R> {
  return {
    id: r.id, caseId: r.case_id, artifactId: r.artifact_id, kind: r.kind, subject: r.subject, modelSha256: r.model_sha256,
    startedAt: r.started_at, finishedAt: r.finished_at, actor: r.actor, ok: r.ok === 1, isolationLevel: r.isolation_level,
    result: parseJson<R>(r.result) as R,
  };
}

export function insertRun(db: Database, r: StoredRun): void {
  stmt(db, `INSERT INTO behave_runs (id, case_id, artifact_id, kind, subject, model_sha256, started_at, finished_at, actor, ok, isolation_level, result)
    VALUES (@id, @caseId, @artifactId, @kind, @subject, @modelSha256, @startedAt, @finishedAt, @actor, @ok, @isolationLevel, @result)`)
    .run({ ...r, ok: r.ok ? 1 : 0, result: JSON.stringify(r.result) });
}

/** Runs of an artifact, newest first (rowid breaks ties between runs stored in the same millisecond). */
export function listRuns<R>(db: Database, artifactId: string, kind: string | null, limit: number): StoredRun<R>[] {
  const rows = kind
    ? stmt(db, 'SELECT * FROM behave_runs WHERE artifact_id = ? AND kind = ? ORDER BY started_at DESC, rowid DESC LIMIT ?').all(artifactId, kind, limit)
    : stmt(db, 'SELECT * FROM behave_runs WHERE artifact_id = ? ORDER BY started_at DESC, rowid DESC LIMIT ?').all(artifactId, limit);
  return (rows as RunRow[]).map((r) => toRun<R>(r));
}

/** The newest run of each kind and subject on an artifact (the current ones), oldest first. */
export function currentRuns<R>(db: Database, artifactId: string): StoredRun<R>[] {
  const rows = stmt(db, `SELECT * FROM behave_runs r WHERE artifact_id = ? AND rowid = (
      SELECT rowid FROM behave_runs x WHERE x.artifact_id = r.artifact_id AND x.kind = r.kind AND x.subject = r.subject
      ORDER BY started_at DESC, rowid DESC LIMIT 1)
    ORDER BY started_at, rowid`).all(artifactId) as RunRow[];
  return rows.map((r) => toRun<R>(r));
}

export interface StoredBaseline<I = unknown, D = unknown> {
  id: string;
  caseId: string | null;
  artifactId: string | null;
  modelSha256: string;
  name: string;
  createdAt: string;
  createdBy: string;
  info: I;
  data: D;
}

interface BaselineRow {
  id: string; case_id: string | null; artifact_id: string | null; model_sha256: string; name: string;
  created_at: string; created_by: string; info: string; data: string;
}

function toBaseline<I, D>(r: BaselineRow, withData: boolean): StoredBaseline<I, D> {
  return {
    id: r.id, caseId: r.case_id, artifactId: r.artifact_id, modelSha256: r.model_sha256, name: r.name,
    createdAt: r.created_at, createdBy: r.created_by, info: parseJson<I>(r.info) as I,
    data: (withData ? parseJson<D>(r.data) : null) as D,
  };
}

const INFO_COLUMNS = 'id, case_id, artifact_id, model_sha256, name, created_at, created_by, info, \'null\' AS data';

export function insertBaseline(db: Database, b: StoredBaseline): void {
  stmt(db, `INSERT INTO behave_baselines (id, case_id, artifact_id, model_sha256, name, created_at, created_by, info, data)
    VALUES (@id, @caseId, @artifactId, @modelSha256, @name, @createdAt, @createdBy, @info, @data)`)
    .run({ ...b, info: JSON.stringify(b.info), data: JSON.stringify(b.data) });
}

/** One baseline with its outputs. */
export function getBaseline<I, D>(db: Database, id: string): StoredBaseline<I, D> | null {
  const row = stmt(db, 'SELECT * FROM behave_baselines WHERE id = ?').get(id) as BaselineRow | undefined;
  return row ? toBaseline<I, D>(row, true) : null;
}

export function findArtifactBaseline<I>(db: Database, artifactId: string, name: string): StoredBaseline<I, null> | null {
  const row = stmt(db, `SELECT ${INFO_COLUMNS} FROM behave_baselines WHERE artifact_id = ? AND name = ?`).get(artifactId, name) as BaselineRow | undefined;
  return row ? toBaseline<I, null>(row, false) : null;
}

/** Baselines of every artifact of a case, newest first (without outputs). */
export function listCaseBaselines<I>(db: Database, caseId: string): StoredBaseline<I, null>[] {
  return (stmt(db, `SELECT ${INFO_COLUMNS} FROM behave_baselines WHERE case_id = ? ORDER BY created_at DESC, rowid DESC`).all(caseId) as BaselineRow[])
    .map((r) => toBaseline<I, null>(r, false));
}

/** The model library (baselines outside any case), newest first; optionally only one name. */
export function listLibraryBaselines<I>(db: Database, name?: string): StoredBaseline<I, null>[] {
  const rows = name === undefined
    ? stmt(db, `SELECT ${INFO_COLUMNS} FROM behave_baselines WHERE artifact_id IS NULL ORDER BY created_at DESC, rowid DESC`).all()
    : stmt(db, `SELECT ${INFO_COLUMNS} FROM behave_baselines WHERE artifact_id IS NULL AND name = ? ORDER BY created_at DESC, rowid DESC`).all(name);
  return (rows as BaselineRow[]).map((r) => toBaseline<I, null>(r, false));
}

export function deleteLibraryBaseline(db: Database, modelSha256: string, name: string): number {
  return stmt(db, 'DELETE FROM behave_baselines WHERE artifact_id IS NULL AND model_sha256 = ? AND name = ?').run(modelSha256, name).changes;
}
