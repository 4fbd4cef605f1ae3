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
import { findingFingerprint } from '../findings/service.ts';
import { P10_SUGGESTION, recordScan } from '../scan/record.ts';
import { checkExtension, FORMATS, type FormatId } from '../formats/catalogue.ts';
import type { Job } from '../jobs/registry.ts';
import { FILE_CONCURRENCY, FileBatch, forEachConcurrent } from '../work/batch.ts';
import type { IntakeOutput } from '../work/tasks.ts';
import { folderRootDigest } from './folder-digest.ts';
import { ioMessage } from './inspect.ts';
import { resolveInputs, type LooseFile, type ResolvedFolder } from './resolve.ts';

type AddInput = z.output<(typeof artifactMethods)['artifacts.add']['input']>;
type AddOutput = z.input<(typeof artifactMethods)['artifacts.add']['output']>;

const DATASET_POINTS: PointId[] = ['P01'];
const MODEL_POINTS: PointId[] = ['P08'];

function kindFor(requested: AddInput['kind'], format: FormatId): ArtifactKind {
  return requested === 'auto' ? FORMATS[format].kind : requested;
}

interface Processed {
  file: LooseFile;
  out: IntakeOutput;
}

export async function addArtifacts(ctx: CoreContext, input: AddInput, job: Job): Promise<AddOutput> {
  requireCase(ctx, input.caseId);
  const result: AddOutput = { added: [], existing: [], sets: [], errors: [] };
  const importInto = input.storage === 'import' ? ctx.dataDir : null;

  // 1. Resolve every path first, so totals (and the progress bar) are known up front.
  const { loose, folders, errors, bytesTotal, itemsTotal } = await resolveInputs(input.paths, job.signal);
  result.errors.push(...errors);
  const batch = new FileBatch(ctx, job);
  batch.begin(bytesTotal, itemsTotal);
  const processOne = (file: Processed['file']) =>
    batch.intake({ path: file.abs, name: file.rel ?? file.name, importInto, scan: true }, file.rel ?? file.name);

  // 3. Loose files: each committed on its own as soon as it is processed.
  await forEachConcurrent(loose, FILE_CONCURRENCY, async (file) => {
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
    await forEachConcurrent(folder.files, FILE_CONCURRENCY, async (f) => {
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

function commitLoose(ctx: CoreContext, input: AddInput, p: Processed): { artifact: Artifact; created: boolean } {
  return ctx.db.transaction(() => {
    const existing = findLooseArtifact(ctx.db, input.caseId, p.out.sha256);
    if (existing) return { artifact: storedArtifact(ctx, existing), created: false };
    const record = makeRecord(ctx, input, p, null);
    insertArtifact(ctx.db, record);
    const findings = p.out.scan?.findings ?? [];
    for (const e of digestEvidence(ctx, record)) insertEvidence(ctx.db, e);
    recordCustody(ctx, {
      caseId: input.caseId, action: 'artifact.added', subject: record.id,
      details: {
        name: record.displayName, path: record.originalPath, sha256: record.sha256, size: record.size,
        format: record.format, storage: record.storage, ...(record.blobPath ? { blob: record.blobPath } : {}),
      },
    });
    if (p.out.scan) recordScan(ctx, record, p.out.scan, { individualEvidence: true });
    return { artifact: apiArtifact(record, findings), created: true };
  }).immediate();
}

function commitFolder(
  ctx: CoreContext, input: AddInput,
  folder: ResolvedFolder,
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
      if (p.out.scan) {
        // One P10 evidence row summarises the folder (below) rather than one per file.
        recordScan(ctx, record, p.out.scan, { individualEvidence: false });
        verdicts[p.out.scan.verdict] = (verdicts[p.out.scan.verdict] ?? 0) + 1;
      }
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
