// Entry point: decides what a path holds (a folder of class subfolders, or a table whose
// format is detected from content) and runs the matching scan. Bad input never throws: it
// becomes a `dataset.unreadable` finding. Only a wrong label name, a cancelled scan or a path
// that does not exist reject.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { FormatId } from '../formats/catalogue.ts';
import { detectFormat } from '../formats/detect.ts';
import { sha256File } from '../intake/hash.ts';
import { FileSource } from '../io/byte-source.ts';
import { makeFinding } from './findings.ts';
import { scanImageFolder } from './images/scan-images.ts';
import { LabelNotFoundError } from './profile/roles.ts';
import { CsvReader } from './read/csv.ts';
import { JsonArrayReader } from './read/json-array.ts';
import { JsonlReader } from './read/jsonl.ts';
import { ParquetReader } from './read/parquet.ts';
import type { DatasetFormat, TableReader } from './read/types.ts';
import { scanCsvInParallel } from './scan-parallel.ts';
import { scanTable } from './scan-table.ts';
import { DEFAULT_DATASET_LIMITS, type DatasetLimits, type DatasetReport, type ScanDatasetOptions } from './types.ts';

/** Which reader handles which detected format. Plain text is read as one-column-or-more CSV. */
const READERS: Partial<Record<FormatId, { format: DatasetFormat; open: (path: string) => TableReader }>> = {
  csv: { format: 'csv', open: (p) => new CsvReader(p) },
  tsv: { format: 'tsv', open: (p) => new CsvReader(p, { tsv: true }) },
  text: { format: 'csv', open: (p) => new CsvReader(p) },
  jsonl: { format: 'jsonl', open: (p) => new JsonlReader(p) },
  json: { format: 'json', open: (p) => new JsonArrayReader(p) },
  parquet: { format: 'parquet', open: (p) => new ParquetReader(p) },
};

export function resolveLimits(partial: Partial<DatasetLimits> | undefined): DatasetLimits {
  return { ...DEFAULT_DATASET_LIMITS, ...partial };
}

async function detect(path: string): Promise<{ format: FormatId; detail: string }> {
  const source = await FileSource.open(path);
  try {
    const d = await detectFormat(source);
    return d.format === 'csv' || d.format === 'text' ? await refineJsonLines(source, d) : d;
  } finally {
    await source.close();
  }
}

/**
 * Content detection calls JSON Lines with one bad line text or CSV; a dataset scan wants to read
 * it as JSON Lines and report the bad line. Most lines of the head parsing as JSON objects decides.
 */
async function refineJsonLines(source: FileSource, d: { format: FormatId; detail: string }): Promise<{ format: FormatId; detail: string }> {
  const head = new TextDecoder().decode(await source.read(0, Math.min(source.size, 64 * 1024)));
  if (!head.trimStart().startsWith('{')) return d;
  const lines = head.split(/\r?\n/).slice(0, source.size > 64 * 1024 ? -1 : undefined).filter((l) => l.trim() !== '');
  const ok = lines.filter((l) => { try { return typeof JSON.parse(l) === 'object'; } catch { return false; } }).length;
  return lines.length >= 2 && ok >= lines.length / 2 ? { format: 'jsonl', detail: `${ok} of ${lines.length} lines are JSON` } : d;
}

/** Scans a dataset file or image folder: schema, PII and secrets, poisoning indicators. */
export async function scanDataset(path: string, options: ScanDatasetOptions = {}): Promise<DatasetReport> {
  const limits = resolveLimits(options.limits);
  const st = await stat(path);
  const name = basename(path);
  if (st.isDirectory()) return scanImageFolder(path, options, limits);
  // A pipe or device would block the reader or never end.
  if (!st.isFile()) throw new Error(`${path} is not a regular file or folder`);
  const started = Date.now();
  const detected = await detect(path);
  const entry = READERS[detected.format];
  if (!entry) return unreadableReport(path, name, started, `content is ${detected.detail}, not a dataset format Assay reads (CSV, TSV, JSON Lines, JSON array, Parquet, or a folder of images)`);
  try {
    if (entry.format === 'csv' && options.parallel !== false) {
      const parallel = await scanCsvInParallel(path, name, options, limits);
      if (parallel) return parallel;
    }
    const { report } = await scanTable(entry.open(path), name, options, limits);
    return report;
  } catch (e) {
    if (e instanceof LabelNotFoundError || options.signal?.aborted) throw e;
    return unreadableReport(path, name, started, `reading as ${entry.format} failed: ${e instanceof Error ? e.message : String(e)}`, entry.format);
  }
}

async function unreadableReport(path: string, name: string, started: number, why: string, format: DatasetFormat = 'csv'): Promise<DatasetReport> {
  const digest = await sha256File(path);
  return {
    dataset: {
      name, format, formatDetail: why, rowCount: 0, size: digest.size, sha256: digest.sha256, columns: [],
      label: { column: null, name: null, guessed: true, reason: 'dataset not read' },
    },
    pii: [],
    findings: [makeFinding('dataset.unreadable', `${name}: ${why}; nothing in it was checked`, {})],
    charts: { labelDistribution: [], classBalance: { classes: 0, majority: null, minority: null, imbalanceRatio: null, normalisedEntropy: null, unlabelled: 0 }, outlierScores: null },
    indicators: [],
    durationMs: Date.now() - started,
  };
}
