// Deterministic zip writing with yazl: entries in the order added, one fixed DOS timestamp
// (local-time fields, so the bytes do not depend on the time zone), fixed permissions, no
// extended-timestamp fields, deflate at a fixed level. Equal inputs give equal bytes.
import { PassThrough, Readable, type Writable } from 'node:stream';
import { ZipFile } from 'yazl';

/** 2000-01-01 00:00:00 in DOS fields. */
const FIXED_MTIME = new Date(2000, 0, 1, 0, 0, 0);
const FILE_MODE = 0o100644;
const LEVEL = 6;

export type LazyContent = () => Promise<Uint8Array>;

export class DeterministicZip {
  private readonly zip = new ZipFile();

  addBytes(name: string, bytes: Uint8Array): void {
    this.zip.addBuffer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), name, {
      mtime: FIXED_MTIME, mode: FILE_MODE, compress: true, compressionLevel: LEVEL, forceDosTimestamp: true,
    });
  }

  /** A stream entry (large model files); `size` lets yazl write sizes up front. */
  addStream(name: string, stream: Readable, size?: number): void {
    this.zip.addReadStream(stream, name, {
      mtime: FIXED_MTIME, mode: FILE_MODE, compress: true, compressionLevel: LEVEL, forceDosTimestamp: true,
      ...(size !== undefined ? { size } : {}),
    });
  }

  /** An entry whose content is computed only when every entry before it has been written. */
  addLazy(name: string, content: LazyContent): void {
    this.zip.addReadStreamLazy(name, {
      mtime: FIXED_MTIME, mode: FILE_MODE, compress: true, compressionLevel: LEVEL, forceDosTimestamp: true,
    }, (cb) => {
      content().then(
        (bytes) => cb(null, Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)])),
        (err: unknown) => {
          const s = new PassThrough();
          cb(null, s);
          s.destroy(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  /** Finishes the zip into `sink`; resolves when everything has been written. */
  pipeTo(sink: Writable): Promise<void> {
    return new Promise((resolve, reject) => {
      const out = this.zip.outputStream;
      out.on('error', reject);
      sink.on('error', reject);
      sink.on('finish', () => resolve());
      out.pipe(sink);
      this.zip.end({ forceZip64Format: false, comment: '' });
    });
  }

  async toBuffer(): Promise<Buffer> {
    return collect((sink) => this.pipeTo(sink));
  }
}

/** Runs a writer into an in-memory sink and returns everything it wrote. */
export async function collect(write: (sink: Writable) => Promise<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  const ended = new Promise<void>((resolve, reject) => {
    sink.on('data', (c: Buffer) => chunks.push(c));
    sink.on('end', resolve);
    sink.on('error', reject);
  });
  await write(sink);
  await ended;
  return Buffer.concat(chunks);
}
