// What a verification looks at. A case names a model folder (artifact set) or a file; its bytes
// are the imported copies in the blob store when the case holds them (exactly what intake
// recorded), hard-linked under the file names intake saw, else the original files on disk.
import { randomBytes } from 'node:crypto';
import { copyFile, link, mkdir, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ApiError } from '../../../../shared/api/errors.ts';
import type { ArtifactSet } from '../../../../shared/api/schemas.ts';
import {
  getArtifact, getSet, listArtifacts, listSetArtifacts, listSets, type ArtifactRecord,
} from '../../../store/repos/artifacts.ts';
import type { CoreContext } from '../../context.ts';
import { safeComponent, safeRelativePath } from '../bundle/layout.ts';

export type Subject =
  | { kind: 'set'; set: ArtifactSet; files: ArtifactRecord[] }
  | { kind: 'artifact'; artifact: ArtifactRecord };

export type SubjectRef = { setId: string } | { artifactId: string } | { path: string };

export function subjectKey(s: Subject): string {
  return s.kind === 'set' ? `set:${s.set.id}` : `artifact:${s.artifact.id}`;
}

export function subjectName(s: Subject): string {
  return s.kind === 'set' ? s.set.name : s.artifact.displayName;
}

export function subjectDescription(s: Subject): string {
  return s.kind === 'set' ? `folder ${s.set.name} (${s.set.rootPath})` : `${s.artifact.displayName} (${s.artifact.originalPath})`;
}

/** Finds the set or artifact a caller names, in the given case. */
export function resolveSubject(ctx: CoreContext, caseId: string, ref: SubjectRef): Subject {
  if ('setId' in ref) {
    const set = getSet(ctx.db, ref.setId);
    if (!set || set.caseId !== caseId) throw new ApiError('not_found', `case ${caseId} has no model folder with id ${ref.setId}`);
    return { kind: 'set', set, files: listSetArtifacts(ctx.db, set.id) };
  }
  if ('artifactId' in ref) {
    const artifact = getArtifact(ctx.db, ref.artifactId);
    if (!artifact || artifact.caseId !== caseId) throw new ApiError('not_found', `case ${caseId} has no artifact with id ${ref.artifactId}`);
    if (artifact.setId !== null) {
      const set = getSet(ctx.db, artifact.setId)!;
      return { kind: 'set', set, files: listSetArtifacts(ctx.db, set.id) };
    }
    return { kind: 'artifact', artifact };
  }
  // A path typed on the command line: the folder or loose file of the case at that path.
  const wanted = resolve(ref.path);
  const set = listSets(ctx.db, caseId).find((s) => resolve(s.rootPath) === wanted);
  if (set) return { kind: 'set', set, files: listSetArtifacts(ctx.db, set.id) };
  const artifact = listArtifacts(ctx.db, caseId, 0, 1_000_000).find((a) => a.setId === null && resolve(a.originalPath) === wanted);
  if (artifact) return { kind: 'artifact', artifact };
  throw new ApiError('not_found', `${ref.path} is not a model folder or file of this case; add it first (assay add), then verify it`);
}

/** One file of a case: by id, or by the path it was added from (loose or inside a folder). */
export function resolveFile(ctx: CoreContext, caseId: string, ref: { artifactId: string } | { path: string }): ArtifactRecord {
  if ('artifactId' in ref) {
    const a = getArtifact(ctx.db, ref.artifactId);
    if (!a || a.caseId !== caseId) throw new ApiError('not_found', `case ${caseId} has no artifact with id ${ref.artifactId}`);
    return a;
  }
  const wanted = resolve(ref.path);
  const a = listArtifacts(ctx.db, caseId, 0, 1_000_000).find((r) => resolve(r.originalPath) === wanted);
  if (!a) throw new ApiError('not_found', `${ref.path} is not a file of this case; add it first (assay add), then check it`);
  return a;
}

export interface MaterializedModel {
  /** The folder or file to verify. */
  path: string;
  /** Where the bytes come from, for the record. */
  source: 'imported copy' | 'original files';
  /** Maps a path under the original location to the same file under `path` (for a signature inside the model). */
  mapOriginal(originalPath: string): string | null;
  cleanup(): Promise<void>;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

async function place(blob: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  try {
    await link(blob, target);
  } catch {
    await copyFile(blob, target); // another file system, or links not allowed
  }
}

function insideOf(root: string, path: string): string | null {
  const rel = relative(resolve(root), resolve(path));
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? null : rel;
}

/** The subject's bytes as a folder or file on disk. */
export async function materialize(ctx: CoreContext, subject: Subject): Promise<MaterializedModel> {
  const files = subject.kind === 'set' ? subject.files : [subject.artifact];
  const blobs = files.map((f) => (f.blobPath ? join(ctx.dataDir, f.blobPath) : null));
  const imported = blobs.every((b) => b !== null) && (await Promise.all(blobs.map((b) => exists(b!)))).every(Boolean);
  const originalRoot = subject.kind === 'set' ? subject.set.rootPath : subject.artifact.originalPath;
  if (imported) {
    const scratch = join(ctx.dataDir, 'tmp', `verify-${randomBytes(6).toString('hex')}`);
    const root = join(scratch, safeComponent(subjectName(subject), 'model'));
    try {
      if (subject.kind === 'set') {
        await mkdir(root, { recursive: true });
        for (const [i, f] of files.entries()) await place(blobs[i]!, join(root, ...safeRelativePath(f.relPath ?? f.displayName, `file-${i}`).split('/')));
      } else {
        await place(blobs[0]!, root);
      }
    } catch (e) {
      await rm(scratch, { recursive: true, force: true });
      throw new ApiError('io_error', `the imported copies of ${subjectName(subject)} could not be prepared for verification (${(e as Error).message})`);
    }
    return {
      path: root, source: 'imported copy',
      mapOriginal: (p) => {
        const rel = subject.kind === 'set' ? insideOf(originalRoot, p) : null;
        return rel === null ? null : join(root, ...rel.split(sep));
      },
      cleanup: () => rm(scratch, { recursive: true, force: true }),
    };
  }
  if (!(await exists(originalRoot))) {
    throw new ApiError('io_error', `${originalRoot} no longer exists and the case holds no imported copy of ${subjectName(subject)}: restore the files there to verify them`);
  }
  return { path: originalRoot, source: 'original files', mapOriginal: (p) => p, cleanup: async () => undefined };
}
