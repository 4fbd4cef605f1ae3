// Which artifacts of a case are datasets, and what one dataset is: a dataset file (a loose file
// or a file inside a folder), or an image folder (an artifact set of class subfolders). A dataset
// is named by its artifact's id or its set's id; the id of any image of a folder names the folder.
import { join } from 'node:path';
import { ApiError } from '../../../../shared/api/errors.ts';
import { datasetIdOf, IMAGE_DATASET_FORMATS } from '../../../../shared/api/methods/dataset.ts';
import type { ArtifactSet } from '../../../../shared/api/schemas.ts';
import { getArtifact, getSet, listArtifacts, listSetArtifacts, type ArtifactRecord } from '../../../store/repos/artifacts.ts';
import type { FileDigest } from '../../../store/repos/datasets.ts';
import type { CoreContext } from '../../context.ts';

export interface DatasetTarget {
  id: string;
  caseId: string;
  kind: 'file' | 'image-folder';
  artifact: ArtifactRecord | null;
  set: ArtifactSet | null;
  /** The artifact whose view shows the dataset; its findings and evidence attach to it. */
  anchor: ArtifactRecord;
  name: string;
  format: string;
  size: number;
  /** The file's SHA-256, or the folder's root digest. */
  sha256: string;
  /** Every file of the dataset (one for a dataset file). */
  files: ArtifactRecord[];
}

/** Where the bytes are now: the imported copy, else the original path (a folder: its root). */
export function targetPath(ctx: CoreContext, t: DatasetTarget): string {
  if (t.set) return t.set.rootPath;
  const a = t.artifact!;
  return a.blobPath ? join(ctx.dataDir, a.blobPath) : a.originalPath;
}

export function targetDigests(t: DatasetTarget): FileDigest[] {
  return t.files.map((f) => ({ path: f.relPath ?? f.displayName, sha256: f.sha256, size: f.size }));
}

function fileTarget(a: ArtifactRecord): DatasetTarget {
  return {
    id: a.id, caseId: a.caseId, kind: 'file', artifact: a, set: null, anchor: a, name: a.displayName,
    format: a.format, size: a.size, sha256: a.sha256, files: [a],
  };
}

function folderTarget(set: ArtifactSet, members: ArtifactRecord[]): DatasetTarget | null {
  const images = members.filter((m) => m.kind === 'dataset' && IMAGE_DATASET_FORMATS.has(m.format));
  const anchor = images[0];
  if (!anchor) return null;
  return {
    id: set.id, caseId: set.caseId, kind: 'image-folder', artifact: null, set, anchor, name: set.name,
    format: 'image-folder', size: set.totalSize, sha256: set.rootDigest, files: members,
  };
}

/** The dataset an id names, or null. */
export function findTarget(ctx: CoreContext, id: string): DatasetTarget | null {
  const a = getArtifact(ctx.db, id);
  if (a) {
    const dsId = datasetIdOf(a);
    if (dsId === a.id) return fileTarget(a);
    if (dsId !== null && a.setId) {
      const set = getSet(ctx.db, a.setId);
      return set ? folderTarget(set, listSetArtifacts(ctx.db, set.id)) : null;
    }
    return null;
  }
  const set = getSet(ctx.db, id);
  return set ? folderTarget(set, listSetArtifacts(ctx.db, set.id)) : null;
}

export function requireTarget(ctx: CoreContext, id: string): DatasetTarget {
  const t = findTarget(ctx, id);
  if (t) return t;
  const a = getArtifact(ctx.db, id);
  if (a) throw new ApiError('invalid_input', `${a.displayName} is not a dataset (${a.format}, kind ${a.kind}). Datasets are CSV, TSV, JSON Lines, JSON and Parquet files added as kind "dataset", and folders of images in class subfolders.`);
  throw new ApiError('not_found', `no dataset with id ${id}`);
}

/** Every dataset of a case, in the order its artifacts were added. */
export function listTargets(ctx: CoreContext, caseId: string): DatasetTarget[] {
  const out: DatasetTarget[] = [];
  const seenSets = new Set<string>();
  for (const a of listArtifacts(ctx.db, caseId, 0, -1)) {
    const dsId = datasetIdOf(a);
    if (dsId === null) continue;
    if (dsId === a.id) { out.push(fileTarget(a)); continue; }
    if (seenSets.has(dsId)) continue;
    seenSets.add(dsId);
    // The same query as findTarget, so both choose the same anchor.
    const set = getSet(ctx.db, dsId);
    const t = set ? folderTarget(set, listSetArtifacts(ctx.db, set.id)) : null;
    if (t) out.push(t);
  }
  return out;
}
