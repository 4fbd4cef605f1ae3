// The dataset work that runs in the core's worker threads (main/core/work): a full scan, reading
// chosen rows back masked, and a masked export. The engine is loaded on first use, so intake
// workers that never see a dataset do not pay for it.
import type { CliDocument, DatasetReport, DetectorId, ExportMaskedResult, MaskMode } from '../index.ts';
import type { TaskIo } from '../../work/tasks.ts';
import { readMaskedRows, type RowsTaskInput, type RowsTaskOutput } from './rows.ts';

export interface DatasetScanTaskInput {
  path: string;
  label?: string;
  phoneRegion?: string;
  /** Also render what `assay data scan` prints. */
  render?: boolean;
}

export interface DatasetScanTaskOutput {
  report: DatasetReport;
  cli: { document: CliDocument; text: string; exitCode: number } | null;
}

export interface DetectorInfo {
  id: string;
  label: string;
  ruleId: string;
}

export interface DatasetExportTaskInput {
  inPath: string;
  outPath: string;
  detectors: DetectorId[] | 'all';
  mode: MaskMode;
  key: Uint8Array;
  excludeRows: number[];
  phoneRegion?: string;
}

/**
 * The report as plain JSON data: statistics over hostile values can be NaN or infinite, which
 * JSON (the store, the API) writes as null.
 */
export function jsonSafe<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

async function datasetScan(input: DatasetScanTaskInput, io: TaskIo): Promise<DatasetScanTaskOutput> {
  const engine = await import('../index.ts');
  const report = jsonSafe(await engine.scanDataset(input.path, {
    signal: io.signal, onProgress: io.progress,
    ...(input.label !== undefined ? { label: input.label } : {}),
    ...(input.phoneRegion ? { phoneRegion: input.phoneRegion } : {}),
  }));
  const cli = input.render
    ? { document: engine.cliDocument(report), text: engine.renderDatasetText(report), exitCode: engine.datasetExitCode(report) }
    : null;
  return { report, cli };
}

/** Every PII and secret detector with its label and rule. */
async function datasetDetectors(): Promise<DetectorInfo[]> {
  const { PiiScanner } = await import('../index.ts');
  return new PiiScanner().detectors.map((d) => ({ id: d.id, label: d.label, ruleId: d.ruleId }));
}

async function datasetRows(input: RowsTaskInput, io: TaskIo): Promise<RowsTaskOutput> {
  return readMaskedRows(input, io);
}

async function datasetExport(input: DatasetExportTaskInput, io: TaskIo): Promise<ExportMaskedResult> {
  const { exportMasked } = await import('../index.ts');
  return exportMasked(input.inPath, input.outPath, {
    detectors: input.detectors, mode: input.mode, key: input.key, excludeRows: input.excludeRows,
    signal: io.signal, onProgress: io.progress,
    ...(input.phoneRegion ? { phoneRegion: input.phoneRegion } : {}),
  });
}

export const DATASET_TASKS = {
  'dataset-scan': datasetScan,
  'dataset-rows': datasetRows,
  'dataset-export': datasetExport,
  'dataset-detectors': datasetDetectors,
} as const;
