// The dataset tables (schema version 5): records, scans, row reviews and pseudonym keys round
// trip through their repository, and the schema refuses what must never be stored.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase, schemaVersion } from '../../main/store/db.ts';
import {
  countRowReviews, deleteRowReview, getDatasetRecord, getDatasetScan, getPseudonymKey, insertDatasetRecord, insertPseudonymKey,
  listDatasetRecordRows, listDerivedRecords, listRowReviews, updateDatasetProvenance, upsertDatasetScan, upsertRowReview,
  type DatasetRecordRow,
} from '../../main/store/repos/datasets.ts';
import { tempDir } from '../helpers/core.ts';

const SHA = 'a'.repeat(64);

async function withDb(fn: (db: ReturnType<typeof openDatabase>) => void): Promise<void> {
  const dir = await tempDir();
  const db = openDatabase(join(dir.path, 'assay.db'));
  try {
    db.prepare("INSERT INTO cases (id, name, auditor, created_at) VALUES ('case1', 'c', 'a', '2024-01-01T00:00:00.000Z')").run();
    for (const [id, sha] of [['art1', SHA], ['art2', 'b'.repeat(64)]] as const) {
      db.prepare(`INSERT INTO artifacts (id, case_id, display_name, original_path, size, sha256, format, format_detail, kind, storage, added_at, added_by)
        VALUES (?, 'case1', ?, '/x', 10, ?, 'csv', '', 'dataset', 'reference', '2024-01-01T00:00:00.000Z', 'a')`).run(id, `${id}.csv`, sha);
    }
    fn(db);
  } finally {
    db.close();
    await dir.remove();
  }
}

const record = (over: Partial<DatasetRecordRow> = {}): DatasetRecordRow => ({
  id: 'art1', caseId: 'case1', artifactId: 'art1', setId: null, name: 'art1.csv', source: '', licence: '', collector: '',
  labeller: '', collectedFrom: null, collectedTo: null, accessNotes: '', digests: [{ path: 'art1.csv', sha256: SHA, size: 10 }],
  derivedFrom: null, transformation: null, createdAt: '2024-01-01T00:00:00.000Z', updatedAt: null, updatedBy: null, ...over,
});

test('schema version 5 holds the dataset tables', async () => {
  await withDb((db) => {
    assert.ok(schemaVersion(db) >= 5);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    for (const t of ['dataset_records', 'dataset_scans', 'dataset_row_reviews', 'pseudonym_keys']) assert.ok(tables.includes(t), t);
  });
});

test('a record round-trips, provenance updates, and lineage is queryable', async () => {
  await withDb((db) => {
    insertDatasetRecord(db, record());
    insertDatasetRecord(db, record({ id: 'art2', artifactId: 'art2', name: 'art2.csv', derivedFrom: 'art1', transformation: { mode: 'redact', detectors: 'all' } }));
    updateDatasetProvenance(db, 'art1', { source: 'vendor', licence: 'CC-BY-4.0', collector: 'c', labeller: 'l', collectedFrom: '2024-01-01', collectedTo: null, accessNotes: 'n' }, '2024-02-01T00:00:00.000Z', 'auditor');
    const r = getDatasetRecord(db, 'art1')!;
    assert.equal(r.licence, 'CC-BY-4.0');
    assert.equal(r.collectedFrom, '2024-01-01');
    assert.equal(r.collectedTo, null);
    assert.equal(r.updatedBy, 'auditor');
    assert.deepEqual(r.digests, [{ path: 'art1.csv', sha256: SHA, size: 10 }]);
    assert.deepEqual(listDerivedRecords(db, 'art1').map((x) => [x.id, x.transformation]), [['art2', { mode: 'redact', detectors: 'all' }]]);
    assert.deepEqual(listDatasetRecordRows(db, 'case1').map((x) => x.id), ['art1', 'art2']);
    assert.equal(getDatasetRecord(db, 'nope'), null);
  });
});

test('a record names exactly one of a file or a folder', async () => {
  await withDb((db) => {
    assert.throws(() => insertDatasetRecord(db, record({ artifactId: null, setId: null })), /CHECK constraint/);
  });
});

test('the latest scan replaces the previous one', async () => {
  await withDb((db) => {
    insertDatasetRecord(db, record());
    const scan = { datasetId: 'art1', caseId: 'case1', sha256: SHA, labelRequested: null, phoneRegion: null, report: { dataset: { rowCount: 3 } }, findings: 2, durationMs: 5, scannedAt: '2024-01-02T00:00:00.000Z', scannedBy: 'a', toolVersion: '0.1.0' };
    upsertDatasetScan(db, scan);
    upsertDatasetScan(db, { ...scan, labelRequested: 'label', phoneRegion: 'DE', report: { dataset: { rowCount: 4 } }, findings: 0 });
    const s = getDatasetScan(db, 'art1')!;
    assert.deepEqual(s.report, { dataset: { rowCount: 4 } });
    assert.equal(s.labelRequested, 'label');
    assert.equal(s.phoneRegion, 'DE');
    assert.equal(s.findings, 0);
    assert.equal((db.prepare('SELECT count(*) AS n FROM dataset_scans').get() as { n: number }).n, 1);
  });
});

test('row reviews: upsert, filter by status, count, delete; negative rows refused', async () => {
  await withDb((db) => {
    insertDatasetRecord(db, record());
    const at = '2024-01-03T00:00:00.000Z';
    upsertRowReview(db, 'art1', { row: 7, status: 'excluded', ruleIds: ['dataset.trigger-candidate'], note: 'x', reviewedBy: 'a', reviewedAt: at });
    upsertRowReview(db, 'art1', { row: 2, status: 'reviewed', ruleIds: [], note: '', reviewedBy: 'a', reviewedAt: at });
    upsertRowReview(db, 'art1', { row: 2, status: 'excluded', ruleIds: ['dataset.pii-email'], note: 'y', reviewedBy: 'b', reviewedAt: at });
    assert.deepEqual(listRowReviews(db, 'art1').map((r) => [r.row, r.status, r.ruleIds, r.reviewedBy]), [[2, 'excluded', ['dataset.pii-email'], 'b'], [7, 'excluded', ['dataset.trigger-candidate'], 'a']]);
    assert.deepEqual(countRowReviews(db, 'art1'), { reviewed: 0, excluded: 2 });
    deleteRowReview(db, 'art1', 7);
    assert.deepEqual(listRowReviews(db, 'art1', 'excluded').map((r) => r.row), [2]);
    assert.throws(() => upsertRowReview(db, 'art1', { row: -1, status: 'reviewed', ruleIds: [], note: '', reviewedBy: 'a', reviewedAt: at }), /CHECK constraint/);
  });
});

test('pseudonym keys: the first stored key wins; keys shorter than 16 bytes are refused', async () => {
  await withDb((db) => {
    const k1 = Buffer.alloc(32, 1);
    insertPseudonymKey(db, 'case:case1', k1, '2024-01-01T00:00:00.000Z');
    insertPseudonymKey(db, 'case:case1', Buffer.alloc(32, 2), '2024-01-01T00:00:00.000Z');
    assert.deepEqual(getPseudonymKey(db, 'case:case1'), k1);
    assert.equal(getPseudonymKey(db, 'workstation'), null);
    assert.throws(() => insertPseudonymKey(db, 'workstation', Buffer.alloc(8), '2024-01-01T00:00:00.000Z'), /CHECK constraint/);
  });
});
