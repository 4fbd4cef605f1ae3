import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { ApiError } from '../../shared/api/errors.ts';
import { APPLICATION_ID, openDatabase, schemaVersion } from '../../main/store/db.ts';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../main/store/migrations/index.ts';
import { tempDir } from '../helpers/core.ts';

const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

test('migration versions are dense and forward: 1, 2, 3...', () => {
  assert.deepEqual(MIGRATIONS.map((m) => m.version), MIGRATIONS.map((_, i) => i + 1));
});

test('a fresh database is migrated to the latest schema, in WAL mode with foreign keys on', async () => {
  const dir = await tempDir();
  try {
    const db = openDatabase(join(dir.path, 'assay.db'));
    assert.equal(schemaVersion(db), LATEST_SCHEMA_VERSION);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    assert.equal(db.pragma('application_id', { simple: true }), APPLICATION_ID);
    db.close();
    // Re-opening an up-to-date database changes nothing and works.
    const again = openDatabase(join(dir.path, 'assay.db'));
    assert.equal(schemaVersion(again), LATEST_SCHEMA_VERSION);
    again.close();
  } finally {
    await dir.remove();
  }
});

test('a database written by a newer Assay is refused with a clear message and left untouched', async () => {
  const dir = await tempDir();
  try {
    const file = join(dir.path, 'assay.db');
    const db = openDatabase(file);
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 5}`);
    db.pragma('journal_mode = DELETE'); // fold the WAL in so the file alone is the database
    db.close();
    const before = digest(file);
    assert.throws(() => openDatabase(file), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.code, 'conflict');
      assert.match(e.message, /newer version of Assay/);
      assert.match(e.message, /Nothing was changed/);
      return true;
    });
    assert.equal(digest(file), before);
  } finally {
    await dir.remove();
  }
});

test("another application's SQLite file is refused", async () => {
  const dir = await tempDir();
  try {
    const file = join(dir.path, 'other.db');
    const other = new BetterSqlite3(file);
    other.pragma('application_id = 12345');
    other.exec('CREATE TABLE t (x)');
    other.close();
    assert.throws(() => openDatabase(file), /belongs to another application/);
  } finally {
    await dir.remove();
  }
});

test('a file that is not SQLite is refused without being overwritten', async () => {
  const dir = await tempDir();
  try {
    const file = join(dir.path, 'assay.db');
    writeFileSync(file, 'this is not a database, it is a note somebody left here\n'.repeat(20));
    const before = digest(file);
    assert.throws(() => openDatabase(file), /not a readable SQLite database/);
    assert.equal(digest(file), before);
  } finally {
    await dir.remove();
  }
});

test('custody events cannot be updated or deleted through SQL', async () => {
  const dir = await tempDir();
  try {
    const db = openDatabase(join(dir.path, 'assay.db'));
    db.prepare(`INSERT INTO custody_events (chain, seq, case_id, at, actor, action, subject, details, prev_hash, hash)
      VALUES ('workstation', 1, NULL, 't', 'a', 'x', 's', '{}', ?, ?)`).run('0'.repeat(64), '1'.repeat(64));
    assert.throws(() => db.prepare("UPDATE custody_events SET actor = 'mallory'").run(), /append-only/);
    assert.throws(() => db.prepare('DELETE FROM custody_events').run(), /append-only/);
    db.close();
  } finally {
    await dir.remove();
  }
});
