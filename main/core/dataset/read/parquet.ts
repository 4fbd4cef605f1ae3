// Parquet through hyparquet, one row group at a time. Every decompressor is wrapped so that a
// page header claiming a huge uncompressed size is refused before anything is allocated, and
// row groups whose declared size exceeds the budget are skipped and reported.
import { parquetMetadataAsync, parquetRead, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { compressors as baseCompressors } from 'hyparquet-compressors';
import { sha256File } from '../../intake/hash.ts';
import { FileSource, MAX_SINGLE_READ } from '../../io/byte-source.ts';
import { RecordFlattener } from './flatten.ts';
import { DEFAULT_READ_LIMITS, type ReadLimits, type ReadOptions, type ReadSummary, type TableReader, type TableSink } from './types.ts';

/** Largest decompressed page accepted. */
export const MAX_PAGE_BYTES = 256 * 1024 * 1024;
/** Largest row group (declared uncompressed size) decoded at once. */
export const MAX_ROW_GROUP_BYTES = 1024 * 1024 * 1024;

type Decompressor = (input: Uint8Array, outputLength: number) => Uint8Array;

function guarded(): Record<string, Decompressor> {
  const out: Record<string, Decompressor> = {};
  for (const [codec, fn] of Object.entries(baseCompressors)) {
    if (!fn) continue;
    const inner = fn as Decompressor;
    out[codec] = (input, outputLength) => {
      if (!Number.isSafeInteger(outputLength) || outputLength < 0 || outputLength > MAX_PAGE_BYTES) {
        throw new Error(`a ${codec} page claims ${outputLength} bytes uncompressed (limit ${MAX_PAGE_BYTES})`);
      }
      return inner(input, outputLength);
    };
  }
  return out;
}

function fileBuffer(source: FileSource): AsyncBuffer {
  return {
    byteLength: source.size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = Math.min(end ?? source.size, source.size);
      const from = Math.max(0, Math.min(start, stop));
      const length = stop - from;
      if (length > MAX_SINGLE_READ) throw new Error(`parquet read of ${length} bytes exceeds the ${MAX_SINGLE_READ}-byte limit`);
      const bytes = await source.read(from, length);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}

export class ParquetReader implements TableReader {
  constructor(private readonly path: string, private readonly limits: ReadLimits = DEFAULT_READ_LIMITS) {}

  async read(sink: TableSink, options: ReadOptions): Promise<ReadSummary> {
    const digest = await sha256File(this.path, options.signal ? { signal: options.signal } : {});
    const source = await FileSource.open(this.path);
    try {
      const file = fileBuffer(source);
      const metadata: FileMetaData = await parquetMetadataAsync(file);
      const compressors = guarded();
      const flattener = new RecordFlattener(sink, this.limits);
      let rows = 0;
      let done = 0;
      for (let g = 0; g < metadata.row_groups.length; g++) {
        if (options.signal?.aborted) throw options.signal.reason ?? new Error('cancelled');
        const group = metadata.row_groups[g]!;
        const groupRows = Number(group.num_rows);
        const start = done;
        done += groupRows;
        const declared = Number(group.total_byte_size);
        const compressed = group.columns.reduce((s, c) => s + Number(c.meta_data?.total_compressed_size ?? 0n), 0);
        if (declared > MAX_ROW_GROUP_BYTES || compressed > source.size) {
          sink.problem({ kind: 'limit', detail: `row group ${g} declares ${declared} bytes (${groupRows} rows); skipped` });
          rows += groupRows;
          continue;
        }
        let records: Record<string, unknown>[] = [];
        await parquetRead({
          file, metadata, compressors, rowStart: start, rowEnd: start + groupRows, rowFormat: 'object',
          onComplete: (r: Record<string, unknown>[]) => { records = r; },
        });
        for (const record of records) {
          sink.row(flattener.cells(record), rows);
          rows++;
        }
        options.onProgress?.(Math.round((source.size * done) / Math.max(1, Number(metadata.num_rows))), source.size);
      }
      if (flattener.columnNames.length === 0) sink.columns([]);
      return {
        format: 'parquet',
        detail: `Parquet, ${metadata.row_groups.length} row group${metadata.row_groups.length === 1 ? '' : 's'}${metadata.created_by ? `, written by ${metadata.created_by.slice(0, 80)}` : ''}`,
        rows,
        size: source.size,
        sha256: digest.sha256,
      };
    } finally {
      await source.close();
    }
  }
}
