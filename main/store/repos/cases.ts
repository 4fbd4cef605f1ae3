import type { Database } from 'better-sqlite3';
import type { Case } from '../../../shared/api/schemas.ts';
import { stmt } from '../statements.ts';

interface CaseRow {
  id: string; name: string; description: string; auditor: string; created_at: string; state: Case['state'];
}

const toCase = (r: CaseRow): Case => ({
  id: r.id, name: r.name, description: r.description, auditor: r.auditor, createdAt: r.created_at, state: r.state,
});

export function insertCase(db: Database, c: Case): void {
  stmt(db, 'INSERT INTO cases (id, name, description, auditor, created_at, state) VALUES (?, ?, ?, ?, ?, ?)')
    .run(c.id, c.name, c.description, c.auditor, c.createdAt, c.state);
}

export function getCase(db: Database, id: string): Case | null {
  const row = stmt(db, 'SELECT * FROM cases WHERE id = ?').get(id) as CaseRow | undefined;
  return row ? toCase(row) : null;
}

export function listCases(db: Database): Case[] {
  return (stmt(db, 'SELECT * FROM cases ORDER BY created_at DESC, rowid DESC').all() as CaseRow[]).map(toCase);
}

export function updateCase(db: Database, id: string, patch: { name?: string; description?: string; state?: Case['state'] }): void {
  const current = getCase(db, id);
  if (!current) return;
  stmt(db, 'UPDATE cases SET name = ?, description = ?, state = ? WHERE id = ?')
    .run(patch.name ?? current.name, patch.description ?? current.description, patch.state ?? current.state, id);
}

/** Resolves what a person typed: an id, a unique id prefix (4+ characters) or an exact name. */
export function resolveCaseRef(db: Database, ref: string): Case[] {
  const exact = getCase(db, ref);
  if (exact) return [exact];
  const byName = (stmt(db, 'SELECT * FROM cases WHERE name = ?').all(ref) as CaseRow[]).map(toCase);
  if (byName.length > 0) return byName;
  if (ref.length >= 4 && /^[a-z0-9]+$/.test(ref)) {
    return (stmt(db, "SELECT * FROM cases WHERE id LIKE ? || '%'").all(ref) as CaseRow[]).map(toCase);
  }
  return [];
}
