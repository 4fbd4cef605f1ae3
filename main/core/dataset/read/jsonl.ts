// JSON Lines: one value per line; a line that does not parse is skipped and reported.
import { readFileChunks, readHead } from './file-chunks.ts';
import { RecordFlattener } from './flatten.ts';
import { ChunkDecoder, sniffEncoding } from './text-decode.ts';
import { DEFAULT_READ_LIMITS, type ReadLimits, type ReadOptions, type ReadSummary, type TableReader, type TableSink } from './types.ts';

export class JsonlReader implements TableReader {
  constructor(private readonly path: string, private readonly limits: ReadLimits = DEFAULT_READ_LIMITS) {}

  async read(sink: TableSink, options: ReadOptions): Promise<ReadSummary> {
    const enc = sniffEncoding(await readHead(this.path, 4));
    const file = await readFileChunks(this.path, options);
    const decoder = new ChunkDecoder(enc);
    const flattener = new RecordFlattener(sink, this.limits);
    let rows = 0;
    let line = 0;
    let pending = '';
    let oversized = false;

    const handleLine = (text: string): void => {
      line++;
      if (text.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        sink.problem({ kind: 'malformed', line, detail: 'line is not valid JSON' });
        return;
      }
      sink.row(flattener.cells(value), rows);
      rows++;
    };

    const feed = (text: string): void => {
      let start = 0;
      for (;;) {
        const nl = text.indexOf('\n', start);
        if (nl < 0) break;
        const piece = text.slice(start, nl);
        if (oversized) {
          oversized = false;
          line++;
        } else {
          handleLine(pending.length > 0 ? pending + piece : piece);
        }
        pending = '';
        start = nl + 1;
      }
      if (!oversized) pending += text.slice(start);
      if (pending.length > this.limits.maxRecordChars) {
        sink.problem({ kind: 'malformed', line: line + 1, detail: `line longer than ${this.limits.maxRecordChars} characters was skipped` });
        pending = '';
        oversized = true;
      }
    };

    for await (const chunk of file.chunks) feed(decoder.decode(chunk));
    feed(decoder.end());
    if (!oversized && pending.length > 0) handleLine(pending);
    if (rows === 0 && flattener.columnNames.length === 0) sink.columns([]);
    return {
      format: 'jsonl',
      detail: `JSON Lines, ${enc.encoding.toUpperCase()}`,
      encoding: enc.encoding,
      rows,
      size: file.size,
      sha256: file.digest(),
    };
  }
}
