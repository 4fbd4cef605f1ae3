// Masked export of a dataset of a case: the engine writes a copy with the chosen detectors'
// values redacted or replaced by pseudonyms keyed by the case's secret (in a worker thread, with
// progress); the copy is added to the case as a new dataset linked to its source, and the
// transformation is logged with both digests.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import type { z } from 'zod';
import { ApiError } from '../../../../shared/api/errors.ts';
import type { datasetMethods } from '../../../../shared/api/methods/dataset.ts';
import { getDatasetRecord, listRowReviews } from '../../../store/repos/datasets.ts';
import type { CoreContext } from '../../context.ts';
import { recordCustody } from '../../custody/log.ts';
import { addArtifacts } from '../../intake/add.ts';
import type { Job } from '../../jobs/registry.ts';
import type { DetectorId } from '../index.ts';
import { refreshScanEvidence, writeProvenanceEvidence } from './evidence.ts';
import { pseudonymKey } from './keys.ts';
import { ensureRecord, provenanceOf } from './records.ts';
import { detectorList, runInWorker } from './run.ts';
import { findTarget, requireTarget, targetPath } from './targets.ts';

type ExportInput = z.output<(typeof datasetMethods)['datasets.exportMasked']['input']>;
type ExportOutput = z.input<(typeof datasetMethods)['datasets.exportMasked']['output']>;

/** The format a masked copy is written in, by the source's detected format. */
const OUTPUT_EXTENSION: Record<string, string> = { csv: 'csv', text: 'csv', tsv: 'tsv', jsonl: 'jsonl', json: 'json', parquet: 'jsonl' };

/** The detectors asked for, checked against the engine's list. */
export async function checkDetectors(ctx: CoreContext, asked: 'all' | readonly string[]): Promise<DetectorId[] | 'all'> {
  if (asked === 'all') return 'all';
  const known = new Set((await detectorList(ctx)).map((d) => d.id));
  const unknown = asked.filter((d) => !known.has(d));
  if (unknown.length > 0) throw new ApiError('invalid_input', `unknown detector${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')} (known: ${[...known].join(', ')})`);
  return [...new Set(asked)] as DetectorId[];
}

function stamp(iso: string): string {
  return iso.replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
}

export async function exportMaskedInCase(ctx: CoreContext, input: ExportInput, job: Job): Promise<ExportOutput> {
  const t = requireTarget(ctx, input.datasetId);
  const a = t.artifact;
  if (t.kind !== 'file' || !a) throw new ApiError('invalid_input', `${t.name} is an image folder; masked export applies to tabular datasets (CSV, TSV, JSON Lines, JSON, Parquet)`);
  const ext = OUTPUT_EXTENSION[a.format];
  if (!ext) throw new ApiError('invalid_input', `${t.name} is ${a.format}, not a tabular dataset format`);
  const detectors = await checkDetectors(ctx, input.detectors);
  let outPath: string;
  if (input.outPath) {
    outPath = resolve(input.outPath);
  } else {
    const dir = join(ctx.dataDir, 'exports', t.caseId);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const stem = basename(t.name, extname(t.name)).replace(/[^\w.-]+/g, '_') || 'dataset';
    outPath = join(dir, `${stem}.masked-${input.mode}-${stamp(ctx.now())}.${ext}`);
  }
  if (existsSync(outPath)) throw new ApiError('io_error', `${outPath} already exists; choose another file name`);
  if (resolve(outPath) === resolve(targetPath(ctx, t))) throw new ApiError('invalid_input', 'the masked copy must not overwrite its source');

  // Redaction uses no key; pseudonyms use the case's key (created on first use).
  const key = input.mode === 'redact' ? randomBytes(32) : ctx.db.transaction(() => pseudonymKey(ctx, t.caseId)).immediate();
  const excludeRows = input.leaveOutExcluded ? listRowReviews(ctx.db, t.id, 'excluded').map((r) => r.row) : [];
  job.update({ currentItem: `masking ${t.name}`, bytesTotal: t.size, bytesDone: 0 });
  const result = await runInWorker(ctx, job, 'dataset-export', {
    inPath: targetPath(ctx, t), outPath, detectors, mode: input.mode, key: new Uint8Array(key), excludeRows,
  });
  if (result.inputSha256 !== t.sha256) {
    await unlink(outPath).catch(() => undefined);
    throw new ApiError('conflict', `${t.name} no longer has the content recorded at intake (SHA-256 now ${result.inputSha256.slice(0, 12)}…); nothing was exported`);
  }

  job.update({ currentItem: `adding ${basename(outPath)} to the case` });
  const added = await addArtifacts(ctx, { caseId: t.caseId, paths: [outPath], storage: input.outPath ? 'import' : 'reference', kind: 'dataset' }, job);
  const artifact = added.added[0] ?? added.existing[0];
  if (!artifact) throw new ApiError('io_error', `the masked copy was written to ${outPath} but could not be added to the case: ${added.errors.map((e) => e.message).join('; ')}`);

  const transformation = {
    kind: 'masked-export', from: t.id, fromName: t.name, inputSha256: result.inputSha256, outputSha256: result.outputSha256,
    detectors, mode: input.mode, key: input.mode === 'pseudonym' ? 'case key' : null,
    rows: result.rows, replaced: result.replaced, byDetector: result.byDetector, excludedRows: result.excluded, format: result.format,
  };
  ctx.db.transaction(() => {
    const sourceRecord = ensureRecord(ctx, t);
    const derived = findTarget(ctx, artifact.id);
    if (derived && derived.id !== t.id) {
      ensureRecord(ctx, derived, { derivedFrom: t.id, transformation, provenance: provenanceOf(getDatasetRecord(ctx.db, sourceRecord.id)) });
      writeProvenanceEvidence(ctx, derived);
    }
    recordCustody(ctx, {
      caseId: t.caseId, action: 'dataset.transformed', subject: t.id,
      details: { ...transformation, output: { artifactId: artifact.id, path: outPath, sha256: result.outputSha256 }, excludedRowIds: excludeRows.slice(0, 1000) },
    });
    refreshScanEvidence(ctx, t);
  }).immediate();
  ctx.events.emit({ type: 'changed', caseId: t.caseId, what: 'datasets' });
  return {
    path: outPath, rows: result.rows, replaced: result.replaced, byDetector: result.byDetector as Record<string, number>,
    excluded: result.excluded, format: result.format, inputSha256: result.inputSha256, outputSha256: result.outputSha256,
    datasetId: artifact.id, artifact,
  };
}
