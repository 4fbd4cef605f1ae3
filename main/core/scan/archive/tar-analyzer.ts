// The tar analyzer: walks headers by offset, reports links, special files, traversal names and
// header contradictions, and hands every regular member to the engine as a window of the
// archive (nothing is copied or extracted). Profiles (legacy PyTorch tar) may claim members.
import { SliceSource, type ByteSource } from '../../io/byte-source.ts';
import type { Analyzer, ScanContext } from '../types.ts';
import { allZero } from './bytes.ts';
import { IssueSink } from './issues.ts';
import { judgeName, linkTargetEscapes, showName } from './member-names.ts';
import type { ProfileSession, TarProfile } from './profile.ts';
import { readTarEntries, TAR_TYPE_NAMES, type TarEntry, type TarWalk } from './tar-layout.ts';

type TarKind = 'file' | 'dir' | 'link' | 'special' | 'skip';

/** How each type flag is handled; unknown flags are read as regular files, as Python's tarfile does. */
const TAR_KINDS: Readonly<Record<string, TarKind>> = {
  '0': 'file', '7': 'file', S: 'file', '1': 'link', '2': 'link', '3': 'special', '4': 'special', '6': 'special',
  '5': 'dir', D: 'dir', V: 'skip', M: 'skip',
};

const TRAILING_PROBE = 1024 * 1024;

export function createTarAnalyzer(profiles: readonly TarProfile[]): Analyzer {
  return { formats: ['tar'], analyze: (source, ctx) => analyzeTar(source, ctx, profiles) };
}

async function analyzeTar(source: ByteSource, ctx: ScanContext, profiles: readonly TarProfile[]): Promise<void> {
  const sink = new IssueSink(ctx);
  const sessions = profiles.map((p) => p(ctx, sink));
  const walk: TarWalk = { issues: [], unparsed: [], end: 0 };
  const seen = new Map<string, TarEntry>();
  let members = 0;
  const flushWalk = () => {
    sink.addAll(walk.issues);
    walk.issues.length = 0;
  };

  for await (const e of readTarEntries(source, ctx.budget, walk)) {
    flushWalk();
    members++;
    checkName(e, sink);
    const first = seen.get(e.name);
    if (first && TAR_KINDS[e.type] !== 'dir') {
      sink.add({ ruleId: 'scan.archive.duplicate-member', byteOffset: e.headerOffset, message: `${showName(e.name)} appears again (first at ${first.headerOffset}); extraction keeps the last copy, other readers the first`, evidence: { member: e.name } });
    } else if (!first) {
      seen.set(e.name, e);
    }
    await handleEntry(source, e, ctx, sink, sessions);
  }
  flushWalk();
  ctx.detail('tar', { members });

  for (const region of walk.unparsed) {
    await ctx.scanNested(`[unparsed bytes at ${region.offset}]`, new SliceSource(source, region.offset, region.length));
  }
  if (walk.end < source.size) {
    const rest = source.size - walk.end;
    const probe = await source.read(walk.end, Math.min(rest, TRAILING_PROBE));
    if (rest > TRAILING_PROBE || !allZero(probe)) {
      sink.add({ ruleId: 'scan.archive.unaccounted-data', byteOffset: walk.end, message: `${rest} bytes follow the end of the archive`, evidence: { offset: walk.end, length: rest } });
      await ctx.scanNested(`[trailing bytes at ${walk.end}]`, new SliceSource(source, walk.end, rest));
    }
  }
  for (const s of sessions) await s.finish();
  sink.flush();
}

async function handleEntry(source: ByteSource, e: TarEntry, ctx: ScanContext, sink: IssueSink, sessions: readonly ProfileSession<TarEntry>[]): Promise<void> {
  const kind = TAR_KINDS[e.type] ?? 'file';
  const what = TAR_TYPE_NAMES[e.type] ?? `type '${e.type}'`;
  if (kind === 'link') {
    ctx.budget.consumeEntry();
    const escapes = linkTargetEscapes(e.linkName);
    sink.add({
      ruleId: 'scan.archive.symlink-member', byteOffset: e.headerOffset,
      message: `${showName(e.name)} is a ${what} to ${JSON.stringify(showName(e.linkName))}${escapes ? ', outside the archive' : ''}`,
      evidence: { member: e.name, target: e.linkName, kind: what },
    });
    return;
  }
  if (kind === 'special') {
    ctx.budget.consumeEntry();
    sink.add({ ruleId: 'scan.archive.special-member', byteOffset: e.headerOffset, message: `${showName(e.name)} is a ${what}`, evidence: { member: e.name, kind: what } });
    return;
  }
  if (kind === 'skip' || (kind === 'dir' && e.size === 0) || (e.name.endsWith('/') && e.size === 0)) {
    ctx.budget.consumeEntry();
    return;
  }
  if (e.sparse) {
    ctx.budget.consumeEntry();
    sink.add({ ruleId: 'scan.archive.unsupported-method', byteOffset: e.headerOffset, message: `${showName(e.name)} is stored as a sparse file; its content was not scanned`, evidence: { member: e.name } });
    return;
  }
  const body = new SliceSource(source, e.dataOffset, e.size);
  const owner = sessions.find((s) => s.claims(e));
  if (owner) {
    ctx.budget.consumeEntry();
    await owner.handle(e, body);
    return;
  }
  await ctx.scanNested(e.name, body);
  for (const s of sessions) await s.inspect(e, body);
}

function checkName(e: TarEntry, sink: IssueSink): void {
  const v = judgeName(e.name);
  if (v.traversal) {
    sink.add({ ruleId: 'scan.archive.path-traversal', byteOffset: e.headerOffset, message: `${showName(e.name)} is ${v.traversal}: extracting it writes outside the target folder`, evidence: { member: e.name } });
  }
  if (v.suspicious) {
    sink.add({ ruleId: 'scan.archive.suspicious-name', byteOffset: e.headerOffset, message: `${showName(e.name)} contains ${v.suspicious}`, evidence: { member: e.name } });
  }
  if (e.type === '1' && judgeName(e.linkName).traversal) {
    // A hard link to an outside path makes the extractor link (and later overwrite) that file.
    sink.add({ ruleId: 'scan.archive.path-traversal', byteOffset: e.headerOffset, message: `${showName(e.name)} is a hard link to ${JSON.stringify(showName(e.linkName))}, outside the target folder`, evidence: { member: e.name, target: e.linkName } });
  }
}
