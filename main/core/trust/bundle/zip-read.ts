// Reads a zip that may be hostile, entirely in memory (or through a ByteSource), never touching
// the disk: lists the central directory with yauzl, classifies unsafe structure (climbing or
// absolute names, duplicates, overlapping or oversized entries, encryption, links, names that
// differ between the central and local headers) and hashes every safe entry with SHA-256.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import type { ByteSource } from '../../io/byte-source.ts';

export const ZIP_PROBLEM_KINDS = [
  'traversal', 'absolute-path', 'bad-name', 'duplicate', 'bomb', 'overlap', 'encrypted', 'symlink', 'too-many-entries', 'malformed',
] as const;
export type ZipProblemKind = (typeof ZIP_PROBLEM_KINDS)[number];

export interface ZipProblem {
  kind: ZipProblemKind;
  entry: string | null;
  message: string;
}

export interface ZipMember {
  name: string;
  size: number;
  compressedSize: number;
  /** Null when the entry was not read (unsafe or unreadable). */
  sha256: string | null;
  /** Kept only for entries `keep` selected and within `maxKeptBytes`. */
  bytes: Buffer | null;
}

export interface ZipLimits {
  maxEntries: number;
  maxEntryBytes: number;
  maxTotalBytes: number;
  /** Compression ratio above which an entry over 1 MiB counts as a bomb. */
  maxRatio: number;
  /** Largest entry whose bytes are kept in memory for parsing. */
  maxKeptBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 200_000,
  maxEntryBytes: 64 * 1024 ** 3,
  maxTotalBytes: 256 * 1024 ** 3,
  maxRatio: 1000,
  maxKeptBytes: 256 * 1024 * 1024,
};

export interface ZipRead {
  members: ZipMember[];
  problems: ZipProblem[];
}

/** yauzl reader over a ByteSource, so large bundles need not be loaded whole. */
class SourceReader extends yauzl.RandomAccessReader {
  constructor(private readonly source: ByteSource) {
    super();
  }
  override _readStreamForRange(start: number, end: number): Readable {
    const source = this.source;
    let pos = start;
    return new Readable({
      read() {
        if (pos >= end) {
          this.push(null);
          return;
        }
        const n = Math.min(1024 * 1024, end - pos);
        source.read(pos, n).then((b) => {
          pos += b.length;
          this.push(b.length === 0 ? null : Buffer.from(b.buffer, b.byteOffset, b.byteLength));
        }, (e: Error) => this.destroy(e));
      },
    });
  }
}

function open(input: Uint8Array | ByteSource): Promise<ZipFile> {
  const opts = { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: false, strictFileNames: false };
  return new Promise((resolve, reject) => {
    const cb = (err: Error | null, zf?: ZipFile) => (err || !zf ? reject(err ?? new Error('no zip')) : resolve(zf));
    if (input instanceof Uint8Array) yauzl.fromBuffer(Buffer.from(input.buffer, input.byteOffset, input.byteLength), opts, cb);
    else yauzl.fromRandomAccessReader(new SourceReader(input), input.size, opts, cb);
  });
}

function listEntries(zf: ZipFile, max: number): Promise<{ entries: Entry[]; truncated: boolean; error: Error | null }> {
  return new Promise((resolve) => {
    const entries: Entry[] = [];
    let done = false;
    const finish = (truncated: boolean, error: Error | null) => {
      if (done) return;
      done = true;
      resolve({ entries, truncated, error });
    };
    zf.on('entry', (e: Entry) => {
      entries.push(e);
      if (entries.length >= max && entries.length < zf.entryCount) finish(true, null);
      else zf.readEntry();
    });
    zf.on('end', () => finish(false, null));
    zf.on('error', (err: Error) => finish(false, err));
    zf.readEntry();
  });
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function rawName(e: Entry): Buffer {
  return (e as unknown as { fileNameRaw: Buffer }).fileNameRaw ?? (e.fileName as unknown as Buffer);
}

function decodeName(e: Entry): { name: string; problem: string | null } {
  const raw = rawName(e);
  let name: string;
  try {
    name = UTF8.decode(raw);
  } catch {
    return { name: raw.toString('latin1'), problem: 'the name is not valid UTF-8' };
  }
  if (!(e.generalPurposeBitFlag & 0x800) && /[^\x20-\x7e]/.test(name)) {
    return { name, problem: 'a non-ASCII name without the UTF-8 flag is read differently by different tools' };
  }
  // Info-ZIP Unicode Path field: a second name some tools prefer over the header's.
  if (e.extraFields.some((f) => f.id === 0x7075)) return { name, problem: 'the entry carries a second (Unicode Path) name' };
  return { name, problem: null };
}

function nameProblem(name: string): { kind: ZipProblemKind; message: string } | null {
  if (name.includes('\\')) return { kind: 'bad-name', message: 'the name contains a backslash (a folder separator on Windows)' };
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return { kind: 'absolute-path', message: 'the name is an absolute path' };
  const parts = name.split('/');
  if (parts.includes('..')) return { kind: 'traversal', message: 'the name climbs out of its folder (`..`)' };
  if (/[\x00-\x1f\x7f]/.test(name)) return { kind: 'bad-name', message: 'the name contains control characters' };
  if (parts.some((p, i) => (p === '' && i < parts.length - 1) || p === '.')) return { kind: 'bad-name', message: 'the name has empty or `.` components' };
  return null;
}

function readEntry(zf: ZipFile, e: Entry, keep: boolean): Promise<{ sha256: string; bytes: Buffer | null }> {
  return new Promise((resolve, reject) => {
    zf.openReadStream(e, (err, stream) => {
      if (err || !stream) return reject(err ?? new Error('no stream'));
      const hash = createHash('sha256');
      const chunks: Buffer[] = [];
      let n = 0;
      stream.on('data', (c: Buffer) => {
        n += c.length;
        if (n > e.uncompressedSize) {
          stream.destroy(new Error('the entry inflates past its declared size'));
          return;
        }
        hash.update(c);
        if (keep) chunks.push(c);
      });
      stream.on('error', reject);
      stream.on('end', () => resolve({ sha256: hash.digest('hex'), bytes: keep ? Buffer.concat(chunks) : null }));
    });
  });
}

/**
 * Lists and hashes the zip. `keep(name)` selects entries whose bytes are returned. Never throws
 * for bad input: every defect is a problem, and unsafe entries are not read.
 */
export async function readZip(input: Uint8Array | ByteSource, keep: (name: string) => boolean, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<ZipRead> {
  const problems: ZipProblem[] = [];
  const members: ZipMember[] = [];
  let zf: ZipFile;
  try {
    zf = await open(input);
  } catch (e) {
    return { members, problems: [{ kind: 'malformed', entry: null, message: `not a readable zip (${(e as Error).message})` }] };
  }
  try {
    const { entries, truncated, error } = await listEntries(zf, limits.maxEntries);
    if (error) problems.push({ kind: 'malformed', entry: null, message: `the central directory is damaged (${error.message})` });
    if (truncated) problems.push({ kind: 'too-many-entries', entry: null, message: `the zip has more than ${limits.maxEntries} entries` });

    const seen = new Map<string, string>();
    const unsafe = new Set<Entry>();
    let declaredTotal = 0;
    const decoded = entries.map((e) => {
      const { name, problem } = decodeName(e);
      const flag = (kind: ZipProblemKind, message: string) => {
        problems.push({ kind, entry: name, message });
        unsafe.add(e);
      };
      if (problem) flag('bad-name', problem);
      const np = nameProblem(name);
      if (np) flag(np.kind, np.message);
      const folded = name.normalize('NFC').toLowerCase();
      const prior = seen.get(folded);
      if (prior !== undefined) flag('duplicate', prior === name ? 'the name appears more than once' : `the name differs from "${prior}" only by case or Unicode form`);
      else seen.set(folded, name);
      if (e.isEncrypted() || (e.generalPurposeBitFlag & 0x40) !== 0) flag('encrypted', 'the entry is encrypted');
      if (((e.externalFileAttributes >>> 16) & 0o170000) === 0o120000) flag('symlink', 'the entry is a symbolic link');
      if (e.compressionMethod !== 0 && e.compressionMethod !== 8) flag('malformed', `unsupported compression method ${e.compressionMethod}`);
      declaredTotal += e.uncompressedSize;
      if (e.uncompressedSize > limits.maxEntryBytes) flag('bomb', `the entry declares ${e.uncompressedSize} bytes, over the ${limits.maxEntryBytes}-byte limit`);
      else if (e.uncompressedSize > 1024 * 1024 && e.uncompressedSize > limits.maxRatio * Math.max(1, e.compressedSize)) {
        flag('bomb', `the entry inflates ${Math.round(e.uncompressedSize / Math.max(1, e.compressedSize))}-fold`);
      }
      return { e, name };
    });
    if (declaredTotal > limits.maxTotalBytes) problems.push({ kind: 'bomb', entry: null, message: `the entries declare ${declaredTotal} bytes in total, over the ${limits.maxTotalBytes}-byte limit` });

    // Local headers: the name must match the central directory, and entries must not overlap.
    const spans: { start: number; end: number; name: string }[] = [];
    for (const { e, name } of decoded) {
      try {
        const lh = await zf.readLocalFileHeaderPromise(e);
        if (!Buffer.from(lh.fileName).equals(rawName(e))) {
          problems.push({ kind: 'bad-name', entry: name, message: 'the local header names a different file than the central directory' });
          unsafe.add(e);
        }
        spans.push({ start: e.relativeOffsetOfLocalHeader, end: lh.fileDataStart + e.compressedSize, name });
      } catch (err) {
        problems.push({ kind: 'malformed', entry: name, message: `the local header cannot be read (${(err as Error).message})` });
        unsafe.add(e);
      }
    }
    spans.sort((a, b) => a.start - b.start);
    for (let i = 1; i < spans.length; i++) {
      if (spans[i]!.start < spans[i - 1]!.end) {
        problems.push({ kind: 'overlap', entry: spans[i]!.name, message: `the entry's data overlaps "${spans[i - 1]!.name}" (a zip bomb technique)` });
      }
    }
    if (problems.some((p) => p.kind === 'overlap' || (p.kind === 'bomb' && p.entry === null))) {
      for (const { e } of decoded) unsafe.add(e);
    }

    for (const { e, name } of decoded) {
      const member: ZipMember = { name, size: e.uncompressedSize, compressedSize: e.compressedSize, sha256: null, bytes: null };
      members.push(member);
      if (unsafe.has(e)) continue;
      try {
        const r = await readEntry(zf, e, keep(name) && e.uncompressedSize <= limits.maxKeptBytes);
        member.sha256 = r.sha256;
        member.bytes = r.bytes;
      } catch (err) {
        problems.push({ kind: 'malformed', entry: name, message: `the entry cannot be read (${(err as Error).message})` });
      }
    }
  } finally {
    zf.close();
  }
  return { members, problems };
}
