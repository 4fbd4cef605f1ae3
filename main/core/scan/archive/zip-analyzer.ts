// The zip analyzer: one reader for every zip-based format (plain zip, PyTorch, TorchScript, npz,
// Keras v3). It reports what the archive's structure hides or contradicts, then hands every
// member to the engine as a nested unit (format detected from content), except the members a
// format profile reads itself (PyTorch tensor storages).
import { SliceSource, type ByteSource } from '../../io/byte-source.ts';
import type { FormatId } from '../../formats/catalogue.ts';
import { BudgetExceeded, type Analyzer, type ScanContext } from '../types.ts';
import { IssueSink } from './issues.ts';
import { judgeName, linkTargetEscapes, showName } from './member-names.ts';
import { canDecode, IN_MEMORY_MEMBER, openMember, readsAsCleartext, type MemberSpec, type OpenedMember } from './zip-member.ts';
import { readZipLayout, MAX_LISTED_ENTRIES, type ZipEntry } from './zip-layout.ts';
import type { ProfileSession, ZipProfile, ZipView } from './profile.ts';
import {
  FLAG_ENCRYPTED, FLAG_STRONG_ENCRYPTION, METHOD_AES, methodName, S_IFLNK, S_IFMT, unixMode,
} from './zip-records.ts';

/** A member expanding more than this many times its compressed size, to at least BOMB_MIN_BYTES, is a bomb. */
export const BOMB_RATIO = 100;
export const BOMB_MIN_BYTES = 32 * 1024 * 1024;
/** Inflation spent on one archive's members at most, beyond which the rest is reported, not inflated. */
const EXPANSION_FLOOR = 4 * 1024 * 1024 * 1024;

export const ZIP_FORMATS: readonly FormatId[] = ['zip', 'pytorch-zip', 'torchscript', 'numpy-npz', 'keras-v3'];

export function createZipAnalyzer(profiles: Partial<Record<FormatId, ZipProfile>>): Analyzer {
  return {
    formats: ZIP_FORMATS,
    analyze: (source, ctx) => analyzeZip(source, ctx, profiles[ctx.format]),
  };
}

function specOf(e: ZipEntry): MemberSpec {
  return {
    name: e.name, method: e.method, dataOffset: e.dataOffset ?? 0, compressedSize: e.compressedSize,
    uncompressedSize: e.uncompressedSize, crc32: e.crc32, headerOffset: e.headerOffset,
  };
}

function isEncrypted(e: ZipEntry): boolean {
  return (e.flags & FLAG_ENCRYPTED) !== 0 || e.method === METHOD_AES;
}

async function analyzeZip(source: ByteSource, ctx: ScanContext, profile: ZipProfile | undefined): Promise<void> {
  const sink = new IssueSink(ctx);
  const layout = await readZipLayout(source, ctx.budget);
  sink.addAll(layout.issues);
  if (layout.truncated) {
    ctx.report({ ruleId: 'scan.budget-exceeded', severity: 'medium', message: `the directory lists more than ${MAX_LISTED_ENTRIES} members; the rest were not scanned` });
  }
  ctx.detail('zip', { members: layout.entries.length, hidden: layout.hidden.length, unaccountedRegions: layout.gaps.length });

  const all = [...layout.entries, ...layout.hidden];
  const hiddenSet = new Set(layout.hidden);
  checkNames(all, sink);
  checkDuplicates(all, sink);
  checkBombs(layout.entries, source.size, sink);

  const cache = new Map<number, OpenedMember>();
  const opened = async (e: ZipEntry): Promise<OpenedMember | null> => {
    const hit = cache.get(e.index);
    if (hit) return hit;
    if (e.dataOffset === null || !canDecode(e.method) || isEncrypted(e)) return null;
    const m = await openMember(source, specOf(e), ctx.budget);
    if (m.verified) cache.set(e.index, m);
    return m;
  };
  const view: ZipView = { entries: layout.entries, open: async (e) => (await opened(e))?.source ?? null };
  const session = profile ? await profile(view, ctx, sink) : null;

  // Members small enough to inflate whole are inflated whole; past this total the rest are skipped
  // (overlapping-member bombs repeat one stream thousands of times). Larger members only inflate
  // what analyzers read, which the byte budget bounds.
  const expansionCap = Math.max(EXPANSION_FLOOR, BOMB_RATIO * source.size);
  let expanded = 0;
  const skipped: string[] = [];
  for (const e of all) {
    ctx.budget.checkTime();
    if (hiddenSet.has(e)) {
      sink.add({ ruleId: 'scan.archive.hidden-member', byteOffset: e.headerOffset, message: `${showName(e.name)}: a local header at ${e.headerOffset} holds a member the central directory does not list`, evidence: { member: e.name } });
    }
    if (e.method !== 0 && e.uncompressedSize <= IN_MEMORY_MEMBER && expanded + e.uncompressedSize > expansionCap) {
      skipped.push(e.name);
      ctx.budget.consumeEntry();
      continue;
    }
    try {
      const inflatedHere = await processEntry(source, e, ctx, sink, session, opened);
      expanded += inflatedHere;
    } catch (err) {
      if (err instanceof BudgetExceeded || ctx.signal.aborted) throw err;
      ctx.report({ ruleId: 'scan.analyzer-error', severity: 'medium', message: `${showName(e.name)}: ${err instanceof Error ? err.message : String(err)}`, location: { byteOffset: e.headerOffset } });
    } finally {
      cache.delete(e.index);
    }
  }
  if (skipped.length > 0) {
    sink.add({ ruleId: 'scan.archive.compression-bomb', message: `the members inflate to more than ${expansionCap} bytes in all; ${skipped.length} members (from ${showName(skipped[0]!)} on) were not decompressed`, evidence: { cap: expansionCap, skipped: skipped.length } });
  }

  for (const gap of layout.gaps) {
    sink.add({ ruleId: 'scan.archive.unaccounted-data', byteOffset: gap.offset, message: `${gap.length} bytes at ${gap.offset} belong to no member`, evidence: { offset: gap.offset, length: gap.length } });
    await ctx.scanNested(`[unlisted bytes at ${gap.offset}]`, new SliceSource(source, gap.offset, gap.length));
  }
  await session?.finish();
  sink.flush();
}

/** Handles one member; returns the bytes it decompressed (for the archive's expansion cap). */
async function processEntry(
  source: ByteSource, e: ZipEntry, ctx: ScanContext, sink: IssueSink, session: ProfileSession<ZipEntry> | null,
  opened: (e: ZipEntry) => Promise<OpenedMember | null>,
): Promise<number> {
  const name = e.name;
  if (e.dataOffset === null) {
    ctx.budget.consumeEntry(); // its header problem is already reported
    return 0;
  }
  if (name.endsWith('/') && e.uncompressedSize === 0 && e.compressedSize === 0) {
    ctx.budget.consumeEntry();
    return 0;
  }
  const mode = unixMode(e.versionMadeBy, e.externalAttrs);
  if (mode !== null && (mode & S_IFMT) === S_IFLNK) {
    ctx.budget.consumeEntry();
    const target = await linkTarget(source, e, ctx);
    sink.add({
      ruleId: 'scan.archive.symlink-member', byteOffset: e.headerOffset,
      message: `${showName(name)} is a symbolic link${target !== null ? ` to ${JSON.stringify(showName(target))}${linkTargetEscapes(target) ? ', outside the archive' : ''}` : ''}`,
      evidence: { member: name, ...(target !== null ? { target } : {}) },
    });
    return 0;
  }
  if (isEncrypted(e)) {
    const strong = (e.flags & FLAG_STRONG_ENCRYPTION) !== 0 || e.method === METHOD_AES;
    if (strong || !(await readsAsCleartext(source, specOf(e), ctx.budget))) {
      ctx.budget.consumeEntry();
      sink.add({ ruleId: 'scan.archive.encrypted-member', byteOffset: e.headerOffset, message: `${showName(name)} is encrypted (${strong ? 'AES or strong encryption' : 'traditional PKWARE encryption'}); its content was not scanned`, evidence: { member: name } });
      return 0;
    }
    sink.add({ ruleId: 'scan.archive.encryption-flag-cleartext', byteOffset: e.headerOffset, message: `${showName(name)} is flagged as encrypted but its data is cleartext; it was scanned as such`, evidence: { member: name } });
    const m = await openMember(source, specOf(e), ctx.budget);
    return scanOpened(e, m, ctx, sink, session);
  }
  if (!canDecode(e.method)) {
    ctx.budget.consumeEntry();
    sink.add({ ruleId: 'scan.archive.unsupported-method', byteOffset: e.headerOffset, message: `${showName(name)} is compressed with ${methodName(e.method)}, which Assay cannot decompress; not scanned`, evidence: { member: name, method: e.method } });
    return 0;
  }
  const m = await opened(e);
  if (!m) return 0;
  let spent = await scanOpened(e, m, ctx, sink, session);
  if (e.localView && canDecode(e.localView.method)) {
    // A streaming reader follows the local header: scan what it would read too.
    const lv = e.localView;
    const local = await openMember(source, {
      name: lv.name, method: lv.method, dataOffset: e.dataOffset, compressedSize: lv.compressedSize,
      uncompressedSize: lv.uncompressedSize || lv.compressedSize, crc32: lv.crc32, headerOffset: e.localHeaderOffset,
    }, ctx.budget);
    await ctx.scanNested(`${lv.name} (local header view)`, local.source);
    spent += lv.method === 0 ? 0 : lv.uncompressedSize;
  }
  return spent;
}

async function scanOpened(e: ZipEntry, m: OpenedMember, ctx: ScanContext, sink: IssueSink, session: ProfileSession<ZipEntry> | null): Promise<number> {
  if (session?.claims(e)) {
    ctx.budget.consumeEntry();
    await session.handle(e, m.source);
  } else {
    await ctx.scanNested(e.name, m.source);
    await session?.inspect(e, m.source);
  }
  sink.addAll(m.problems());
  return e.method === 0 ? 0 : m.verified ? e.uncompressedSize : 0;
}

/** The target a symlink member points to (its content), when it is small and readable. */
async function linkTarget(source: ByteSource, e: ZipEntry, ctx: ScanContext): Promise<string | null> {
  if (!canDecode(e.method) || isEncrypted(e) || e.uncompressedSize > 4096 || e.compressedSize > IN_MEMORY_MEMBER) return null;
  const m = await openMember(source, specOf(e), ctx.budget);
  const bytes = await m.source.read(0, Math.min(4096, m.source.size));
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

function checkNames(entries: readonly ZipEntry[], sink: IssueSink): void {
  for (const e of entries) {
    const names = new Set([e.name, ...(e.unicodeName !== null ? [e.unicodeName] : []), ...(e.localView ? [e.localView.name] : [])]);
    for (const n of names) {
      const v = judgeName(n);
      if (v.traversal) {
        sink.add({ ruleId: 'scan.archive.path-traversal', byteOffset: e.headerOffset, message: `${showName(n)} is ${v.traversal}: extracting it writes outside the target folder`, evidence: { member: n } });
      }
      if (v.suspicious) {
        sink.add({ ruleId: 'scan.archive.suspicious-name', byteOffset: e.headerOffset, message: `${showName(n)} contains ${v.suspicious}`, evidence: { member: n } });
      }
    }
    if (e.unicodeName !== null && e.unicodeName !== e.name) {
      sink.add({
        ruleId: 'scan.archive.header-mismatch', byteOffset: e.headerOffset,
        message: `${showName(e.name)} carries a Unicode path field naming it ${JSON.stringify(showName(e.unicodeName))}; tools that honour the field extract it under that name`,
        evidence: { member: e.name, unicodeName: e.unicodeName },
      });
    }
  }
}

function checkDuplicates(entries: readonly ZipEntry[], sink: IssueSink): void {
  const exact = new Map<string, ZipEntry>();
  const folded = new Map<string, ZipEntry>();
  for (const e of entries) {
    const first = exact.get(e.name);
    if (first) {
      sink.add({ ruleId: 'scan.archive.duplicate-member', byteOffset: e.headerOffset, message: `${showName(e.name)} is listed again (first at ${first.headerOffset}); tools disagree on which copy wins`, evidence: { member: e.name } });
      continue;
    }
    exact.set(e.name, e);
    const key = e.name.toLowerCase();
    const other = folded.get(key);
    if (other) {
      sink.add({ ruleId: 'scan.archive.duplicate-member', byteOffset: e.headerOffset, message: `${showName(e.name)} and ${showName(other.name)} differ only in case: one overwrites the other on case-insensitive disks`, evidence: { member: e.name, other: other.name } });
    } else {
      folded.set(key, e);
    }
  }
}

function checkBombs(entries: readonly ZipEntry[], archiveSize: number, sink: IssueSink): void {
  let total = 0;
  let flagged = false;
  for (const e of entries) {
    total += e.uncompressedSize;
    if (e.uncompressedSize >= BOMB_MIN_BYTES && e.uncompressedSize > BOMB_RATIO * Math.max(1, e.compressedSize)) {
      flagged = true;
      sink.add({
        ruleId: 'scan.archive.compression-bomb', byteOffset: e.headerOffset,
        message: `${showName(e.name)} expands from ${e.compressedSize} to ${e.uncompressedSize} bytes (ratio ${Math.round(e.uncompressedSize / Math.max(1, e.compressedSize))})`,
        evidence: { member: e.name, compressed: e.compressedSize, uncompressed: e.uncompressedSize },
      });
    }
  }
  if (!flagged && total >= BOMB_MIN_BYTES && total > BOMB_RATIO * Math.max(1, archiveSize)) {
    sink.add({
      ruleId: 'scan.archive.compression-bomb',
      message: `the members declare ${total} bytes in all, ${Math.round(total / Math.max(1, archiveSize))} times the archive's own size`,
      evidence: { archiveSize, declaredTotal: total },
    });
  }
}
