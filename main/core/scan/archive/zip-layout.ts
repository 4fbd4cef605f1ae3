// Tolerant reading of a zip's structure: end records, central directory, every local header,
// the byte span of each member, and the bytes no member accounts for. Nothing is decompressed
// here; every contradiction between records becomes an issue instead of an exception.
import { crc32 } from 'node:zlib';
import type { ByteSource } from '../../io/byte-source.ts';
import type { BudgetTracker } from '../types.ts';
import { allZero, bytesEqual, decodeName, u32, u64 } from './bytes.ts';
import type { ArchiveIssue } from './issues.ts';
import {
  applyZip64, CENTRAL_SIZE, decodeCentralHeader, decodeEndRecord, decodeExtras, decodeLocalHeader, decodeZip64EndRecord,
  decodeZip64Locator, EOCD_SIZE, FLAG_DESCRIPTOR, FLAG_ENCRYPTED, LOCAL_SIZE, SIG_CENTRAL, SIG_DESCRIPTOR, SIG_LOCAL,
  ZIP64_LOCATOR_SIZE, type CentralHeader, type EndRecord, type Zip64EndRecord,
} from './zip-records.ts';

/** The central directory is read whole; past this it is cut (and reported). */
const MAX_DIRECTORY_BYTES = 64 * 1024 * 1024;
/** Entries listed at most; more than this cannot be scanned within any sane budget anyway. */
export const MAX_LISTED_ENTRIES = 500_000;
/** Gaps up to this size are read to tell zero padding from content. */
const GAP_PROBE = 1024 * 1024;
/** Hidden local entries followed inside one gap at most. */
const MAX_HIDDEN_PER_GAP = 1000;

/** A member: the central header's fields (after ZIP64 extras), and what the layout learned. */
export interface ZipEntry extends Pick<CentralHeader,
  'versionMadeBy' | 'flags' | 'method' | 'crc32' | 'compressedSize' | 'uncompressedSize' | 'localHeaderOffset' | 'externalAttrs'> {
  index: number;
  name: string;
  nameBytes: Uint8Array;
  /** Offset of the header that lists the member (central directory, or local for hidden ones). */
  headerOffset: number;
  unicodeName: string | null;
  aesMethod: number | null;
  /** Where the data starts, once the local header was read; null when it could not be. */
  dataOffset: number | null;
  /** End of the member's bytes (data plus data descriptor). */
  spanEnd: number;
  /** The local header's own view, when it disagrees on method or compressed size. */
  localView: { name: string; method: number; compressedSize: number; uncompressedSize: number; crc32: number } | null;
  /** Listed by a local header only (no central directory, or hidden from it). */
  localOnly: boolean;
}

export interface ZipGap {
  offset: number;
  length: number;
}

export interface ZipLayout {
  entries: ZipEntry[];
  /** Local entries found between members but absent from the central directory. */
  hidden: ZipEntry[];
  /** Non-zero byte regions that belong to no member or record. */
  gaps: ZipGap[];
  issues: ArchiveIssue[];
  /** The central directory listed more entries than Assay lists. */
  truncated: boolean;
}

interface EndInfo {
  at: number;
  rec: EndRecord;
  z64: Zip64EndRecord | null;
  z64At: number | null;
  entries: number;
  cdSize: number;
  cdOffset: number;
}

export async function readZipLayout(src: ByteSource, budget: BudgetTracker): Promise<ZipLayout> {
  const layout: ZipLayout = { entries: [], hidden: [], gaps: [], issues: [], truncated: false };
  const issue = (i: ArchiveIssue) => layout.issues.push(i);
  const end = await findEnd(src, issue);
  const regions: { start: number; end: number }[] = [];

  if (!end) {
    issue({ ruleId: 'scan.archive.malformed-directory', message: 'no end-of-central-directory record: members were listed from their local headers, as a streaming reader would' });
    layout.entries = await walkLocalHeaders(src, 0, src.size, budget, layout.issues, 0, MAX_LISTED_ENTRIES);
    for (const e of layout.entries) regions.push({ start: e.localHeaderOffset, end: e.spanEnd });
    layout.gaps = await findGaps(src, regions, layout, budget);
    return layout;
  }

  // Records after the directory: zip64 end record and locator, end record with its comment.
  const tailEnd = Math.min(src.size, end.at + EOCD_SIZE + end.rec.commentLength);
  regions.push({ start: end.at, end: tailEnd });
  if (end.z64 && end.z64At !== null) {
    regions.push({ start: end.z64At, end: Math.min(end.z64At + end.z64.length, src.size) });
    regions.push({ start: end.at - ZIP64_LOCATOR_SIZE, end: end.at });
  }
  if (end.at + EOCD_SIZE + end.rec.commentLength > src.size) {
    issue({ ruleId: 'scan.archive.malformed-directory', message: `the archive comment runs ${end.at + EOCD_SIZE + end.rec.commentLength - src.size} bytes past the end of the file (truncated archive)`, byteOffset: end.at });
  }

  // Where the directory really is: at its declared offset, or shifted by prepended bytes.
  const dirLimit = end.z64At ?? end.at;
  let shift = 0;
  let cdOffset = end.cdOffset;
  const sigAt = async (at: number) => at >= 0 && at + 4 <= src.size && u32(await src.read(at, 4), 0) === SIG_CENTRAL;
  if (end.entries > 0 && !(await sigAt(cdOffset))) {
    const expected = dirLimit - end.cdSize;
    if (expected !== cdOffset && (await sigAt(expected))) {
      shift = expected - cdOffset;
      cdOffset = expected;
      issue({
        ruleId: 'scan.archive.malformed-directory', byteOffset: end.at,
        message: `directory offsets are off by ${shift} bytes (content was ${shift > 0 ? 'prepended to' : 'removed from'} the archive); some readers compensate and some fail`,
        evidence: { shift },
      });
    } else {
      issue({ ruleId: 'scan.archive.malformed-directory', byteOffset: end.at, message: `no central directory at its declared offset ${end.cdOffset}; members were listed from their local headers` });
      layout.entries = await walkLocalHeaders(src, 0, dirLimit, budget, layout.issues, 0, MAX_LISTED_ENTRIES);
      for (const e of layout.entries) regions.push({ start: e.localHeaderOffset, end: e.spanEnd });
      layout.gaps = await findGaps(src, regions, layout, budget);
      return layout;
    }
  }
  if (cdOffset + end.cdSize > dirLimit) {
    issue({ ruleId: 'scan.archive.malformed-directory', byteOffset: end.at, message: `the central directory (${end.cdSize} bytes at ${cdOffset}) overlaps the end records or runs past the file` });
  }
  const cdLen = Math.max(0, Math.min(end.cdSize, src.size - Math.min(cdOffset, src.size), MAX_DIRECTORY_BYTES));
  if (end.cdSize > MAX_DIRECTORY_BYTES) {
    issue({ ruleId: 'scan.archive.malformed-directory', byteOffset: end.at, message: `the central directory declares ${end.cdSize} bytes; only the first ${MAX_DIRECTORY_BYTES} were read` });
  }
  const cd = cdOffset < src.size ? await src.read(cdOffset, cdLen) : new Uint8Array(0);
  regions.push({ start: cdOffset, end: cdOffset + cd.length });

  let p = 0;
  while (p < cd.length) {
    if (layout.entries.length >= MAX_LISTED_ENTRIES) { layout.truncated = true; break; }
    if (layout.entries.length % 1024 === 0) budget.checkTime();
    const h = decodeCentralHeader(cd, p);
    if (!h) {
      issue({ ruleId: 'scan.archive.malformed-directory', byteOffset: cdOffset + p, message: `central directory entry ${layout.entries.length} has no valid signature; ${cd.length - p} directory bytes were not understood` });
      break;
    }
    const nameEnd = p + CENTRAL_SIZE + h.nameLength;
    const extraEnd = nameEnd + h.extraLength;
    if (extraEnd + h.commentLength > cd.length) {
      issue({ ruleId: 'scan.archive.malformed-directory', byteOffset: cdOffset + p, message: `central directory entry ${layout.entries.length} runs past the end of the directory` });
      break;
    }
    const nameBytes = cd.slice(p + CENTRAL_SIZE, nameEnd);
    const extras = decodeExtras(cd.subarray(nameEnd, extraEnd), () => crc32(nameBytes));
    const z = applyZip64(extras.zip64, { uncompressedSize: h.uncompressedSize, compressedSize: h.compressedSize, localHeaderOffset: h.localHeaderOffset });
    const name = decodeName(nameBytes);
    if (extras.malformed || z.short) {
      issue({ ruleId: 'scan.archive.malformed-directory', byteOffset: cdOffset + p, message: `the extra fields of ${name} do not parse${z.short ? ' (zip64 sizes missing)' : ''}` });
    }
    if (h.diskStart !== 0 && h.diskStart !== 0xffff) {
      issue({ ruleId: 'scan.archive.malformed-directory', byteOffset: cdOffset + p, message: `${name} claims to start on disk ${h.diskStart} of a split archive` });
    }
    layout.entries.push({
      index: layout.entries.length, name, nameBytes, headerOffset: cdOffset + p, versionMadeBy: h.versionMadeBy, flags: h.flags,
      method: h.method, crc32: h.crc32, compressedSize: z.compressedSize, uncompressedSize: z.uncompressedSize,
      localHeaderOffset: (z.localHeaderOffset ?? h.localHeaderOffset) + shift, externalAttrs: h.externalAttrs,
      unicodeName: extras.unicodeName, aesMethod: extras.aesMethod, dataOffset: null, spanEnd: 0, localView: null, localOnly: false,
    });
    p = extraEnd + h.commentLength;
  }
  if (!layout.truncated && layout.entries.length !== end.entries) {
    issue({ ruleId: 'scan.archive.malformed-directory', byteOffset: end.at, message: `the end record announces ${end.entries} members but the directory lists ${layout.entries.length}`, evidence: { announced: end.entries, listed: layout.entries.length } });
  }
  if (end.rec.disk !== 0 || end.rec.cdDisk !== 0 || end.rec.entriesOnDisk !== end.rec.entries) {
    issue({ ruleId: 'scan.archive.malformed-directory', byteOffset: end.at, message: 'the end record describes a multi-disk (split) archive' });
  }

  for (const e of layout.entries) {
    if (e.index % 256 === 0) budget.checkTime();
    await readLocal(src, e, cdOffset, layout.issues);
    regions.push({ start: e.localHeaderOffset, end: e.dataOffset === null ? e.localHeaderOffset : e.spanEnd });
  }
  findOverlaps(layout.entries, layout.issues);
  layout.gaps = await findGaps(src, regions, layout, budget);
  return layout;
}

/** Finds the end record: the last signature whose fields are plausible, as most readers do. */
async function findEnd(src: ByteSource, issue: (i: ArchiveIssue) => void): Promise<EndInfo | null> {
  if (src.size < EOCD_SIZE) return null;
  const tailLen = Math.min(src.size, EOCD_SIZE + 0xffff + ZIP64_LOCATOR_SIZE);
  const tailStart = src.size - tailLen;
  const tail = await src.read(tailStart, tailLen);
  const found: EndInfo[] = [];
  let firstSeen: EndInfo | null = null;
  for (let i = tail.length - EOCD_SIZE; i >= 0 && found.length < 4; i--) {
    if (tail[i] !== 0x50 || tail[i + 1] !== 0x4b || tail[i + 2] !== 0x05 || tail[i + 3] !== 0x06) continue;
    const rec = decodeEndRecord(tail, i);
    if (!rec) continue;
    const at = tailStart + i;
    let info: EndInfo = { at, rec, z64: null, z64At: null, entries: rec.entries, cdSize: rec.cdSize, cdOffset: rec.cdOffset };
    const loc = i >= ZIP64_LOCATOR_SIZE ? decodeZip64Locator(tail, i - ZIP64_LOCATOR_SIZE) : null;
    if (loc) info = await withZip64(src, info, loc.recordOffset, issue);
    firstSeen ??= info;
    // A record whose directory would end after the record itself is a stray signature (in a comment, in data).
    if (info.cdOffset + info.cdSize <= (info.z64At ?? at)) found.push(info);
  }
  if (found.length === 0) return firstSeen;
  const chosen = found[0]!;
  if (found.length > 1) {
    issue({
      ruleId: 'scan.archive.malformed-directory', byteOffset: chosen.at,
      message: `${found.length} end-of-central-directory records (at ${found.map((f) => f.at).join(', ')}); readers that pick another one list other members`,
    });
  }
  return chosen;
}

async function withZip64(src: ByteSource, info: EndInfo, recordOffset: number, issue: (i: ArchiveIssue) => void): Promise<EndInfo> {
  const candidates = [recordOffset, info.at - ZIP64_LOCATOR_SIZE - 56];
  for (const off of candidates) {
    if (!Number.isSafeInteger(off) || off < 0 || off + 56 > src.size) continue;
    const z64 = decodeZip64EndRecord(await src.read(off, 56), 0);
    if (!z64) continue;
    if (off !== recordOffset) {
      issue({ ruleId: 'scan.archive.malformed-directory', byteOffset: info.at, message: `the zip64 locator points to ${recordOffset} but the zip64 end record is at ${off}` });
    }
    const pick = (narrow: number, wide: number, max: number, what: string) => {
      if (narrow !== max && narrow !== wide) {
        issue({ ruleId: 'scan.archive.malformed-directory', byteOffset: off, message: `the end record and the zip64 end record disagree on the ${what} (${narrow} vs ${wide})` });
      }
      return wide;
    };
    return {
      ...info, z64, z64At: off,
      entries: pick(info.rec.entries, z64.entries, 0xffff, 'member count'),
      cdSize: pick(info.rec.cdSize, z64.cdSize, 0xffffffff, 'directory size'),
      cdOffset: pick(info.rec.cdOffset, z64.cdOffset, 0xffffffff, 'directory offset'),
    };
  }
  issue({ ruleId: 'scan.archive.malformed-directory', byteOffset: info.at, message: 'a zip64 locator is present but its zip64 end record is missing' });
  return info;
}

/** Reads the local header of a listed entry, compares it with the directory, and fixes the member span. */
async function readLocal(src: ByteSource, e: ZipEntry, cdOffset: number, issues: ArchiveIssue[]): Promise<void> {
  const at = e.localHeaderOffset;
  if (at + LOCAL_SIZE > src.size) {
    issues.push({ ruleId: 'scan.archive.data-outside-file', byteOffset: e.headerOffset, message: `${e.name}: its local header offset ${at} lies outside the file (${src.size} bytes)` });
    return;
  }
  const guess = LOCAL_SIZE + e.nameBytes.length + 128;
  let buf = await src.read(at, Math.min(guess, src.size - at));
  const h = decodeLocalHeader(buf, 0);
  if (!h) {
    issues.push({ ruleId: 'scan.archive.malformed-header', byteOffset: at, message: `${e.name}: no local header signature at offset ${at}` });
    return;
  }
  const headerLen = LOCAL_SIZE + h.nameLength + h.extraLength;
  if (headerLen > buf.length) buf = await src.read(at, Math.min(headerLen, src.size - at));
  if (headerLen > buf.length) {
    issues.push({ ruleId: 'scan.archive.data-outside-file', byteOffset: at, message: `${e.name}: the local header runs past the end of the file` });
    return;
  }
  const localNameBytes = buf.subarray(LOCAL_SIZE, LOCAL_SIZE + h.nameLength);
  const extras = decodeExtras(buf.subarray(LOCAL_SIZE + h.nameLength, headerLen), () => crc32(localNameBytes));
  const z = applyZip64(extras.zip64, { uncompressedSize: h.uncompressedSize, compressedSize: h.compressedSize });
  e.dataOffset = at + headerLen;
  const dataEnd = e.dataOffset + e.compressedSize;

  const differs: string[] = [];
  const localName = decodeName(localNameBytes);
  if (!bytesEqual(localNameBytes, e.nameBytes)) differs.push(`name (local header says ${JSON.stringify(localName)})`);
  if (h.method !== e.method) differs.push(`method (${h.method} vs ${e.method})`);
  if ((h.flags & FLAG_ENCRYPTED) !== (e.flags & FLAG_ENCRYPTED)) differs.push('encryption flag');
  // With a data descriptor (flag bit 3) the local header may leave any of these zero: compare what it gives.
  const deferred = (h.flags & FLAG_DESCRIPTOR) !== 0;
  const given = (v: number) => !deferred || v !== 0;
  if (given(h.crc32) && h.crc32 !== e.crc32) differs.push(`CRC-32 (${hex(h.crc32)} vs ${hex(e.crc32)})`);
  if (given(z.compressedSize) && z.compressedSize !== e.compressedSize) differs.push(`compressed size (${z.compressedSize} vs ${e.compressedSize})`);
  if (given(z.uncompressedSize) && z.uncompressedSize !== e.uncompressedSize) differs.push(`size (${z.uncompressedSize} vs ${e.uncompressedSize})`);
  const localKnowsSizes = given(z.compressedSize);
  if (differs.length > 0) {
    issues.push({
      ruleId: 'scan.archive.header-mismatch', byteOffset: at,
      message: `${e.name}: the local header and the central directory disagree on ${differs.join(', ')}`,
      evidence: { member: e.name, localName, fields: differs },
    });
  }
  if ((h.method !== e.method || (localKnowsSizes && z.compressedSize !== e.compressedSize)) && Number.isSafeInteger(z.compressedSize)) {
    e.localView = { name: localName, method: h.method, compressedSize: z.compressedSize, uncompressedSize: z.uncompressedSize, crc32: h.crc32 };
  }
  if (!Number.isSafeInteger(dataEnd) || dataEnd > src.size) {
    issues.push({ ruleId: 'scan.archive.data-outside-file', byteOffset: at, message: `${e.name}: its ${e.compressedSize} bytes of data run past the end of the file` });
    e.spanEnd = src.size;
    return;
  }
  if (dataEnd > cdOffset && e.dataOffset < cdOffset) {
    issues.push({ ruleId: 'scan.archive.data-outside-file', byteOffset: at, message: `${e.name}: its data runs into the central directory` });
  }
  e.spanEnd = dataEnd + (e.flags & FLAG_DESCRIPTOR ? await descriptorLength(src, dataEnd, e, issues) : 0);
}

/** Length of the data descriptor after a member's data (0 when absent), checking it against the directory. */
async function descriptorLength(src: ByteSource, at: number, e: ZipEntry, issues: ArchiveIssue[]): Promise<number> {
  const b = await src.read(at, Math.min(24, src.size - at));
  const signed = u32(b, 0) === SIG_DESCRIPTOR ? 4 : 0;
  const crc = u32(b, signed);
  if (crc === null) return 0;
  const c32 = u32(b, signed + 4);
  const c64 = u64(b, signed + 4);
  const wide = c32 !== e.compressedSize && c64 === e.compressedSize;
  const len = signed + (wide ? 20 : 12);
  if (!signed && crc !== e.crc32) return 0; // no descriptor where one was promised: nothing to account for
  if (len > b.length) return b.length;
  const csize = wide ? c64 : c32;
  const usize = wide ? u64(b, signed + 12) : u32(b, signed + 8);
  if (crc !== e.crc32 || csize !== e.compressedSize || usize !== e.uncompressedSize) {
    issues.push({ ruleId: 'scan.archive.header-mismatch', byteOffset: at, message: `${e.name}: the data descriptor and the central directory disagree (CRC ${hex(crc)} vs ${hex(e.crc32)}, sizes ${csize}/${usize} vs ${e.compressedSize}/${e.uncompressedSize})` });
  }
  return len;
}

/** Follows local headers one after another from `start`, as a streaming reader would. */
async function walkLocalHeaders(
  src: ByteSource, start: number, limit: number, budget: BudgetTracker, issues: ArchiveIssue[], firstIndex: number, max: number,
): Promise<ZipEntry[]> {
  const out: ZipEntry[] = [];
  let at = start;
  while (at + LOCAL_SIZE <= limit && out.length < max) {
    budget.checkTime();
    const head = await src.read(at, Math.min(LOCAL_SIZE, limit - at));
    const h = decodeLocalHeader(head, 0);
    if (!h) break;
    const headerLen = LOCAL_SIZE + h.nameLength + h.extraLength;
    if (at + headerLen > limit) {
      issues.push({ ruleId: 'scan.archive.malformed-header', byteOffset: at, message: 'a local header runs past the end of the file' });
      break;
    }
    const buf = await src.read(at, headerLen);
    const nameBytes = buf.slice(LOCAL_SIZE, LOCAL_SIZE + h.nameLength);
    const extras = decodeExtras(buf.subarray(LOCAL_SIZE + h.nameLength), () => crc32(nameBytes));
    const z = applyZip64(extras.zip64, { uncompressedSize: h.uncompressedSize, compressedSize: h.compressedSize });
    const name = decodeName(nameBytes);
    if ((h.flags & FLAG_DESCRIPTOR) && z.compressedSize === 0) {
      issues.push({ ruleId: 'scan.archive.malformed-header', byteOffset: at, message: `${name}: its size is only given after the data (data descriptor), so members from here on were not followed` });
      break;
    }
    const dataOffset = at + headerLen;
    const dataEnd = dataOffset + z.compressedSize;
    if (!Number.isSafeInteger(dataEnd) || dataEnd > limit) {
      issues.push({ ruleId: 'scan.archive.data-outside-file', byteOffset: at, message: `${name}: its ${z.compressedSize} bytes of data run past the end of the file` });
      break;
    }
    const e: ZipEntry = {
      index: firstIndex + out.length, name, nameBytes, headerOffset: at, versionMadeBy: 0, flags: h.flags, method: h.method,
      crc32: h.crc32, compressedSize: z.compressedSize, uncompressedSize: z.uncompressedSize, localHeaderOffset: at,
      externalAttrs: 0, unicodeName: extras.unicodeName, aesMethod: extras.aesMethod, dataOffset, spanEnd: dataEnd, localView: null, localOnly: true,
    };
    if (h.flags & FLAG_DESCRIPTOR) e.spanEnd += await descriptorLength(src, dataEnd, e, issues);
    out.push(e);
    at = e.spanEnd;
  }
  return out;
}

/** Members whose byte spans intersect: reported once per member that starts inside another. */
function findOverlaps(entries: readonly ZipEntry[], issues: ArchiveIssue[]): void {
  const spans = entries.filter((e) => e.dataOffset !== null).sort((a, b) => a.localHeaderOffset - b.localHeaderOffset || a.index - b.index);
  let owner: ZipEntry | null = null;
  for (const e of spans) {
    if (owner && e.localHeaderOffset < owner.spanEnd) {
      issues.push({
        ruleId: 'scan.archive.overlapping-members', byteOffset: e.headerOffset,
        message: e.localHeaderOffset === owner.localHeaderOffset
          ? `${e.name} and ${owner.name} are two directory entries for the same local header at ${e.localHeaderOffset}`
          : `${e.name} starts at ${e.localHeaderOffset}, inside the bytes of ${owner.name} (${owner.localHeaderOffset}–${owner.spanEnd})`,
        evidence: { member: e.name, overlaps: owner.name },
      });
    }
    if (!owner || e.spanEnd > owner.spanEnd) owner = e;
  }
}

/** Regions of the file covered by no record; zero padding is ignored, local headers in a gap are hidden members. */
async function findGaps(src: ByteSource, regions: { start: number; end: number }[], layout: ZipLayout, budget: BudgetTracker): Promise<ZipGap[]> {
  const sorted = regions.filter((r) => r.end > r.start).sort((a, b) => a.start - b.start);
  const holes: ZipGap[] = [];
  let covered = 0;
  for (const r of sorted) {
    if (r.start > covered) holes.push({ offset: covered, length: r.start - covered });
    covered = Math.max(covered, r.end);
  }
  if (covered < src.size) holes.push({ offset: covered, length: src.size - covered });

  const gaps: ZipGap[] = [];
  for (const hole of holes) {
    budget.checkTime();
    const probe = await src.read(hole.offset, Math.min(hole.length, GAP_PROBE));
    if (hole.length <= GAP_PROBE && allZero(probe)) continue;
    if (u32(probe, 0) === SIG_LOCAL) {
      const found = await walkLocalHeaders(src, hole.offset, hole.offset + hole.length, budget, layout.issues, layout.entries.length + layout.hidden.length, MAX_HIDDEN_PER_GAP);
      if (found.length > 0) {
        layout.hidden.push(...found);
        const last = found[found.length - 1]!;
        if (last.spanEnd < hole.offset + hole.length) gaps.push({ offset: last.spanEnd, length: hole.offset + hole.length - last.spanEnd });
        continue;
      }
    }
    gaps.push(hole);
  }
  return gaps;
}

function hex(n: number | null): string {
  return n === null ? '?' : `0x${n.toString(16).padStart(8, '0')}`;
}
