// The dataset engine's public types: scan options, the report (schema, PII by column, findings,
// chart data), masked export, and the provenance record the store keeps beside a dataset.
import type { Finding } from '../../../shared/findings.ts';
import type { ColumnProfileData } from './profile/column-profile.ts';
import type { LabelChoice } from './profile/roles.ts';
import type { PiiColumnSummary } from './pii/tally.ts';
import type { DetectorId } from './pii/types.ts';
import type { HistogramBin } from './poison/numeric.ts';
import type { DatasetFormat, TextEncodingName } from './read/types.ts';

export type { DatasetFormat, DetectorId, PiiColumnSummary, HistogramBin };

export type ColumnRole = 'label' | 'id' | 'text' | 'feature' | 'other';

export interface ColumnSchema extends ColumnProfileData {
  role: ColumnRole;
  /** Detectors that fired in this column. */
  pii: DetectorId[];
}

export interface DatasetSchema {
  /** Display name (file or folder name). */
  name: string;
  format: DatasetFormat;
  /** How the file was read, e.g. `CSV, ',' delimiter, header row, UTF-8`. */
  formatDetail: string;
  encoding?: TextEncodingName;
  delimiter?: string;
  hasHeader?: boolean;
  /** Data rows (header excluded); images for an image folder. */
  rowCount: number;
  size: number;
  /** SHA-256 of the file (for an image folder, of the sorted list of file digests). */
  sha256: string;
  columns: ColumnSchema[];
  label: LabelChoice;
  /** Image folders: every file with its class and digest. */
  files?: DatasetFile[];
}

export interface DatasetFile {
  path: string;
  label: string | null;
  size: number;
  sha256: string;
}

export interface LabelCount {
  label: string;
  count: number;
}

export interface DatasetCharts {
  labelDistribution: LabelCount[];
  classBalance: {
    classes: number;
    majority: LabelCount | null;
    minority: LabelCount | null;
    /** Majority count over minority count (1 = balanced). */
    imbalanceRatio: number | null;
    /** Shannon entropy of the label distribution over its maximum (1 = balanced). */
    normalisedEntropy: number | null;
    unlabelled: number;
  };
  /** Isolation-forest scores of numeric rows in 20 bins over [0, 1]; null without numeric features. */
  outlierScores: { bins: HistogramBin[]; threshold: number } | null;
}

/** What each indicator looked at, so a reader knows what "no finding" covers. */
export interface IndicatorCoverage {
  name: string;
  ran: boolean;
  /** Rows (or images) the indicator examined. */
  examined: number;
  note: string;
}

export interface DatasetReport {
  dataset: DatasetSchema;
  pii: PiiColumnSummary[];
  findings: Finding[];
  charts: DatasetCharts;
  indicators: IndicatorCoverage[];
  durationMs: number;
}

export interface ScanDatasetOptions {
  /** Label column chosen by the auditor; guessed (and reported as guessed) when absent. */
  label?: string;
  signal?: AbortSignal;
  /** Bytes read so far and the dataset's total size. */
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  /** Region for phone numbers written without a country code (ISO 3166 alpha-2, e.g. `US`). */
  phoneRegion?: string;
  /** Run only these PII detectors (default all). */
  detectors?: readonly DetectorId[];
  limits?: Partial<DatasetLimits>;
  /** Read large CSV files in two halves on two threads (default true; falls back to one pass). */
  parallel?: boolean;
}

export interface DatasetLimits {
  /** Rows read before column roles (label, text, features) are decided. */
  sampleRows: number;
  /** Row indices listed per finding (counts stay exact). */
  maxRowsPerFinding: number;
  /** compromise calls for person names in free text. */
  nlpCalls: number;
  /** Numeric cells held for outlier and neighbour indicators (then a uniform sample). */
  featureCells: number;
  /** Distinct inputs held for the duplicate check. */
  duplicateEntries: number;
  /** Texts indexed for near duplicates. */
  nearDuplicateRows: number;
  /** Rows a token must appear in to be tested as a trigger. */
  triggerMinSupport: number;
  /** Images: largest pixel count decoded (width × height). */
  maxImagePixels: number;
  /** Images: largest file decoded, in bytes. */
  maxImageBytes: number;
  /** Images: most files examined. */
  maxImages: number;
  /** UTF-8 CSV files at least this large are read in two halves at once (a worker thread). */
  parallelMinBytes: number;
}

export const DEFAULT_DATASET_LIMITS: DatasetLimits = {
  sampleRows: 2000,
  maxRowsPerFinding: 10_000,
  nlpCalls: 200,
  featureCells: 32 * 1024 * 1024,
  duplicateEntries: 16_000_000,
  nearDuplicateRows: 4_000_000,
  triggerMinSupport: 10,
  maxImagePixels: 40_000_000,
  maxImageBytes: 64 * 1024 * 1024,
  maxImages: 1_000_000,
  parallelMinBytes: 32 * 1024 * 1024,
};

export type MaskMode = 'redact' | 'pseudonym';

export interface ExportMaskedOptions {
  /** Detectors whose values are replaced; `all` for every detector. */
  detectors: readonly DetectorId[] | 'all';
  mode: MaskMode;
  /** Per-case secret for pseudonyms: the same value gives the same token within a case only. */
  key: string | Uint8Array;
  /** 0-based data rows to leave out (the auditor's exclusion list). */
  excludeRows?: Iterable<number>;
  phoneRegion?: string;
  signal?: AbortSignal;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

export interface ExportMaskedResult {
  /** Data rows written. */
  rows: number;
  /** Values replaced. */
  replaced: number;
  /** Values replaced per detector. */
  byDetector: Partial<Record<DetectorId, number>>;
  excluded: number;
  /** Format written (Parquet and JSON inputs are written as JSON Lines). */
  format: 'csv' | 'tsv' | 'jsonl' | 'json';
  inputSha256: string;
  outputSha256: string;
}

/**
 * The provenance record an auditor fills in for a dataset (P01). The store keeps it; the engine
 * only defines its shape and adds the digests it computes.
 */
export interface DatasetProvenanceRecord {
  source: string;
  licence: string;
  collector: string;
  labeller: string;
  /** ISO dates (YYYY-MM-DD); either may be unknown. */
  collectedFrom: string | null;
  collectedTo: string | null;
  accessNotes: string;
  /** File digests as computed by the scan (`DatasetSchema.sha256`, `files`). */
  digests: Array<{ path: string; sha256: string; size: number }>;
}
