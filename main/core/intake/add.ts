// Adding files and folders to a case. Heavy work (hash, copy, detect, scan) runs in the worker
// pool; each loose file is committed as soon as it is done, each folder as one unit once all its
// files are, together with its custody event, evidence and findings. Cancelling keeps what was
// committed and stores nothing of what was in flight.
import { basename } from 'node:path';
import type { z } from 'zod';
import type { artifactMethods } from '../../../shared/api/methods/artifacts.ts';
import type { Artifact, ArtifactKind, ArtifactSet, Evidence } from '../../../shared/api/schemas.ts';
import type { PointId } from '../../../shared/checklist/points.ts';
import type { Finding, Verdict } from '../../../shared/findings.ts';
import { findRule } from '../../../shared/rules/catalogue.ts';
import {
  findLooseArtifact, findSetByDigest, insertArtifact, insertSet, listSetArtifacts, toApiArtifact, type ArtifactRecord,
} from '../../store/repos/artifacts.ts';
import { insertEvidence } from '../../store/repos/evidence.ts';
import { artifactSeverityCounts, insertFinding } from '../../store/repos/findings.ts';
import { newId } from '../../store/ids.ts';
import { requireCase } from '../cases/service.ts';
import type { CoreContext } from '../context.ts';
import { recordCustody } from '../custody/log.ts';
import { findingFingerprint, replaceFindings } from '../findings/service.ts';
import { checkExtension, FORMATS, type FormatId } from '../formats/catalogue.ts';
import type { Job } from '../jobs/registry.ts';
import type { IntakeOutput } from '../work/tasks.ts';
import { folderRootDigest } from './folder-digest.ts';
import { inspectPath, ioMessage } from './inspect.ts';
import { walkFolder, type WalkFile } from './walk.ts';

type AddInput = z.output<(typeof artifactMethods)['artifacts.add']['input']>;
type AddOutput = z.input<(typeof artifactMethods)['artifacts.add']['output']>;

/** Files processed at once: one per worker thread of the pool. */
const INTAKE_CONCURRENCY = 2;
const DATASET_POINTS: PointId[] = ['P01'];
const MODEL_POINTS: PointId[] = ['P08'];

function kindFor(requested: AddInput['kind'], format: FormatId): ArtifactKind {
  return requested === 'auto' ? FORMATS[format].kind : requested;
}

/** What a static-scan verdict suggests for P10. */
const P10_SUGGESTION: Record<Verdict, Evidence['suggestedStatus']> = {
  malicious: 'fail', suspicious: 'partial', malformed: 'partial', unsupported: 'partial', clean: 'pass',
};

interface Processed {
  file: { abs: string; rel: string | null; name: string; originalPath: string };
  out: IntakeOutput;
}

export async function addArtifacts(ctx: CoreContext, input: AddInput, job: Job): Promise<AddOutput> {
  requireCase(ctx, input.caseId);
  const result: AddOutput = { added: [], existing: [], sets: [], errors: [] };
  const importInto = input.storage === 'import' ? ctx.dataDir : null;

  // 1. Resolve every path first, so totals (and the progress bar) are known up front.
  const loose: Processed['file'][] = [];
  const folders: { path: string; realPath: string; files: WalkFile[]; symlinks: string[]; special: string[] }[] = [];
  let bytesTotal = 0;
  for (const path of input.paths) {
    const inspected = await inspectPath(path);
    if (!inspected.ok) {
      result.errors.push({ path, message: inspected.message });
      continue;
    }
    if (inspected.kind === 'file') {
      loose.push({ abs: inspected.realPath, rel: null, name: basename(path), originalPath: inspected.realPath });
      bytesTotal += inspected.size;
    } else {
      try {
        const walked = await walkFolder(inspected.realPath, { signal: job.signal });
        if (walked.files.length === 0) {
          result.errors.push({ path, message: `${path} contains no regular files` });
          continue;
        }
        for (const u of walked.unreadable) result.errors.push({ path: `${path}/${u.rel}`, message: `folder could not be listed: ${u.message}` });
        folders.push({ path, realPath: inspected.realPath, files: walked.files, symlinks: walked.symlinks, special: walked.special });
        bytesTotal += walked.files.reduce((n, f) => n + f.size, 0);
      } catch (e) {
        if (job.signal.aborted) throw e;
        result.errors.push({ path, message: ioMessage(path, e) });
      }
    }
  }
  const itemsTotal = loose.length + folders.reduce((n, f) => n + f.files.length, 0);
  job.update({ bytesTotal, itemsTotal, bytesDone: 0, itemsDone: 0 });

  // 2. Progress across concurrent worker tasks.
  let bytesFinished = 0;
  let itemsDone = 0;
  const inFlight = new Map<string, number>();
  const report = () => job.update({ bytesDone: bytesFinished + [...inFlight.values()].reduce((a, b) => a + b, 0), itemsDone });

  const processOne = async (file: Processed['file']): Promise<IntakeOutput> => {
    const key = `${file.abs}\0${Math.random()}`;
    inFlight.set(key, 0);
    job.update({ currentItem: file.rel ?? file.name });
    try {
      return await ctx.pool.run('intake', { path: file.abs, name: file.rel ?? file.name, importInto, scan: true }, {
        signal: job.signal,
        onProgress: (done) => { inFlight.set(key, done); report(); },
      });
    } finally {
      const done = inFlight.get(key) ?? 0;
      inFlight.delete(key);
      bytesFinished += done;
      itemsDone++;
      report();
    }
  };

  // 3. Loose files: each committed on its own as soon as it is processed.
  await forEachConcurrent(loose, INTAKE_CONCURRENCY, async (file) => {
    let out: IntakeOutput;
    try {
      out = await processOne(file);
    } catch (e) {
      if (job.signal.aborted) throw e;
      result.errors.push({ path: file.originalPath, message: errorMessage(file.originalPath, e) });
      return;
    }
    const { artifact, created } = commitLoose(ctx, input, { file, out });
    (created ? result.added : result.existing).push(artifact);
    if (created) ctx.events.emit({ type: 'changed', caseId: input.caseId, what: 'artifacts' });
  });

  // 4. Folders: all files processed, then one transaction per folder.
  for (const folder of folders) {
    job.throwIfCancelled();
    const processed: Processed[] = [];
    const failures: { path: string; message: string }[] = [];
    await forEachConcurrent(folder.files, INTAKE_CONCURRENCY, async (f) => {
      const file = { abs: f.abs, rel: f.rel, name: f.rel, originalPath: f.abs };
      try {
        processed.push({ file, out: await processOne(file) });
      } catch (e) {
        if (job.signal.aborted) throw e;
        failures.push({ path: f.abs, message: errorMessage(f.abs, e) });
      }
    });
    if (failures.length > 0) {
      // A folder is one unit: with a file missing its digest would not describe the folder.
      result.errors.push(...failures, { path: folder.path, message: `${folder.path} was not added: ${failures.length} of its files could not be read` });
      continue;
    }
    const committed = commitFolder(ctx, input, folder, processed);
    result.sets.push(committed.set);
    (committed.created ? result.added : result.existing).push(...committed.artifacts);
    if (committed.created) ctx.events.emit({ type: 'changed', caseId: input.caseId, what: 'artifacts' });
  }
  return result;
}

function errorMessage(path: string, e: unknown): string {
  if (e instanceof Error && (e.name === 'FileChangedError' || e.name === 'NotRegularFileError')) return e.message;
  return ioMessage(path, e);
}

async function forEachConcurrent<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  const lane = async () => {
    while (failure === null && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  if (failure !== null) throw failure;
}

function makeRecord(ctx: CoreContext, input: AddInput, p: Processed, setId: string | null): ArtifactRecord {
  const ext = checkExtension(p.file.name, p.out.format);
  return {
    id: newId(), caseId: input.caseId, setId, relPath: p.file.rel, displayName: p.file.rel ?? p.file.name,
    originalPath: p.file.originalPath, size: p.out.size, sha256: p.out.sha256, format: p.out.format,
    formatDetail: p.out.formatDetail, extensionClaim: ext.claim, extensionMismatch: ext.mismatch,
    kind: kindFor(input.kind, p.out.format), storage: input.storage, blobPath: p.out.blobPath,
    fileMode: p.out.mode, addedAt: ctx.now(), addedBy: ctx.actor(), verdict: p.out.scan?.verdict ?? null,
  };
}

function storedArtifact(ctx: CoreContext, r: ArtifactRecord): Artifact {
  return toApiArtifact(r, artifactSeverityCounts(ctx.db, r.caseId).get(r.id), FORMATS[r.format as FormatId]?.label ?? r.format);
}

function apiArtifact(r: ArtifactRecord, findings: readonly Finding[]): Artifact {
  const counts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return toApiArtifact(r, counts, FORMATS[r.format as FormatId]?.label ?? r.format);
}

function evidenceRow(ctx: CoreContext, caseId: string, pointId: PointId, e: Pick<Evidence, 'source' | 'title' | 'summary' | 'artifactId' | 'data' | 'suggestedStatus'>): Evidence {
  return { id: newId(), caseId, pointId, createdAt: ctx.now(), ...e };
}

function digestEvidence(ctx: CoreContext, r: ArtifactRecord): Evidence[] {
  const points = r.kind === 'dataset' ? DATASET_POINTS : MODEL_POINTS;
  const rows = points.map((pointId) => evidenceRow(ctx, r.caseId, pointId, {
    source: 'intake', title: `SHA-256 of ${r.displayName}`,
    summary: `${r.sha256} (${r.size} bytes, ${FORMATS[r.format as FormatId]?.label ?? r.format}) recorded at intake`,
    artifactId: r.id, data: { sha256: r.sha256, size: r.size, format: r.format, path: r.originalPath }, suggestedStatus: null,
  }));
  if (r.kind === 'dataset' && r.fileMode !== null) {
    rows.push(evidenceRow(ctx, r.caseId, 'P04', {
      source: 'intake', title: `File permissions of ${r.displayName}`,
      summary: `mode ${r.fileMode.toString(8).padStart(4, '0')} at intake`, artifactId: r.id,
      data: { mode: r.fileMode, path: r.originalPath }, suggestedStatus: null,
    }));
  }
  return rows;
}

function scanEvidence(ctx: CoreContext, r: ArtifactRecord, verdict: Verdict, findings: readonly Finding[]): Evidence {
  return evidenceRow(ctx, r.caseId, 'P10', {
    source: 'scan', title: `Static scan of ${r.displayName}: ${verdict}`,
    summary: findings.length === 0 ? 'no findings' : `${findings.length} finding${findings.length === 1 ? '' : 's'}, worst ${worstSeverity(findings)}`,
    artifactId: r.id, data: { verdict, findings: findings.length }, suggestedStatus: P10_SUGGESTION[verdict],
  });
}

function worstSeverity(findings: readonly Finding[]): string {
  const order = ['critical', 'high', 'medium', 'low', 'info'];
  return order.find((s) => findings.some((f) => f.severity === s)) ?? 'info';
}

function commitLoose(ctx: CoreContext, input: AddInput, p: Processed): { artifact: Artifact; created: boolean } {
  return ctx.db.transaction(() => {
    const existing = findLooseArtifact(ctx.db, input.caseId, p.out.sha256);
    if (existing) return { artifact: storedArtifact(ctx, existing), created: false };
    const record = makeRecord(ctx, input, p, null);
    insertArtifact(ctx.db, record);
    const findings = p.out.scan?.findings ?? [];
    replaceFindings(ctx, input.caseId, record.id, 'scan', findings);
    for (const e of digestEvidence(ctx, record)) insertEvidence(ctx.db, e);
    if (p.out.scan) insertEvidence(ctx.db, scanEvidence(ctx, record, p.out.scan.verdict, findings));
    recordCustody(ctx, {
      caseId: input.caseId, action: 'artifact.added', subject: record.id,
      details: {
        name: record.displayName, path: record.originalPath, sha256: record.sha256, size: record.size,
        format: record.format, storage: record.storage, ...(record.blobPath ? { blob: record.blobPath } : {}),
      },
    });
    if (p.out.scan) {
      recordCustody(ctx, {
        caseId: input.caseId, action: 'artifact.scanned', subject: record.id,
        details: { verdict: p.out.scan.verdict, findings: findings.length, bytesRead: p.out.scan.bytesRead },
      });
    }
    return { artifact: apiArtifact(record, findings), created: true };
  }).immediate();
}

function commitFolder(
  ctx: CoreContext, input: AddInput,
  folder: { path: string; realPath: string; symlinks: string[]; special: string[] },
  processed: Processed[],
): { set: ArtifactSet; artifacts: Artifact[]; created: boolean } {
  const rootDigest = folderRootDigest(processed.map((p) => ({ rel: p.file.rel!, sha256: p.out.sha256 })));
  const result = ctx.db.transaction(() => {
    const existing = findSetByDigest(ctx.db, input.caseId, rootDigest);
    if (existing) {
      return { set: existing, artifacts: listSetArtifacts(ctx.db, existing.id).map((r) => storedArtifact(ctx, r)), created: false };
    }
    const set: ArtifactSet = {
      id: newId(), caseId: input.caseId, name: basename(folder.realPath), rootPath: folder.realPath, rootDigest,
      fileCount: processed.length, totalSize: processed.reduce((n, p) => n + p.out.size, 0), addedAt: ctx.now(),
    };
    insertSet(ctx.db, set);
    const artifacts: Artifact[] = [];
    const verdicts: Record<string, number> = {};
    for (const p of [...processed].sort((a, b) => (a.file.rel! < b.file.rel! ? -1 : 1))) {
      const record = makeRecord(ctx, input, p, set.id);
      insertArtifact(ctx.db, record);
      const findings = p.out.scan?.findings ?? [];
      replaceFindings(ctx, input.caseId, record.id, 'scan', findings);
      if (p.out.scan) verdicts[p.out.scan.verdict] = (verdicts[p.out.scan.verdict] ?? 0) + 1;
      artifacts.push(apiArtifact(record, findings));
    }
    // Links that were not followed are findings on the folder's first file (the folder has no row).
    const anchor = artifacts[0]!;
    for (const rel of folder.symlinks) {
      const f: Finding = {
        ruleId: 'intake.symlink-skipped', severity: 'low', message: `${set.name}/${rel} is a symbolic link; Assay did not follow it`,
        location: { members: [rel] }, checklist: findRule('intake.symlink-skipped')!.checklist,
      };
      insertFinding(ctx.db, {
        id: newId(), caseId: input.caseId, artifactId: anchor.id, source: 'intake', ruleId: f.ruleId, severity: f.severity,
        message: f.message, location: f.location, evidence: null, checklist: f.checklist, fingerprint: findingFingerprint(f),
        status: 'open', justification: null, reviewedBy: null, reviewedAt: null, createdAt: ctx.now(),
      });
    }
    const kind = artifacts.every((a) => a.kind === 'dataset') ? 'dataset' : 'model';
    const points = kind === 'dataset' ? DATASET_POINTS : MODEL_POINTS;
    for (const pointId of points) {
      insertEvidence(ctx.db, evidenceRow(ctx, input.caseId, pointId, {
        source: 'intake', title: `Root digest of folder ${set.name}`,
        summary: `${rootDigest} over ${set.fileCount} files (${set.totalSize} bytes) recorded at intake`,
        artifactId: null, data: { setId: set.id, rootDigest, files: set.fileCount, size: set.totalSize }, suggestedStatus: null,
      }));
    }
    const worst = (['malicious', 'suspicious', 'malformed', 'unsupported', 'clean'] as Verdict[]).find((v) => verdicts[v]);
    if (worst) {
      insertEvidence(ctx.db, evidenceRow(ctx, input.caseId, 'P10', {
        source: 'scan', title: `Static scan of folder ${set.name}: ${worst}`,
        summary: Object.entries(verdicts).map(([v, n]) => `${n} ${v}`).join(', '),
        artifactId: null, data: { setId: set.id, verdicts }, suggestedStatus: P10_SUGGESTION[worst],
      }));
    }
    recordCustody(ctx, {
      caseId: input.caseId, action: 'artifact-set.added', subject: set.id,
      details: {
        name: set.name, path: set.rootPath, rootDigest, files: set.fileCount, size: set.totalSize, storage: input.storage,
        symlinksSkipped: folder.symlinks, specialFilesSkipped: folder.special, verdicts,
      },
    });
    return { set, artifacts, created: true };
  }).immediate();
  return result;
}
