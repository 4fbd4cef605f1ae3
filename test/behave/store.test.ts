// The behaviour tables (migration 004): runs and baselines round-trip; the current runs of an
// artifact are the newest of each kind and subject; baseline names are unique per artifact and,
// in the model library, per model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase, schemaVersion } from '../../main/store/db.ts';
import { LATEST_SCHEMA_VERSION } from '../../main/store/migrations/index.ts';
import {
  currentRuns, deleteLibraryBaseline, findArtifactBaseline, getBaseline, insertBaseline, insertRun, listCaseBaselines,
  listLibraryBaselines, listRuns, type StoredBaseline, type StoredRun,
} from '../../main/store/repos/behave.ts';
import { tempDir } from '../helpers/core.ts';

const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);

async function withDb(fn: (db: ReturnType<typeof openDatabase>) => void): Promise<void> {
  const dir = await tempDir('assay-behave-store-');
  const db = openDatabase(join(dir.path, 'assay.db'));
  try {
    db.prepare(`INSERT INTO cases (id, name, auditor, created_at) VALUES ('case1', 'c', 'a', '2026-01-01T00:00:00.000Z')`).run();
    for (const id of ['art1', 'art2']) {
      db.prepare(`INSERT INTO artifacts (id, case_id, display_name, original_path, size, sha256, format, format_detail, kind, storage, added_at, added_by)
        VALUES (?, 'case1', ?, '/x', 1, ?, 'onnx', '', 'model', 'reference', '2026-01-01T00:00:00.000Z', 'a')`).run(id, `${id}.onnx`, id === 'art1' ? SHA_A : SHA_B);
    }
    fn(db);
  } finally {
    db.close();
    await dir.remove();
  }
}

function run(id: string, kind: string, startedAt: string, subject = '', artifactId = 'art1'): StoredRun {
  return {
    id, caseId: 'case1', artifactId, kind, subject, modelSha256: SHA_A, startedAt, finishedAt: startedAt, actor: 'a', ok: true,
    isolationLevel: 'bubblewrap', result: { id, kind, note: `result of ${id}`, values: [1, 2.5, null] },
  };
}

function baseline(id: string, name: string, over: Partial<StoredBaseline> = {}): StoredBaseline {
  return {
    id, caseId: 'case1', artifactId: 'art1', modelSha256: SHA_A, name, createdAt: `2026-01-0${id.length % 9 + 1}T00:00:00.000Z`, createdBy: 'a',
    info: { rows: 64, outputs: ['probabilities'] }, data: { format: 'assay-behaviour-baseline/1', outputs: [{ name: 'probabilities', values: 'AAAA' }] },
    ...over,
  };
}

test('migration 004 creates the behaviour tables at the latest schema version', async () => {
  await withDb((db) => {
    assert.equal(schemaVersion(db), LATEST_SCHEMA_VERSION);
    assert.ok(LATEST_SCHEMA_VERSION >= 4);
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'behave_%' ORDER BY name`).all() as { name: string }[]).map((t) => t.name);
    assert.deepEqual(tables, ['behave_baselines', 'behave_runs']);
  });
});

test('runs round-trip with their JSON result; listing is newest first and filters by kind', async () => {
  await withDb((db) => {
    insertRun(db, run('r1', 'probe', '2026-01-01T00:00:01.000Z'));
    insertRun(db, run('r2', 'backdoor', '2026-01-01T00:00:02.000Z'));
    insertRun(db, run('r3', 'probe', '2026-01-01T00:00:03.000Z'));
    const all = listRuns<{ note: string; values: unknown[] }>(db, 'art1', null, 10);
    assert.deepEqual(all.map((r) => r.id), ['r3', 'r2', 'r1']);
    assert.deepEqual(all[0]!.result.values, [1, 2.5, null]);
    assert.equal(all[0]!.ok, true);
    assert.deepEqual(listRuns(db, 'art1', 'probe', 10).map((r) => r.id), ['r3', 'r1']);
    assert.deepEqual(listRuns(db, 'art1', null, 1).map((r) => r.id), ['r3']);
    assert.deepEqual(listRuns(db, 'art2', null, 10), []);
  });
});

test('current runs: the newest of each kind and subject, so a probe run does not hide the backdoor suite', async () => {
  await withDb((db) => {
    insertRun(db, run('old-probe', 'probe', '2026-01-01T00:00:01.000Z'));
    insertRun(db, run('backdoor', 'backdoor', '2026-01-01T00:00:02.000Z'));
    insertRun(db, run('cmp-x-old', 'compare', '2026-01-01T00:00:03.000Z', 'baseline-x'));
    insertRun(db, run('cmp-y', 'compare', '2026-01-01T00:00:04.000Z', 'baseline-y'));
    insertRun(db, run('cmp-x-new', 'compare', '2026-01-01T00:00:05.000Z', 'baseline-x'));
    insertRun(db, run('new-probe', 'probe', '2026-01-01T00:00:06.000Z'));
    // Two runs in the same millisecond: the one stored later is newer.
    insertRun(db, run('same-1', 'side-by-side', '2026-01-01T00:00:07.000Z', 'art2'));
    insertRun(db, run('same-2', 'side-by-side', '2026-01-01T00:00:07.000Z', 'art2'));
    insertRun(db, run('other', 'probe', '2026-01-01T00:00:09.000Z', '', 'art2'));
    assert.deepEqual(currentRuns(db, 'art1').map((r) => r.id), ['backdoor', 'cmp-y', 'cmp-x-new', 'new-probe', 'same-2']);
  });
});

test('baselines round-trip; listings leave the outputs out; names are unique per artifact and per model in the library', async () => {
  await withDb((db) => {
    insertBaseline(db, baseline('b1', 'vetted'));
    insertBaseline(db, baseline('b2', 'vetted', { artifactId: 'art2', modelSha256: SHA_B }));
    insertBaseline(db, baseline('lib1', 'vetted', { caseId: null, artifactId: null }));
    insertBaseline(db, baseline('lib2', 'vetted', { caseId: null, artifactId: null, modelSha256: SHA_B }));
    const full = getBaseline<{ rows: number }, { outputs: { values: string }[] }>(db, 'b1')!;
    assert.equal(full.info.rows, 64);
    assert.equal(full.data.outputs[0]!.values, 'AAAA');
    assert.equal(findArtifactBaseline(db, 'art1', 'vetted')!.id, 'b1');
    assert.equal(findArtifactBaseline(db, 'art1', 'vetted')!.data, null);
    assert.equal(findArtifactBaseline(db, 'art1', 'other'), null);
    assert.deepEqual(listCaseBaselines(db, 'case1').map((b) => b.id).sort(), ['b1', 'b2']);
    assert.deepEqual(listLibraryBaselines(db).map((b) => b.id).sort(), ['lib1', 'lib2']);
    assert.deepEqual(listLibraryBaselines(db, 'vetted').map((b) => b.modelSha256).sort(), [SHA_A, SHA_B]);
    assert.deepEqual(listLibraryBaselines(db, 'nope'), []);

    assert.throws(() => insertBaseline(db, baseline('b3', 'vetted')), /UNIQUE/);
    assert.throws(() => insertBaseline(db, baseline('lib3', 'vetted', { caseId: null, artifactId: null })), /UNIQUE/);
    // A baseline belongs to a case and an artifact together, or to neither (the library).
    assert.throws(() => insertBaseline(db, baseline('b4', 'half', { artifactId: null })), /CHECK/);
    assert.equal(deleteLibraryBaseline(db, SHA_A, 'vetted'), 1);
    insertBaseline(db, baseline('lib3', 'vetted', { caseId: null, artifactId: null }));
    assert.equal(getBaseline(db, 'lib1'), null);
  });
});
