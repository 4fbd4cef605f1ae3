import type { Database } from 'better-sqlite3';

/** A numbered, forward-only schema change. Versions are dense: 1, 2, 3... */
export interface Migration {
  version: number;
  name: string;
  /** DDL run in one transaction; or a function for changes that need data work. */
  sql?: string;
  run?: (db: Database) => void;
}
