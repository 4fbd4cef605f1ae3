// Probe rows from a dataset: CSV/TSV and JSON Lines through the dataset engine's streaming
// readers (main/core/dataset/read), .npy arrays through parseNpy. Bounded: at most `maxRows`
// rows are kept (reading stops there), .npy files at most 1 GiB. A table row becomes one probe
// row from the chosen columns in order (every numeric column by default); a cell may hold one
// number or a JSON array of numbers (JSON Lines records with an array field).
import { ApiError } from '../../../shared/api/errors.ts';
import { CsvReader } from '../dataset/read/csv.ts';
import { JsonlReader } from '../dataset/read/jsonl.ts';
import type { Cell, TableReader, TableSink } from '../dataset/read/types.ts';
import { readBounded } from './model-source.ts';
import { NpyError, parseNpy } from './npy.ts';
import type { NumericMatrix } from './types.ts';

export const PROBE_DATA_FORMATS = ['csv', 'tsv', 'jsonl', 'numpy-npy'] as const;
export type ProbeDataFormat = (typeof PROBE_DATA_FORMATS)[number];

export function isProbeDataFormat(format: string): format is ProbeDataFormat {
  return (PROBE_DATA_FORMATS as readonly string[]).includes(format);
}

export const DEFAULT_PROBE_DATA_ROWS = 1024;
const MAX_NPY_BYTES = 1024 ** 3;
/** Values one probe row may hold when read from a table (a 3x224x224 image is 150 528). */
const MAX_ROW_VALUES = 1 << 20;

export interface ProbeDataRequest {
  path: string;
  format: ProbeDataFormat;
  /** Name for messages. */
  name: string;
  /** Values one row of the model input holds. */
  rowLength: number;
  columns?: readonly string[] | undefined;
  maxRows?: number | undefined;
  signal?: AbortSignal | undefined;
}

export interface ProbeData {
  matrix: NumericMatrix;
  /** Columns used (tables), or null for .npy. */
  columns: string[] | null;
  /** Rows in the file beyond those kept. */
  truncated: boolean;
}

function bad(message: string): never {
  throw new ApiError('invalid_input', message);
}

/** Numbers in one cell: a number, a numeric string, or a JSON array (nested) of numbers; null when it holds none. */
export function cellNumbers(cell: Cell | undefined): number[] | null {
  if (typeof cell === 'number') return Number.isFinite(cell) ? [cell] : null;
  if (typeof cell === 'boolean') return [cell ? 1 : 0];
  if (typeof cell !== 'string') return null;
  const t = cell.trim();
  if (t === '') return null;
  if (t.startsWith('[')) {
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch {
      return null;
    }
    const flat = (Array.isArray(v) ? v.flat(8) : []) as unknown[];
    return flat.length > 0 && flat.every((x) => typeof x === 'number' && Number.isFinite(x)) ? (flat as number[]) : null;
  }
  const n = Number(t);
  return Number.isFinite(n) ? [n] : null;
}

class StopReading extends Error {}

async function readTable(req: ProbeDataRequest, reader: TableReader): Promise<ProbeData> {
  const maxRows = req.maxRows ?? DEFAULT_PROBE_DATA_ROWS;
  const stop = new AbortController();
  const signal = req.signal ? AbortSignal.any([req.signal, stop.signal]) : stop.signal;
  let names: readonly string[] = [];
  let chosen: number[] | null = null;
  let chosenNames: string[] = [];
  const values: number[] = [];
  let rows = 0;
  let truncated = false;
  let failure: string | null = null;
  const choose = (cells: readonly Cell[]): void => {
    if (req.columns && req.columns.length > 0) {
      const missing = req.columns.filter((c) => !names.includes(c));
      if (missing.length > 0) failure = `${req.name} has no column${missing.length > 1 ? 's' : ''} ${missing.slice(0, 5).join(', ')} (it has ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', …' : ''})`;
      chosen = req.columns.map((c) => names.indexOf(c));
    } else {
      chosen = names.map((_, i) => i).filter((i) => cellNumbers(cells[i]) !== null);
      if (chosen.length === 0) failure = `${req.name}: no column of its first row holds numbers; name the columns to use`;
    }
    chosenNames = chosen.map((i) => names[i] ?? `column ${i + 1}`);
  };
  const sink: TableSink = {
    columns(list) {
      names = list;
    },
    row(cells, index) {
      if (failure) return;
      if (rows >= maxRows) {
        truncated = true;
        stop.abort(new StopReading());
        return;
      }
      if (!chosen) choose(cells);
      if (failure) {
        stop.abort(new StopReading());
        return;
      }
      const row: number[] = [];
      for (const i of chosen!) {
        const nums = cellNumbers(cells[i]);
        if (!nums) {
          failure = `${req.name} row ${index + 1}: column ${names[i] ?? i + 1} does not hold a number (${JSON.stringify(cells[i] ?? null).slice(0, 40)})`;
          break;
        }
        for (const n of nums) row.push(n);
        if (row.length > MAX_ROW_VALUES) {
          failure = `${req.name} row ${index + 1} holds more than ${MAX_ROW_VALUES} values`;
          break;
        }
      }
      if (!failure && row.length !== req.rowLength) {
        const hint = row.length === req.rowLength + 1 ? ' (one too many: is a label column among them? name the columns to use)' : '';
        failure = `${req.name} row ${index + 1} gives ${row.length} values from column(s) ${chosenNames.slice(0, 8).join(', ')}${chosenNames.length > 8 ? ', …' : ''}; the model input takes ${req.rowLength} per row${hint}`;
      }
      if (failure) {
        stop.abort(new StopReading());
        return;
      }
      for (const n of row) values.push(n);
      rows++;
    },
    problem() {
      // Malformed records are skipped by the reader; only complete rows become probes.
    },
  };
  try {
    await reader.read(sink, { signal });
  } catch (e) {
    if (!(stop.signal.aborted && stop.signal.reason instanceof StopReading)) {
      if (req.signal?.aborted) throw e;
      bad(`${req.name} could not be read as ${req.format.toUpperCase()}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (failure) bad(failure);
  if (rows === 0) bad(`${req.name} has no data rows to use as probes`);
  return { matrix: { rows, values: Float64Array.from(values) }, columns: chosenNames, truncated };
}

async function readNpy(req: ProbeDataRequest): Promise<ProbeData> {
  const bytes = await readBounded(req.path, MAX_NPY_BYTES, 'the probe array');
  let arr;
  try {
    arr = parseNpy(bytes);
  } catch (e) {
    if (e instanceof NpyError) bad(`${req.name}: ${e.message}`);
    throw e;
  }
  const perRow = arr.rowShape.reduce((a, d) => a * d, 1);
  if (arr.rows < 1) bad(`${req.name} holds no rows`);
  if (perRow !== req.rowLength) bad(`${req.name} has rows of shape [${arr.rowShape.join(', ')}] (${perRow} values); the model input takes ${req.rowLength} per row`);
  const maxRows = req.maxRows ?? DEFAULT_PROBE_DATA_ROWS;
  const rows = Math.min(arr.rows, maxRows);
  return { matrix: { rows, values: arr.values.subarray(0, rows * perRow) }, columns: null, truncated: arr.rows > rows };
}

/** Reads probe rows for one model input from a dataset file. */
export async function readProbeData(req: ProbeDataRequest): Promise<ProbeData> {
  switch (req.format) {
    case 'csv': return readTable(req, new CsvReader(req.path));
    case 'tsv': return readTable(req, new CsvReader(req.path, { tsv: true }));
    case 'jsonl': return readTable(req, new JsonlReader(req.path));
    case 'numpy-npy': return readNpy(req);
  }
}

/** The format of a probe file named on the command line, from its content's magic or its name. */
export function probeFileFormat(path: string, head: Uint8Array): ProbeDataFormat {
  if (head.length >= 6 && head[0] === 0x93 && String.fromCharCode(...head.subarray(1, 6)) === 'NUMPY') return 'numpy-npy';
  const lower = path.toLowerCase();
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.tsv')) return 'tsv';
  if (lower.endsWith('.csv')) return 'csv';
  const text = new TextDecoder().decode(head).trimStart();
  return text.startsWith('{') || text.startsWith('[') ? 'jsonl' : 'csv';
}
