// Scanning outside intake: `assay scan` on paths (nothing stored), and re-scanning the
// artifacts of a case after a rule update (content verified unchanged first).
import { join } from 'node:path';
import type { z } from 'zod';
import { ApiError } from '../../../shared/api/errors.ts';
import type { scanMethods } from '../../../shared/api/methods/scan.ts';
import { getArtifact, listArtifacts, type ArtifactRecord } from '../../store/repos/artifacts.ts';
import { requireCase } from '../cases/service.ts';
import type { CoreContext } from '../context.ts';
import { FORMATS, type FormatId } from '../formats/catalogue.ts';
import { ioMessage } from '../intake/inspect.ts';
import { resolveInputs } from '../intake/resolve.ts';
import type { Job } from '../jobs/registry.ts';
import { FILE_CONCURRENCY, FileBatch, forEachConcurrent } from '../work/batch.ts';
import { recordScan } from './record.ts';

type Output<M extends keyof typeof scanMethods> = z.input<(typeof scanMethods)[M]['output']>;
type ScannedFile = Output<'scan.paths'>['files'][number];

export async function scanPaths(ctx: CoreContext, paths: readonly string[], job: Job): Promise<Output<'scan.paths'>> {
  const resolved = await resolveInputs(paths, job.signal);
  const batch = new FileBatch(ctx, job);
  batch.begin(resolved.bytesTotal, resolved.itemsTotal);
  // One entry per file given or found in a given folder, in the order given (folders sorted).
  const targets = [
    ...resolved.loose.map((f) => ({ abs: f.abs, shown: f.originalPath, name: f.name })),
    ...resolved.folders.flatMap((d) => d.files.map((f) => ({ abs: f.abs, shown: join(d.path, f.rel), name: f.rel }))),
  ];
  const files: (ScannedFile | null)[] = targets.map(() => null);
  const errors = [...resolved.errors];
  await forEachConcurrent(targets.map((t, i) => ({ t, i })), FILE_CONCURRENCY, async ({ t, i }) => {
    try {
      const out = await batch.intake({ path: t.abs, name: t.name, importInto: null, scan: true }, t.name);
      const report = out.scan!;
      files[i] = {
        path: t.shown, sha256: out.sha256, size: out.size, format: report.format,
        formatLabel: FORMATS[report.format].label, verdict: report.verdict, findings: report.findings, units: report.units.length,
      };
    } catch (e) {
      if (job.signal.aborted) throw e;
      errors.push({ path: t.shown, message: e instanceof Error && e.name.endsWith('Error') && e.name !== 'Error' ? e.message : ioMessage(t.shown, e) });
    }
  });
  return { files: files.filter((f): f is ScannedFile => f !== null), errors };
}

/** Where the bytes of an artifact are now: its imported copy, else its original path. */
export function artifactBytesPath(ctx: CoreContext, a: ArtifactRecord): string {
  return a.blobPath ? join(ctx.dataDir, a.blobPath) : a.originalPath;
}

export async function rescanArtifacts(ctx: CoreContext, caseId: string, ids: readonly string[] | undefined, job: Job): Promise<Output<'scan.rescan'>> {
  requireCase(ctx, caseId);
  const artifacts = ids
    ? ids.map((id) => {
      const a = getArtifact(ctx.db, id);
      if (!a || a.caseId !== caseId) throw new ApiError('not_found', `no artifact ${id} in case ${caseId}`);
      return a;
    })
    : listArtifacts(ctx.db, caseId, 0, -1);
  const batch = new FileBatch(ctx, job);
  batch.begin(artifacts.reduce((n, a) => n + a.size, 0), artifacts.length);
  const verdicts: Record<string, number> = {};
  const errors: Output<'scan.rescan'>['errors'] = [];
  let rescanned = 0;
  await forEachConcurrent(artifacts, FILE_CONCURRENCY, async (a) => {
    let out;
    try {
      out = await batch.intake({ path: artifactBytesPath(ctx, a), name: a.relPath ?? a.displayName, importInto: null, scan: true }, a.displayName);
    } catch (e) {
      if (job.signal.aborted) throw e;
      errors.push({ artifactId: a.id, message: e instanceof Error ? e.message : String(e) });
      return;
    }
    if (out.sha256 !== a.sha256) {
      errors.push({ artifactId: a.id, message: `${a.displayName} no longer has the content recorded at intake (SHA-256 ${a.sha256.slice(0, 12)}…, now ${out.sha256.slice(0, 12)}…); add it again as a new artifact` });
      return;
    }
    const report = out.scan!;
    ctx.db.transaction(() => recordScan(ctx, a, report, { individualEvidence: a.setId === null })).immediate();
    verdicts[report.verdict] = (verdicts[report.verdict] ?? 0) + 1;
    rescanned++;
  });
  ctx.events.emit({ type: 'changed', caseId, what: 'artifacts' });
  return { rescanned, verdicts, errors };
}

export function formatLabelOf(format: string): string {
  return FORMATS[format as FormatId]?.label ?? format;
}
