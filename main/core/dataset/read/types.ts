// The contract between dataset readers and the analysis: a reader pushes rows into a sink,
// synchronously and in order, and returns what it learnt about the file.

/** One field value as the analysis sees it (nested JSON is flattened or serialised first). */
export type Cell = string | number | boolean | null;

export type DatasetFormat = 'csv' | 'tsv' | 'jsonl' | 'json' | 'parquet' | 'image-folder';

export interface TableSink {
  /** The column names so far. Called once before the first row, and again (append-only) when JSON records bring new keys. */
  columns(names: readonly string[]): void;
  /** A data row; `cells[i]` belongs to column i, missing trailing cells are absent. */
  row(cells: readonly Cell[], index: number): void;
  /** A row that could not be read as the format says (skipped or repaired). */
  problem(p: ReadProblem): void;
}

export interface ReadProblem {
  kind: 'ragged' | 'malformed' | 'limit';
  /** 0-based data-row index when the problem concerns a row that was kept. */
  row?: number;
  /** 1-based line in the file when known. */
  line?: number;
  detail: string;
}

export interface ReadOptions {
  signal?: AbortSignal;
  /** Bytes of the file read so far and its size. */
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

export interface ReadSummary {
  format: DatasetFormat;
  /** One line on how the file was read, e.g. `CSV, ',' delimiter, header row, UTF-8`. */
  detail: string;
  encoding?: TextEncodingName;
  delimiter?: string;
  hasHeader?: boolean;
  rows: number;
  size: number;
  sha256: string;
}

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be';

export interface TableReader {
  read(sink: TableSink, options: ReadOptions): Promise<ReadSummary>;
}

/** Limits that keep one hostile record from exhausting memory. */
export interface ReadLimits {
  /** Longest record (CSV record, JSON line or array element) in characters. */
  maxRecordChars: number;
  /** Columns beyond this are dropped (reported once). */
  maxColumns: number;
  /** Nested JSON deeper than this is kept as a JSON string. */
  maxFlattenDepth: number;
}

export const DEFAULT_READ_LIMITS: ReadLimits = {
  maxRecordChars: 16 * 1024 * 1024,
  maxColumns: 2000,
  maxFlattenDepth: 3,
};
