// Opens the one SQLite database of a data directory: refuses files it does not own or that a
// newer Assay wrote (without modifying them), then sets WAL, foreign keys and full durability,
// and applies pending migrations, each in its own transaction.
import { existsSync } from 'node:fs';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { ApiError } from '../../shared/api/errors.ts';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations/index.ts';

/** 'ASSY' in the SQLite header marks the file as Assay's. */
export const APPLICATION_ID = 0x41535359;

export type { Database };

function readHeader(file: string): { userVersion: number; applicationId: number } {
  const probe = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    return {
      userVersion: probe.pragma('user_version', { simple: true }) as number,
      applicationId: probe.pragma('application_id', { simple: true }) as number,
    };
  } finally {
    probe.close();
  }
}

export function openDatabase(file: string): Database {
  if (existsSync(file)) {
    let header;
    try {
      header = readHeader(file);
    } catch (e) {
      throw new ApiError('conflict', `${file} is not a readable SQLite database (${e instanceof Error ? e.message : String(e)}); nothing was changed.`);
    }
    if (header.applicationId !== 0 && header.applicationId !== APPLICATION_ID) {
      throw new ApiError('conflict', `${file} belongs to another application (application id ${header.applicationId}); nothing was changed.`);
    }
    if (header.userVersion > LATEST_SCHEMA_VERSION) {
      throw new ApiError('conflict',
        `${file} was written by a newer version of Assay (schema ${header.userVersion}; this version knows up to ${LATEST_SCHEMA_VERSION}). Nothing was changed: open it with that newer version.`);
    }
  }
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  // FULL: a transaction the app acknowledged survives power loss, not only a process crash.
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Database): void {
  const current = schemaVersion(db);
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      if (m.sql) db.exec(m.sql);
      m.run?.(db);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}
