// Public API of the dataset auditing engine (issue 6). The store, API, CLI and UI call only this.
export { scanDataset } from './scan.ts';
export { exportMasked } from './export-masked.ts';
export { cliDocument, datasetExitCode, renderDatasetJson, renderDatasetText, type CliDocument, type CliFinding } from './cli-json.ts';
export { exclusionListCsv, type ExclusionEntry } from './exclusions.ts';
export { findPii, type TextPiiHit } from './text-pii.ts';
export { LabelNotFoundError } from './profile/roles.ts';
export { DETECTOR_IDS, isDetectorId, type DetectorId } from './pii/types.ts';
export {
  DEFAULT_DATASET_LIMITS,
  type ColumnRole, type ColumnSchema, type DatasetCharts, type DatasetFile, type DatasetFormat, type DatasetLimits,
  type DatasetProvenanceRecord, type DatasetReport, type DatasetSchema, type ExportMaskedOptions, type ExportMaskedResult,
  type IndicatorCoverage, type LabelCount, type MaskMode, type PiiColumnSummary, type ScanDatasetOptions,
} from './types.ts';
// Readers and the PII scanner, for reading chosen rows back with their values masked
// (main/core/dataset/service/rows.ts).
export { CsvReader } from './read/csv.ts';
export { JsonlReader } from './read/jsonl.ts';
export { JsonArrayReader } from './read/json-array.ts';
export { ParquetReader } from './read/parquet.ts';
export type { Cell, TableReader, TableSink } from './read/types.ts';
export { PiiScanner } from './pii/scanner.ts';
