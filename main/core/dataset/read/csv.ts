// CSV and TSV through csv-parse, streamed: quoted multi-line fields, ragged rows (kept and
// reported), records that cannot be parsed (skipped and reported), UTF-8 and UTF-16 with BOM.
import { once } from 'node:events';
import { parse, type CsvError } from 'csv-parse';
import { readFileChunks, readHead, type ChunkRange } from './file-chunks.ts';
import { sniffCsv, type Delimiter } from './sniff-csv.ts';
import { ChunkDecoder, decodeSample, sniffEncoding, type EncodingSniff } from './text-decode.ts';
import { DEFAULT_READ_LIMITS, type ReadLimits, type ReadOptions, type ReadSummary, type TableReader, type TableSink } from './types.ts';

export const SNIFF_BYTES = 64 * 1024;

/** Header names made unique and non-empty, so every column can be named in a finding. */
export function uniqueColumnNames(raw: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return raw.map((name, i) => {
    let n = name.trim() || `column_${i + 1}`;
    const count = seen.get(n) ?? 0;
    seen.set(n, count + 1);
    if (count > 0) n = `${n}_${count + 1}`;
    return n;
  });
}

export interface CsvReaderOptions {
  /** Read only these bytes (a record-aligned part of the file), continuing `hash` if given. */
  range?: ChunkRange;
  /** Column names decided elsewhere: the part has no header row. */
  columns?: readonly string[];
  /** Force a delimiter instead of sniffing it. */
  delimiter?: Delimiter;
  /** Force header detection. */
  hasHeader?: boolean;
  /** Content detection said TSV: prefer tabs when tied. */
  tsv?: boolean;
  limits?: ReadLimits;
}

export function csvParserOptions(delimiter: string, limits: ReadLimits) {
  return {
    delimiter,
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: limits.maxRecordChars,
  };
}

export class CsvReader implements TableReader {
  constructor(private readonly path: string, private readonly options: CsvReaderOptions = {}) {}

  /** Encoding, delimiter and header as the reader will use them (from the file's first 64 KiB). */
  async sniff(): Promise<{ encoding: EncodingSniff; delimiter: Delimiter; hasHeader: boolean; fields: number }> {
    const head = await readHead(this.path, SNIFF_BYTES);
    const encoding = sniffEncoding(head);
    const whole = head.length < SNIFF_BYTES;
    const sniff = sniffCsv(decodeSample(head, encoding), whole, this.options.tsv);
    return {
      encoding,
      delimiter: this.options.delimiter ?? sniff.delimiter,
      hasHeader: this.options.hasHeader ?? sniff.hasHeader,
      fields: sniff.fields,
    };
  }

  async read(sink: TableSink, options: ReadOptions): Promise<ReadSummary> {
    const limits = this.options.limits ?? DEFAULT_READ_LIMITS;
    const sniff = await this.sniff();
    const enc = sniff.encoding;
    const { delimiter } = sniff;
    const preset = this.options.columns;
    const hasHeader = preset ? false : sniff.hasHeader;
    const file = await readFileChunks(this.path, options, this.options.range);

    let columns: string[] | null = preset ? [...preset] : null;
    if (columns) sink.columns(columns);
    let rows = 0;
    let truncatedColumns = false;
    const parser = parse(csvParserOptions(delimiter, limits));
    parser.on('skip', (err: CsvError | undefined) => {
      const line = typeof err?.lines === 'number' ? err.lines : undefined;
      sink.problem({ kind: 'malformed', ...(line !== undefined ? { line } : {}), detail: err?.code ?? 'unparseable record' });
    });
    parser.on('data', (record: string[]) => {
      if (record.length > limits.maxColumns) {
        if (!truncatedColumns) sink.problem({ kind: 'limit', detail: `records have more than ${limits.maxColumns} fields; the rest are ignored` });
        truncatedColumns = true;
        record = record.slice(0, limits.maxColumns);
      }
      if (columns === null) {
        if (hasHeader) {
          columns = uniqueColumnNames(record);
          sink.columns(columns);
          return;
        }
        columns = uniqueColumnNames(Array.from({ length: Math.max(record.length, sniff.fields) }, () => ''));
        sink.columns(columns);
      }
      if (record.length !== columns.length) {
        sink.problem({ kind: 'ragged', row: rows, detail: `${record.length} fields, expected ${columns.length}` });
        if (record.length > columns.length) {
          // Extra fields get their own columns so their content is still scanned.
          columns = [...columns, ...uniqueColumnNames([...columns, ...Array.from({ length: record.length - columns.length }, () => '')]).slice(columns.length)];
          sink.columns(columns);
        }
      }
      sink.row(record, rows);
      rows++;
    });
    const done = new Promise<void>((resolve, reject) => {
      parser.on('end', resolve);
      parser.on('error', reject);
    });

    // A later part of a UTF-8 file starts mid-file: no BOM to skip there.
    const decoder = enc.encoding === 'utf-8' ? null : new ChunkDecoder(enc);
    for await (const chunk of file.chunks) {
      const ok = parser.write(decoder ? Buffer.from(decoder.decode(chunk), 'utf8') : chunk);
      if (!ok) await once(parser, 'drain');
    }
    if (decoder) parser.write(Buffer.from(decoder.end(), 'utf8'));
    parser.end();
    await done;
    if (columns === null) sink.columns([]);

    const format = delimiter === '\t' ? 'tsv' : 'csv';
    const delimName = delimiter === '\t' ? 'tab' : `'${delimiter}'`;
    return {
      format,
      detail: `${format.toUpperCase()}, ${delimName} delimiter, ${(preset ? sniff.hasHeader : hasHeader) ? 'header row' : 'no header row'}, ${enc.encoding.toUpperCase()}${enc.bomBytes > 0 ? ' with BOM' : ''}`,
      encoding: enc.encoding,
      delimiter,
      hasHeader: preset ? sniff.hasHeader : hasHeader,
      rows,
      size: file.size,
      sha256: file.digest(),
    };
  }
}
