// `assay data scan PATH`: a dataset outside any case, scanned in a worker thread; nothing is
// stored. With a masked copy requested, the copy is written (pseudonyms keyed by the
// workstation's key, or a key file's bytes) and the transformation is logged on the
// workstation's custody chain with both digests.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { ApiError } from '../../../../shared/api/errors.ts';
import type { datasetMethods } from '../../../../shared/api/methods/dataset.ts';
import type { CoreContext } from '../../context.ts';
import { recordCustody } from '../../custody/log.ts';
import type { Job } from '../../jobs/registry.ts';
import { checkDetectors } from './export.ts';
import { pseudonymKey } from './keys.ts';
import { runInWorker } from './run.ts';

type ScanPathInput = z.output<(typeof datasetMethods)['datasets.scanPath']['input']>;
type ScanPathOutput = z.input<(typeof datasetMethods)['datasets.scanPath']['output']>;

const MIN_KEY_BYTES = 16;
const MAX_KEY_BYTES = 4096;

async function keyFromFile(path: string): Promise<Buffer> {
  let bytes: Buffer;
  try {
    const st = await stat(path);
    if (!st.isFile() || st.size > MAX_KEY_BYTES) throw new ApiError('invalid_input', `the key file ${path} must be a regular file of ${MIN_KEY_BYTES} to ${MAX_KEY_BYTES} bytes`);
    bytes = await readFile(path);
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError('io_error', `cannot read the key file ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (bytes.length < MIN_KEY_BYTES) throw new ApiError('invalid_input', `the key file ${path} holds ${bytes.length} bytes; a pseudonym key needs at least ${MIN_KEY_BYTES} (e.g. \`head -c 32 /dev/urandom > key\`)`);
  return bytes;
}

export async function scanPathForCli(ctx: CoreContext, input: ScanPathInput, job: Job): Promise<ScanPathOutput> {
  const path = resolve(input.path);
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    throw new ApiError('io_error', `cannot read ${input.path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : e instanceof Error ? e.message : String(e)}`);
  }
  if (!st.isFile() && !st.isDirectory()) throw new ApiError('invalid_input', `${input.path} is not a regular file or folder`);
  const maskedOut = input.maskedOut ? resolve(input.maskedOut) : null;
  if (maskedOut) {
    if (st.isDirectory()) throw new ApiError('invalid_input', 'a masked copy can be written for tabular datasets (CSV, TSV, JSON Lines, JSON, Parquet), not image folders');
    if (existsSync(maskedOut)) throw new ApiError('io_error', `${maskedOut} already exists; choose another file name`);
    if (maskedOut === path) throw new ApiError('invalid_input', 'the masked copy must not overwrite the dataset');
  }
  const detectors = maskedOut ? await checkDetectors(ctx, input.detectors) : 'all';
  const fileKey = maskedOut && input.keyFile ? await keyFromFile(input.keyFile) : null;

  job.update({ currentItem: input.path, bytesTotal: st.isFile() ? st.size : 0, bytesDone: 0 });
  const scanned = await runInWorker(ctx, job, 'dataset-scan', {
    path, render: true,
    ...(input.label !== undefined ? { label: input.label } : {}),
    ...(input.phoneRegion ? { phoneRegion: input.phoneRegion.toUpperCase() } : {}),
  });
  const cli = scanned.cli!;
  // The engine's interfaces lack the index signatures of the contract's open objects; the
  // contract validates the document on the way out.
  const document = cli.document as unknown as ScanPathOutput['document'];
  if (!maskedOut) return { document, text: cli.text, exitCode: cli.exitCode === 1 ? 1 : 0, export: null };

  // Redaction uses no key; pseudonyms use the key file's bytes or the workstation's key.
  const key = input.mask === 'redact' ? randomBytes(32) : fileKey ?? ctx.db.transaction(() => pseudonymKey(ctx, null)).immediate();
  job.update({ currentItem: `masking ${input.path}`, bytesDone: 0 });
  const result = await runInWorker(ctx, job, 'dataset-export', {
    inPath: path, outPath: maskedOut, detectors, mode: input.mask, key: new Uint8Array(key), excludeRows: [],
    ...(input.phoneRegion ? { phoneRegion: input.phoneRegion.toUpperCase() } : {}),
  });
  ctx.db.transaction(() => recordCustody(ctx, {
    caseId: null, action: 'dataset.transformed', subject: path,
    details: {
      kind: 'masked-export', from: path, inputSha256: result.inputSha256, output: { path: maskedOut, sha256: result.outputSha256 },
      detectors, mode: input.mask, key: input.mask === 'pseudonym' ? (fileKey ? 'key file' : 'workstation key') : null,
      rows: result.rows, replaced: result.replaced, byDetector: result.byDetector, format: result.format,
    },
  })).immediate();
  return {
    document, text: cli.text, exitCode: cli.exitCode === 1 ? 1 : 0,
    export: {
      path: maskedOut, rows: result.rows, replaced: result.replaced, byDetector: result.byDetector as Record<string, number>,
      excluded: result.excluded, format: result.format, inputSha256: result.inputSha256, outputSha256: result.outputSha256,
    },
  };
}
