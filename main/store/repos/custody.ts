import type { Database } from 'better-sqlite3';
import type { CustodyEvent } from '../../../shared/api/schemas.ts';
import { stmt } from '../statements.ts';

interface Row {
  chain: string; seq: number; case_id: string | null; at: string; actor: string; action: string; subject: string;
  details: string; prev_hash: string; hash: string;
}

export interface StoredCustodyEvent extends CustodyEvent {
  chain: string;
}

const toEvent = (r: Row): StoredCustodyEvent => ({
  chain: r.chain, seq: r.seq, caseId: r.case_id, at: r.at, actor: r.actor, action: r.action, subject: r.subject,
  details: JSON.parse(r.details) as Record<string, unknown>, prevHash: r.prev_hash, hash: r.hash,
});

export function chainHead(db: Database, chain: string): { seq: number; hash: string } | null {
  const row = stmt(db, 'SELECT seq, hash FROM custody_events WHERE chain = ? ORDER BY seq DESC LIMIT 1').get(chain) as { seq: number; hash: string } | undefined;
  return row ?? null;
}

/** Stores the details exactly as hashed (the caller passes their canonical JSON). */
export function insertCustodyEvent(db: Database, e: StoredCustodyEvent, canonicalDetails: string): void {
  stmt(db, `INSERT INTO custody_events (chain, seq, case_id, at, actor, action, subject, details, prev_hash, hash)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(e.chain, e.seq, e.caseId, e.at, e.actor, e.action, e.subject, canonicalDetails, e.prevHash, e.hash);
}

export function listChain(db: Database, chain: string, offset = 0, limit = -1): StoredCustodyEvent[] {
  return (stmt(db, 'SELECT * FROM custody_events WHERE chain = ? ORDER BY seq LIMIT ? OFFSET ?').all(chain, limit, offset) as Row[]).map(toEvent);
}

export function countChain(db: Database, chain: string): number {
  return (stmt(db, 'SELECT count(*) AS n FROM custody_events WHERE chain = ?').get(chain) as { n: number }).n;
}

/** Iterates a chain without loading it all (a long-lived case can have many events). */
export function* iterateChain(db: Database, chain: string): Generator<StoredCustodyEvent> {
  // A fresh statement: a cached one could be in use by an outer iteration.
  for (const row of db.prepare('SELECT * FROM custody_events WHERE chain = ? ORDER BY seq').iterate(chain) as Iterable<Row>) {
    yield toEvent(row);
  }
}
