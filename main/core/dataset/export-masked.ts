// Masked export: a copy of a tabular dataset with the chosen detectors' values redacted or
// replaced by per-case pseudonyms, written next to the target and renamed into place only when
// complete. CSV and TSV stay delimited (same delimiter and header), JSON Lines and JSON arrays
// keep their structure; Parquet is written as JSON Lines (no Parquet writer is available).
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { FormatId } from '../formats/catalogue.ts';
import { detectFormat } from '../formats/detect.ts';
import { FileSource } from '../io/byte-source.ts';
import { decideRoles } from './profile/roles.ts';
import { Pseudonymiser, redaction } from './pii/pseudonym.ts';
import { PiiScanner } from './pii/scanner.ts';
import type { ColumnHints, DetectorId } from './pii/types.ts';
import { DETECTOR_IDS } from './pii/types.ts';
import { CsvReader } from './read/csv.ts';
import { readFileChunks, readHead } from './read/file-chunks.ts';
import { ArrayElementSplitter } from './read/json-array.ts';
import { ParquetReader } from './read/parquet.ts';
import { ChunkDecoder, sniffEncoding } from './read/text-decode.ts';
import { sampleRows } from './read/sample.ts';
import type { Cell, TableReader, TableSink } from './read/types.ts';
import type { ExportMaskedOptions, ExportMaskedResult } from './types.ts';

const SAMPLE_ROWS = 2000;
const FLUSH_CHARS = 1 << 20;

/** Buffered, hashed, synchronous output to a temporary file. */
class Output {
  private readonly fd: number;
  private readonly hash = createHash('sha256');
  private buffer: string[] = [];
  private chars = 0;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'wx');
  }
  write(s: string): void {
    this.buffer.push(s);
    this.chars += s.length;
    if (this.chars >= FLUSH_CHARS) this.flush();
  }
  flush(): void {
    if (this.buffer.length === 0) return;
    const bytes = Buffer.from(this.buffer.join(''), 'utf8');
    this.hash.update(bytes);
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd, bytes, off);
    this.buffer = [];
    this.chars = 0;
  }
  close(): string {
    this.flush();
    closeSync(this.fd);
    return this.hash.digest('hex');
  }
  abandon(): void {
    try { closeSync(this.fd); } catch { /* already closed */ }
    try { unlinkSync(this.path); } catch { /* gone */ }
  }
}

class Masker {
  readonly byDetector: Partial<Record<DetectorId, number>> = {};
  replaced = 0;
  private readonly pseudonyms: Pseudonymiser | null;
  constructor(readonly scanner: PiiScanner, options: ExportMaskedOptions) {
    this.pseudonyms = options.mode === 'pseudonym' ? new Pseudonymiser(options.key) : null;
  }
  mask(text: string, hints: ColumnHints): string {
    const matches = this.scanner.scan(text, hints);
    if (matches.length === 0) return text;
    let out = '';
    let at = 0;
    for (const m of matches) {
      const value = text.slice(m.start, m.end);
      out += text.slice(at, m.start) + (this.pseudonyms ? this.pseudonyms.token(m.detector, value) : redaction(m.detector));
      at = m.end;
      this.replaced++;
      this.byDetector[m.detector] = (this.byDetector[m.detector] ?? 0) + 1;
    }
    return out + text.slice(at);
  }
  /** Masks a cell; numbers long enough to be identifiers are checked as text. */
  cell(v: Cell, hints: ColumnHints): Cell {
    if (typeof v === 'string') return this.mask(v, hints);
    if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) >= 1e6) {
      const s = String(v);
      const m = this.mask(s, hints);
      return m === s ? v : m;
    }
    return v;
  }
}

function csvField(v: Cell, delimiter: string): string {
  if (v === null) return '';
  const s = String(v);
  if (s.includes(delimiter) || s.includes('"') || s.includes('\n') || s.includes('\r') || /^\s|\s$/.test(s)) return `"${s.replace(/"/g, '""')}"`;
  return s;
}

async function detect(path: string): Promise<FormatId> {
  const source = await FileSource.open(path);
  try {
    return (await detectFormat(source)).format;
  } finally {
    await source.close();
  }
}

export async function exportMasked(inPath: string, outPath: string, options: ExportMaskedOptions): Promise<ExportMaskedResult> {
  if (resolve(inPath) === resolve(outPath)) throw new Error('the masked export must not overwrite its input');
  if (existsSync(outPath)) throw new Error(`${outPath} already exists`);
  const st = await stat(inPath);
  if (st.isDirectory()) throw new Error('masked export applies to tabular datasets (CSV, TSV, JSON Lines, JSON, Parquet), not image folders');
  if (!st.isFile()) throw new Error(`${inPath} is not a regular file`);
  const detectors = options.detectors === 'all' ? DETECTOR_IDS : options.detectors;
  const scanner = new PiiScanner({ detectors: new Set(detectors), ...(options.phoneRegion ? { phoneRegion: options.phoneRegion } : {}) });
  const masker = new Masker(scanner, options);
  const exclude = new Set(options.excludeRows ?? []);
  const format = await detect(inPath);
  const partial = `${outPath}.partial`;
  const out = new Output(partial);
  try {
    let result: Omit<ExportMaskedResult, 'outputSha256' | 'replaced' | 'byDetector'>;
    if (format === 'jsonl' || format === 'json') {
      result = await exportJson(inPath, out, masker, exclude, format, options);
    } else if (format === 'csv' || format === 'tsv' || format === 'text' || format === 'parquet') {
      result = await exportTable(inPath, out, masker, exclude, format, options);
    } else {
      throw new Error(`content is ${format}, not a tabular dataset format`);
    }
    const outputSha256 = out.close();
    renameSync(partial, outPath);
    return { ...result, replaced: masker.replaced, byDetector: masker.byDetector, outputSha256 };
  } catch (e) {
    out.abandon();
    throw e;
  }
}

async function exportTable(inPath: string, out: Output, masker: Masker, exclude: ReadonlySet<number>, format: FormatId, options: ExportMaskedOptions) {
  const open = (): TableReader => (format === 'parquet' ? new ParquetReader(inPath) : new CsvReader(inPath, { tsv: format === 'tsv' }));
  const sample = await sampleRows(open(), SAMPLE_ROWS);
  const roles = decideRoles(sample.names, sample.rows);
  const hints: ColumnHints[] = [];
  let names: string[] = [];
  const hintFor = (i: number) => {
    while (hints.length <= i) {
      const k = hints.length;
      hints.push(masker.scanner.columnHints({ name: names[k] ?? '', valuesLookLikeNames: roles.personNameColumns.has(k) && sample.names[k] === names[k] }));
    }
    return hints[i]!;
  };
  let rows = 0;
  let excluded = 0;
  const asJsonl = format === 'parquet';
  const reader = open();
  let delimiter = ',';
  let header = false;
  if (reader instanceof CsvReader) {
    const sniff = await reader.sniff();
    delimiter = sniff.delimiter;
    header = sniff.hasHeader;
  }
  let headerWritten = false;
  const writeHeader = () => {
    if (headerWritten || asJsonl) return;
    headerWritten = true;
    if (header) out.write(`${names.map((n) => csvField(n, delimiter)).join(delimiter)}\n`);
  };
  const sink: TableSink = {
    columns: (n) => { names = [...n]; },
    problem: () => undefined,
    row: (cells, index) => {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('cancelled');
      writeHeader();
      if (exclude.has(index)) { excluded++; return; }
      const masked = cells.map((v, i) => masker.cell(v ?? null, hintFor(i)));
      if (asJsonl) {
        const obj: Record<string, Cell> = {};
        masked.forEach((v, i) => { obj[names[i] ?? `column_${i + 1}`] = v; });
        out.write(`${JSON.stringify(obj)}\n`);
      } else {
        out.write(`${masked.map((v) => csvField(v, delimiter)).join(delimiter)}\n`);
      }
      rows++;
    },
  };
  const summary = await reader.read(sink, { ...(options.signal ? { signal: options.signal } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
  writeHeader();
  const fmt: ExportMaskedResult['format'] = asJsonl ? 'jsonl' : summary.format === 'tsv' ? 'tsv' : 'csv';
  return { rows, excluded, format: fmt, inputSha256: summary.sha256 };
}

async function exportJson(inPath: string, out: Output, masker: Masker, exclude: ReadonlySet<number>, format: 'jsonl' | 'json', options: ExportMaskedOptions) {
  const enc = sniffEncoding(await readHead(inPath, 4));
  const file = await readFileChunks(inPath, { ...(options.signal ? { signal: options.signal } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
  const decoder = new ChunkDecoder(enc);
  const hints = new Map<string, ColumnHints>();
  const hintFor = (path: string) => {
    let h = hints.get(path);
    if (!h) { h = masker.scanner.columnHints({ name: path }); hints.set(path, h); }
    return h;
  };
  const walk = (v: unknown, path: string): unknown => {
    if (typeof v === 'string' || typeof v === 'number') return masker.cell(v, hintFor(path));
    if (Array.isArray(v)) return v.map((x) => walk(x, path));
    if (v !== null && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) o[k] = walk(x, path ? `${path}.${k}` : k);
      return o;
    }
    return v;
  };
  let index = 0;
  let rows = 0;
  let excluded = 0;
  let first = true;
  const emit = (text: string): void => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return; // unparseable records are not copied (the scan reports them)
    }
    const i = index++;
    if (exclude.has(i)) { excluded++; return; }
    const masked = JSON.stringify(walk(value, ''));
    if (format === 'jsonl') out.write(`${masked}\n`);
    else { out.write(`${first ? '[\n' : ',\n'}${masked}`); first = false; }
    rows++;
  };
  if (format === 'jsonl') {
    let pending = '';
    const feed = (text: string) => {
      const parts = (pending + text).split('\n');
      pending = parts.pop() ?? '';
      // A line longer than the scan's record limit is not copied (the scan reports it).
      if (pending.length > 16 * 1024 * 1024) pending = '';
      for (const line of parts) if (line.trim() !== '') emit(line);
    };
    for await (const chunk of file.chunks) feed(decoder.decode(chunk));
    feed(decoder.end());
    if (pending.trim() !== '') emit(pending);
  } else {
    const splitter = new ArrayElementSplitter((t) => { if (t !== null) emit(t); }, 16 * 1024 * 1024);
    for await (const chunk of file.chunks) if (!splitter.done) splitter.push(decoder.decode(chunk));
    splitter.push(decoder.end());
    out.write(first ? '[]\n' : '\n]\n');
  }
  return { rows, excluded, format, inputSha256: file.digest() };
}
