// The provenance record of each dataset (P01): what the auditor typed (source, licence,
// collector, labeller, collection dates, access notes), the file digests recorded at intake, and
// for a masked export the dataset it came from. A dataset without a stored record has an empty
// one; the record is stored on its first edit, scan or export.
import { ApiError } from '../../../../shared/api/errors.ts';
import { PROVENANCE_FIELDS, type Provenance } from '../../../../shared/api/methods/dataset.ts';
import { getDatasetRecord, insertDatasetRecord, updateDatasetProvenance, type DatasetRecordRow, type FileDigest } from '../../../store/repos/datasets.ts';
import type { CoreContext } from '../../context.ts';
import { recordCustody } from '../../custody/log.ts';
import { writeProvenanceEvidence } from './evidence.ts';
import { listTargets, requireTarget, targetDigests, type DatasetTarget } from './targets.ts';

export const EMPTY_PROVENANCE: Provenance = {
  source: '', licence: '', collector: '', labeller: '', collectedFrom: null, collectedTo: null, accessNotes: '',
};

export function provenanceOf(r: DatasetRecordRow | null): Provenance {
  if (!r) return { ...EMPTY_PROVENANCE };
  return {
    source: r.source, licence: r.licence, collector: r.collector, labeller: r.labeller,
    collectedFrom: r.collectedFrom, collectedTo: r.collectedTo, accessNotes: r.accessNotes,
  };
}

/** What P01 asks of the auditor, each with how to tell it was given. */
const REQUIRED: readonly { name: string; given(p: Provenance): boolean }[] = [
  { name: 'source', given: (p) => p.source !== '' },
  { name: 'licence', given: (p) => p.licence !== '' },
  { name: 'collector', given: (p) => p.collector !== '' },
  { name: 'labeller', given: (p) => p.labeller !== '' },
  { name: 'collection dates', given: (p) => p.collectedFrom !== null || p.collectedTo !== null },
  { name: 'access notes', given: (p) => p.accessNotes !== '' },
];

export function completeness(p: Provenance): { filled: number; total: number; missing: string[] } {
  const missing = REQUIRED.filter((r) => !r.given(p)).map((r) => r.name);
  return { filled: REQUIRED.length - missing.length, total: REQUIRED.length, missing };
}

function newRecord(ctx: CoreContext, t: DatasetTarget, provenance: Provenance = EMPTY_PROVENANCE): DatasetRecordRow {
  return {
    id: t.id, caseId: t.caseId, artifactId: t.artifact?.id ?? null, setId: t.set?.id ?? null, name: t.name,
    ...provenance, digests: targetDigests(t), derivedFrom: null, transformation: null,
    createdAt: ctx.now(), updatedAt: null, updatedBy: null,
  };
}

/** The stored record of a dataset, created (empty) if it has none. Call inside a transaction. */
export function ensureRecord(ctx: CoreContext, t: DatasetTarget, init?: Partial<Pick<DatasetRecordRow, 'derivedFrom' | 'transformation'>> & { provenance?: Provenance }): DatasetRecordRow {
  const existing = getDatasetRecord(ctx.db, t.id);
  if (existing) return existing;
  const r = { ...newRecord(ctx, t, init?.provenance), derivedFrom: init?.derivedFrom ?? null, transformation: init?.transformation ?? null };
  insertDatasetRecord(ctx.db, r);
  return r;
}

function checkDates(p: Provenance): void {
  for (const [field, value] of [['collectedFrom', p.collectedFrom], ['collectedTo', p.collectedTo]] as const) {
    if (value !== null && Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw new ApiError('invalid_input', `${field}: ${value} is not a calendar date`);
    if (value !== null && new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) throw new ApiError('invalid_input', `${field}: ${value} is not a calendar date`);
  }
  if (p.collectedFrom && p.collectedTo && p.collectedFrom > p.collectedTo) {
    throw new ApiError('invalid_input', `the collection period ends (${p.collectedTo}) before it starts (${p.collectedFrom})`);
  }
}

/** Records the auditor's provenance; the custody event lists each changed field. */
export function setProvenance(ctx: CoreContext, datasetId: string, p: Provenance): DatasetTarget {
  const t = requireTarget(ctx, datasetId);
  checkDates(p);
  ctx.db.transaction(() => {
    const before = ensureRecord(ctx, t);
    const old = provenanceOf(before);
    const changed: Record<string, { from: string | null; to: string | null }> = {};
    for (const f of PROVENANCE_FIELDS) if (old[f] !== p[f]) changed[f] = { from: old[f], to: p[f] };
    if (Object.keys(changed).length === 0) return;
    updateDatasetProvenance(ctx.db, t.id, p, ctx.now(), ctx.actor());
    recordCustody(ctx, {
      caseId: t.caseId, action: 'dataset.record-updated', subject: t.id,
      details: { dataset: t.name, changed, completeness: completeness(p) },
    });
    writeProvenanceEvidence(ctx, t);
  }).immediate();
  ctx.events.emit({ type: 'changed', caseId: t.caseId, what: 'datasets' });
  return t;
}

/** One dataset's record as it goes into the audit bundle. */
export interface DatasetBundleRecord {
  id: string;
  caseId: string;
  kind: 'file' | 'image-folder';
  name: string;
  artifactId: string | null;
  setId: string | null;
  /** The file's SHA-256, or the folder's root digest. */
  sha256: string;
  size: number;
  provenance: Provenance;
  completeness: { filled: number; total: number; missing: string[] };
  recordUpdatedAt: string | null;
  recordUpdatedBy: string | null;
  digests: FileDigest[];
  derivedFrom: string | null;
  transformation: Record<string, unknown> | null;
}

/**
 * Every dataset of a case with its provenance record and file digests, sorted by id; datasets
 * whose record was never edited have empty provenance. For the audit bundle: no key, no raw
 * dataset value.
 */
export function listDatasetRecords(ctx: CoreContext, caseId: string): DatasetBundleRecord[] {
  return listTargets(ctx, caseId).map((t) => {
    const r = getDatasetRecord(ctx.db, t.id);
    const p = provenanceOf(r);
    return {
      id: t.id, caseId: t.caseId, kind: t.kind, name: t.name, artifactId: t.artifact?.id ?? null, setId: t.set?.id ?? null,
      sha256: t.sha256, size: t.size, provenance: p, completeness: completeness(p),
      recordUpdatedAt: r?.updatedAt ?? null, recordUpdatedBy: r?.updatedBy ?? null,
      digests: targetDigests(t), derivedFrom: r?.derivedFrom ?? null, transformation: r?.transformation ?? null,
    };
  }).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
