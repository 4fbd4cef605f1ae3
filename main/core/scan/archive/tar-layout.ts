// Tolerant reading of tar headers (v7, ustar, GNU long names, pax extended headers) by offset,
// so member bodies are never read unless someone scans them, and a tar inside a compressed
// stream is walked strictly forward. Entries are yielded as they are found; header problems
// become issues and end the walk where a strict reader would stop.
import type { ByteSource } from '../../io/byte-source.ts';
import type { BudgetTracker } from '../types.ts';
import { allZero, decodeName, latin1, startsWithBytes } from './bytes.ts';
import type { ArchiveIssue } from './issues.ts';

const BLOCK = 512;
/** Extended headers (pax records, GNU long names) larger than this are not believed. */
const MAX_META = 1024 * 1024;

export interface TarEntry {
  index: number;
  /** The name a pax-aware reader uses. */
  name: string;
  /** Offset of the member's (first) header. */
  headerOffset: number;
  /** Type flag as a character; '0' for regular files (including the old NUL flag). */
  type: string;
  dataOffset: number;
  /** Bytes of data available in the file (less than declared when truncated). */
  size: number;
  linkName: string;
  mode: number;
  /** Stored as a sparse file: the data is not the file's content. */
  sparse: boolean;
}

export const TAR_TYPE_NAMES: Readonly<Record<string, string>> = {
  '0': 'regular file', '1': 'hard link', '2': 'symbolic link', '3': 'character device', '4': 'block device',
  '5': 'directory', '6': 'named pipe', '7': 'contiguous file', S: 'sparse file', V: 'volume label',
  M: 'multi-volume continuation', D: 'directory dump', N: 'old long name',
};

export interface TarWalk {
  issues: ArchiveIssue[];
  /** Byte regions skipped while resynchronising after a damaged header (lenient readers may read them). */
  unparsed: { offset: number; length: number }[];
  /** Offset where the archive ends: after the end marker, or where the data ran out. */
  end: number;
}

function cstring(b: Uint8Array): string {
  const nul = b.indexOf(0);
  return decodeName(nul >= 0 ? b.subarray(0, nul) : b);
}

/** Octal (NUL/space terminated) or GNU base-256 numeric field; null when unparseable or negative. */
export function tarNumber(b: Uint8Array): number | null {
  if (b.length === 0) return null;
  if (b[0]! & 0x80) {
    if (b[0] === 0xff) return null; // negative base-256
    let v = b[0]! & 0x7f;
    for (let i = 1; i < b.length; i++) {
      v = v * 256 + b[i]!;
      if (v > Number.MAX_SAFE_INTEGER) return null;
    }
    return v;
  }
  const text = latin1(b).replace(/\0.*$/s, '').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return null;
  const v = parseInt(text, 8);
  return Number.isSafeInteger(v) ? v : null;
}

function checksumMatches(h: Uint8Array): boolean {
  const stored = tarNumber(h.subarray(148, 156));
  if (stored === null) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : h[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

/** pax records: "<length> <key>=<value>\n", length counting the whole record. */
export function parsePax(b: Uint8Array): Map<string, string> | null {
  const out = new Map<string, string>();
  const text = new TextDecoder('utf-8', { fatal: false }).decode(b);
  let p = 0;
  while (p < text.length) {
    if (text.charCodeAt(p) === 0) break; // NUL padding
    const sp = text.indexOf(' ', p);
    if (sp < 0 || sp - p > 20) return null;
    const len = Number(text.slice(p, sp));
    if (!Number.isSafeInteger(len) || len <= sp - p + 1 || p + len > text.length + 8) return null;
    const record = text.slice(sp + 1, p + len);
    const eq = record.indexOf('=');
    if (eq < 0 || !record.endsWith('\n')) return null;
    out.set(record.slice(0, eq), record.slice(eq + 1, -1));
    p += len;
  }
  return out;
}

const RESYNC_CHUNK = 1024 * 1024;

/** Ends the walk at a header that cannot be followed: what lies after it is one unparsed region. */
function stopAfterHeader(walk: TarWalk, off: number, size: number): void {
  if (off + BLOCK < size) walk.unparsed.push({ offset: off + BLOCK, length: size - off - BLOCK });
  walk.end = size;
}

/** The offset of the next 512-byte block at or after `from` that is a header with a valid checksum. */
async function nextValidHeader(src: ByteSource, from: number, budget: BudgetTracker): Promise<number | null> {
  for (let at = from; at + BLOCK <= src.size; ) {
    budget.checkTime();
    const chunk = await src.read(at, Math.min(RESYNC_CHUNK, src.size - at));
    for (let p = 0; p + BLOCK <= chunk.length; p += BLOCK) {
      const block = chunk.subarray(p, p + BLOCK);
      if (!allZero(block) && checksumMatches(block)) return at + p;
    }
    at += chunk.length - (chunk.length % BLOCK);
    if (chunk.length < BLOCK) break;
  }
  return null;
}

/** Yields the members of a tar archive in order; `walk` receives issues and the end position. */
export async function* readTarEntries(src: ByteSource, budget: BudgetTracker, walk: TarWalk): AsyncGenerator<TarEntry> {
  const globals = new Map<string, string>();
  let pax = new Map<string, string>();
  let longName: string | null = null;
  let longLink: string | null = null;
  let off = 0;
  let index = 0;
  const issue = (i: ArchiveIssue) => walk.issues.push(i);

  while (off < src.size) {
    budget.checkTime();
    const h = await src.read(off, Math.min(BLOCK, src.size - off));
    if (h.length < BLOCK) {
      if (!allZero(h)) issue({ ruleId: 'scan.archive.malformed-header', byteOffset: off, message: `the archive ends inside a header (${h.length} of 512 bytes)` });
      walk.end = src.size;
      return;
    }
    if (allZero(h)) {
      walk.end = Math.min(src.size, off + 2 * BLOCK);
      return;
    }
    if (!checksumMatches(h)) {
      // Strict readers stop here; GNU tar skips to the next valid header and reads on. So do we.
      const next = await nextValidHeader(src, off + BLOCK, budget);
      issue({ ruleId: 'scan.archive.malformed-header', byteOffset: off, message: `the tar header at ${off} fails its checksum; strict readers stop here, lenient ones ${next === null ? 'find nothing after it' : `resume at the next valid header (${next})`}` });
      const resume = next ?? src.size;
      if (resume > off + BLOCK) walk.unparsed.push({ offset: off + BLOCK, length: resume - off - BLOCK });
      pax = new Map();
      longName = null;
      longLink = null;
      off = resume;
      continue;
    }
    const ustar = startsWithBytes(h, [0x75, 0x73, 0x74, 0x61, 0x72, 0x00], 257); // "ustar\0": POSIX, has a prefix field
    const headerName = cstring(h.subarray(0, 100));
    const prefix = ustar ? cstring(h.subarray(345, 500)) : '';
    const rawType = String.fromCharCode(h[156]!);
    const type = rawType === '\0' ? '0' : rawType;
    const declared = tarNumber(h.subarray(124, 136));
    if (declared === null) {
      issue({ ruleId: 'scan.archive.malformed-header', byteOffset: off, message: `the size field of the tar header at ${off} cannot be parsed; the rest of the archive was scanned as one unit` });
      stopAfterHeader(walk, off, src.size);
      return;
    }
    const dataOffset = off + BLOCK;
    const metaType = type === 'x' || type === 'g' || type === 'L' || type === 'K';
    let size = declared;
    if (!metaType && pax.has('size')) {
      const paxSize = Number(pax.get('size'));
      if (Number.isSafeInteger(paxSize) && paxSize >= 0) {
        if (paxSize !== declared && declared !== 0) {
          issue({ ruleId: 'scan.archive.header-mismatch', byteOffset: off, message: `${headerName}: the pax header gives ${paxSize} bytes, the tar header ${declared}; readers without pax support read other content`, evidence: { member: headerName } });
        }
        size = paxSize;
      }
    }
    const available = Math.max(0, Math.min(size, src.size - dataOffset));
    const next = dataOffset + Math.ceil(size / BLOCK) * BLOCK;

    if (metaType) {
      if (size > MAX_META) {
        issue({ ruleId: 'scan.archive.malformed-header', byteOffset: off, message: `an extended header of ${size} bytes at ${off} is too large to be genuine; the rest of the archive was scanned as one unit` });
        stopAfterHeader(walk, off, src.size);
        return;
      }
      const data = await src.read(dataOffset, available);
      if (type === 'L') longName = cstring(data);
      else if (type === 'K') longLink = cstring(data);
      else {
        const records = parsePax(data);
        if (!records) {
          issue({ ruleId: 'scan.archive.malformed-header', byteOffset: off, message: `the pax extended header at ${off} does not parse` });
        } else if (type === 'g') {
          for (const [k, v] of records) globals.set(k, v);
        } else {
          pax = records;
        }
      }
      off = next;
      continue;
    }

    const ustarName = prefix ? `${prefix}/${headerName}` : headerName;
    const paxPath = pax.get('path') ?? globals.get('path') ?? null;
    const name = paxPath ?? longName ?? ustarName;
    const shownBy = paxPath !== null ? 'pax header' : longName !== null ? 'GNU long-name header' : null;
    if (shownBy && ustarName !== '' && !name.startsWith(ustarName) && !name.endsWith(ustarName)) {
      issue({ ruleId: 'scan.archive.header-mismatch', byteOffset: off, message: `the ${shownBy} names this member ${JSON.stringify(name)} but its tar header says ${JSON.stringify(ustarName)}; older readers extract the latter`, evidence: { member: name, headerName: ustarName } });
    }
    const linkName = pax.get('linkpath') ?? longLink ?? cstring(h.subarray(157, 257));
    const sparse = type === 'S' || [...pax.keys(), ...globals.keys()].some((k) => k.startsWith('GNU.sparse.'));
    yield {
      index: index++, name, headerOffset: off, type, dataOffset, size: available, linkName,
      mode: tarNumber(h.subarray(100, 108)) ?? 0, sparse,
    };
    pax = new Map();
    longName = null;
    longLink = null;
    if (dataOffset + size > src.size) {
      issue({ ruleId: 'scan.archive.data-outside-file', byteOffset: off, message: `${name}: declares ${size} bytes but the archive ends after ${available}`, evidence: { member: name } });
      walk.end = src.size;
      return;
    }
    off = next;
  }
  walk.end = Math.min(off, src.size);
}
