// A JSON document whose top level is an array of records, streamed element by element: a
// small scanner finds where each element ends (strings, escapes, nesting) and only that
// element is parsed. A document with an object at the top holding one array of records
// (`{"data": [...]}`) is read the same way from that array.
import { readFileChunks, readHead } from './file-chunks.ts';
import { RecordFlattener } from './flatten.ts';
import { ChunkDecoder, sniffEncoding } from './text-decode.ts';
import { DEFAULT_READ_LIMITS, type ReadLimits, type ReadOptions, type ReadSummary, type TableReader, type TableSink } from './types.ts';

/** Splits the elements of the first array found at depth 0 or 1 out of a character stream. */
export class ArrayElementSplitter {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Nesting depth at which the records array opened; -1 before it is found. */
  private arrayDepth = -1;
  private finished = false;
  private element = '';
  private capturing = false;
  private tooLong = false;
  constructor(private readonly onElement: (text: string | null) => void, private readonly maxChars: number) {}

  get done(): boolean {
    return this.finished;
  }

  push(text: string): void {
    let segStart = this.capturing ? 0 : -1;
    for (let i = 0; i < text.length && !this.finished; i++) {
      const c = text.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 92) this.escaped = true;
        else if (c === 34) this.inString = false;
        continue;
      }
      // Any significant character at element level starts an element.
      if (this.arrayDepth >= 0 && this.depth === this.arrayDepth + 1 && !this.capturing && c > 32 && c !== 44 && c !== 93) {
        this.capturing = true;
        segStart = i;
      }
      if (c === 34) { this.inString = true; continue; }
      if (c === 91 || c === 123) { // [ {
        if (this.arrayDepth < 0 && c === 91 && this.depth <= 1) {
          this.arrayDepth = this.depth;
        }
        this.depth++;
        continue;
      }
      if (c === 93 || c === 125) { // ] }
        this.depth--;
        if (this.arrayDepth >= 0 && this.depth === this.arrayDepth) {
          if (this.capturing) segStart = this.flush(text, segStart, i);
          this.finished = true;
        }
        continue;
      }
      if (c === 44 && this.capturing && this.depth === this.arrayDepth + 1) segStart = this.flush(text, segStart, i);
    }
    if (this.capturing && segStart >= 0) this.append(text.slice(segStart));
  }

  private append(piece: string): void {
    if (this.tooLong) return;
    this.element += piece;
    if (this.element.length > this.maxChars) {
      this.tooLong = true;
      this.element = '';
    }
  }

  private flush(text: string, segStart: number, end: number): number {
    this.append(text.slice(Math.max(segStart, 0), end));
    this.onElement(this.tooLong ? null : this.element);
    this.element = '';
    this.tooLong = false;
    this.capturing = false;
    return -1;
  }
}

export class JsonArrayReader implements TableReader {
  constructor(private readonly path: string, private readonly limits: ReadLimits = DEFAULT_READ_LIMITS) {}

  async read(sink: TableSink, options: ReadOptions): Promise<ReadSummary> {
    const enc = sniffEncoding(await readHead(this.path, 4));
    const file = await readFileChunks(this.path, options);
    const decoder = new ChunkDecoder(enc);
    const flattener = new RecordFlattener(sink, this.limits);
    let rows = 0;
    let element = 0;
    const splitter = new ArrayElementSplitter((text) => {
      element++;
      if (text === null) {
        sink.problem({ kind: 'malformed', detail: `array element ${element} is longer than ${this.limits.maxRecordChars} characters and was skipped` });
        return;
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        sink.problem({ kind: 'malformed', detail: `array element ${element} is not valid JSON` });
        return;
      }
      sink.row(flattener.cells(value), rows);
      rows++;
    }, this.limits.maxRecordChars);
    for await (const chunk of file.chunks) {
      if (!splitter.done) splitter.push(decoder.decode(chunk));
    }
    if (!splitter.done) {
      splitter.push(decoder.end());
      if (!splitter.done) sink.problem({ kind: 'malformed', detail: rows === 0 ? 'no array of records found in the JSON document' : 'the JSON array is not closed (file truncated?)' });
    }
    if (flattener.columnNames.length === 0) sink.columns([]);
    return {
      format: 'json',
      detail: `JSON array of records, ${enc.encoding.toUpperCase()}`,
      encoding: enc.encoding,
      rows,
      size: file.size,
      sha256: file.digest(),
    };
  }
}
