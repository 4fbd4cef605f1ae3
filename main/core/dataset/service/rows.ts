// Reads chosen rows of a tabular dataset back for the auditor's review (runs in a worker
// thread): the same reader the scan used, stopped after the last row asked for. Every cell is
// shown masked: detected PII and secrets replaced by their masked form, invisible and
// bidirectional characters made visible (rendering them raw would let the data deceive the
// reviewer), long values cut.
import type { Cell, PiiScanner, TableReader, TableSink } from '../index.ts';

export interface RowsTaskInput {
  path: string;
  /** The format the scan read the file as (DatasetSchema.format). */
  format: string;
  rows: number[];
  phoneRegion?: string;
  /** Columns whose values the scan found to be person names. */
  personNameColumns?: string[];
}

export interface RowsTaskOutput {
  columns: string[];
  rows: { row: number; cells: (string | null)[] }[];
  missing: number[];
}

/** Longest value run through the detectors; longer ones are not shown at all. */
const MAX_SCANNED_CHARS = 200_000;
/** Longest value shown (after masking). */
const MAX_SHOWN_CHARS = 2_000;
const MAX_COLUMNS = 300;

class StopReading extends Error {}

// Zero-width and joiner characters, bidirectional controls and isolates, the BOM, soft hyphen,
// and C0/C1 controls other than tab and newline.
// eslint-disable-next-line no-control-regex
const HIDDEN = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

/** Hidden characters as visible `⟦U+200B⟧` markers. */
export function showHidden(text: string): string {
  return text.replace(HIDDEN, (c) => `⟦U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟧`);
}

function cut(text: string): string {
  return text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}… (${text.length.toLocaleString('en-US')} characters)` : text;
}

export class CellMasker {
  private readonly hints = new Map<string, ReturnType<PiiScanner['columnHints']>>();
  constructor(private readonly scanner: PiiScanner, private readonly personNameColumns: ReadonlySet<string> = new Set()) {}

  mask(column: string, v: Cell): string | null {
    if (v === null) return null;
    const text = String(v);
    if (text.length > MAX_SCANNED_CHARS) return `[${text.length.toLocaleString('en-US')} characters, not shown]`;
    let hints = this.hints.get(column);
    if (!hints) {
      hints = this.scanner.columnHints({ name: column, valuesLookLikeNames: this.personNameColumns.has(column) });
      this.hints.set(column, hints);
    }
    // Mask the whole value before cutting it: a cut could split a value so no detector sees it.
    return cut(showHidden(this.scanner.maskText(text, this.scanner.scan(text, hints))));
  }
}

async function openReader(path: string, format: string): Promise<TableReader> {
  const engine = await import('../index.ts');
  switch (format) {
    case 'csv': return new engine.CsvReader(path);
    case 'tsv': return new engine.CsvReader(path, { tsv: true });
    case 'jsonl': return new engine.JsonlReader(path);
    case 'json': return new engine.JsonArrayReader(path);
    case 'parquet': return new engine.ParquetReader(path);
    default: throw new Error(`rows of a ${format} dataset cannot be read back`);
  }
}

export async function readMaskedRows(input: RowsTaskInput, io: { signal: AbortSignal; progress(done: number, total: number): void }): Promise<RowsTaskOutput> {
  const engine = await import('../index.ts');
  const wanted = new Set(input.rows);
  const last = Math.max(...input.rows);
  const masker = new CellMasker(new engine.PiiScanner(input.phoneRegion ? { phoneRegion: input.phoneRegion } : {}), new Set(input.personNameColumns ?? []));
  let names: string[] = [];
  const found = new Map<number, (string | null)[]>();
  const sink: TableSink = {
    columns: (n) => { names = [...n]; },
    problem: () => undefined,
    row: (cells, index) => {
      if (io.signal.aborted) throw io.signal.reason ?? new Error('cancelled');
      if (wanted.has(index)) {
        const shown: (string | null)[] = [];
        const width = Math.min(Math.max(cells.length, names.length), MAX_COLUMNS);
        for (let i = 0; i < width; i++) shown.push(masker.mask(names[i] ?? `column_${i + 1}`, cells[i] ?? null));
        found.set(index, shown);
      }
      if (index >= last) throw new StopReading();
    },
  };
  const reader = await openReader(input.path, input.format);
  try {
    await reader.read(sink, { signal: io.signal, onProgress: io.progress });
  } catch (e) {
    if (!(e instanceof StopReading)) throw e;
  }
  const rows = [...wanted].sort((a, b) => a - b).filter((r) => found.has(r)).map((row) => ({ row, cells: found.get(row)! }));
  return {
    columns: names.slice(0, MAX_COLUMNS).map((n, i) => n || `column_${i + 1}`),
    rows,
    missing: [...wanted].filter((r) => !found.has(r)).sort((a, b) => a - b),
  };
}
