// PyTorch-specific checks on a zip checkpoint (torch.save) or TorchScript archive (torch.jit.save),
// run by the zip analyzer through the profile hook. torch names its folder after the first
// member, reads `data.pkl` (and `constants.pkl`) with persistent ids naming storage records
// `data/<key>` (`constants/<key>`), and never reads anything else but a few metadata records.
// Storage records are raw tensor bytes: they are sniffed for payloads, not scanned as content.
import { SliceSource, type ByteSource } from '../../io/byte-source.ts';
import type { FormatId } from '../../formats/catalogue.ts';
import type { ScanContext } from '../types.ts';
import type { IssueSink } from '../archive/issues.ts';
import { showName } from '../archive/member-names.ts';
import type { ProfileSession, ZipProfile } from '../archive/profile.ts';
import type { ZipEntry } from '../archive/zip-layout.ts';
import { sniffPayload } from './payload-sniff.ts';
import { walkPickle } from '../pickle/index.ts';
import { storageRefs, type StorageRef } from './storage-refs.ts';
import { scanTorchScriptSource } from './torchscript-source.ts';

type Role = 'pickle' | 'storage' | 'version' | 'byteorder' | 'metadata' | 'code';

/** The records torch writes, relative to the archive's folder; `torchscript` rows exist only there. */
const LAYOUT: readonly { test: RegExp; role: Role; torchscriptOnly?: boolean }[] = [
  { test: /^(data|constants)\.pkl$/, role: 'pickle' },
  { test: /^(data|constants)\/[^/]+$/, role: 'storage' },
  { test: /^(\.data\/)?version$/, role: 'version' },
  { test: /^byteorder$/, role: 'byteorder' },
  { test: /^\.data\/.+/, role: 'metadata' },
  { test: /^\.(format_version|storage_alignment)$/, role: 'metadata' },
  { test: /^code\/.+\.py$/, role: 'code', torchscriptOnly: true },
  { test: /^code\/.+/, role: 'metadata', torchscriptOnly: true },
  { test: /^extra\/.+/, role: 'metadata', torchscriptOnly: true },
  { test: /^(attributes|bytecode)\.pkl$/, role: 'metadata', torchscriptOnly: true },
  { test: /^(model\.json|tensors\/.+)$/, role: 'metadata', torchscriptOnly: true },
];

/** The storage folder each pickle's persistent ids point into. */
const STORAGE_FOLDER: Readonly<Record<string, string>> = { 'data.pkl': 'data', 'constants.pkl': 'constants' };

const MAX_SOURCE_BYTES = 16 * 1024 * 1024;

export const pytorchZipProfile: ZipProfile = async (view, ctx, sink) => {
  const torchscript = ctx.format === ('torchscript' satisfies FormatId);
  const files = view.entries.filter((e) => !e.name.endsWith('/'));
  const firstName = view.entries[0]?.name ?? '';
  const slash = firstName.indexOf('/');
  const prefix = slash > 0 ? firstName.slice(0, slash + 1) : null;
  if (prefix === null) {
    sink.add({ ruleId: 'scan.pytorch.layout-anomaly', message: `the first member ${JSON.stringify(showName(firstName))} is not inside a folder; torch refuses such archives` });
  }
  const rel = (e: ZipEntry): string | null => (prefix !== null && e.name.startsWith(prefix) ? e.name.slice(prefix.length) : null);
  const roleOf = (e: ZipEntry): Role | null => {
    const r = rel(e);
    if (r === null) return null;
    return LAYOUT.find((row) => row.test.test(r) && (torchscript || !row.torchscriptOnly))?.role ?? null;
  };

  for (const e of files) {
    if (rel(e) === null && prefix !== null) {
      sink.add({ ruleId: 'scan.pytorch.layout-anomaly', byteOffset: e.headerOffset, message: `${showName(e.name)} lies outside the archive folder ${prefix}; recent torch versions refuse the archive, older ones ignore the member`, evidence: { member: e.name } });
    } else if (prefix !== null && roleOf(e) === null) {
      sink.add({ ruleId: 'scan.pytorch.unexpected-member', byteOffset: e.headerOffset, message: `${showName(e.name)} is not part of the layout torch writes; torch never reads it`, evidence: { member: e.name } });
    }
  }

  const byRel = new Map<string, ZipEntry>();
  for (const e of files) {
    const r = rel(e);
    if (r !== null && !byRel.has(r)) byRel.set(r, e);
  }
  if (prefix !== null && !byRel.has('data.pkl')) {
    sink.add({ ruleId: 'scan.pytorch.layout-anomaly', message: `${prefix}data.pkl is missing: torch cannot load the archive` });
  }
  await checkVersionRecords(byRel, view.open, sink, prefix);

  // Storage references of each pickle, by folder; a folder is absent when its pickle could not be read.
  const refs = new Map<string, { byKey: Map<string, StorageRef>; complete: boolean }>();
  for (const [pkl, folder] of Object.entries(STORAGE_FOLDER)) {
    const e = byRel.get(pkl);
    if (!e) continue;
    const src = await view.open(e);
    if (!src) continue;
    const walk = await walkPickle(src, { budget: ctx.budget, maxStreams: 1 });
    const stream = walk.streams[0];
    if (!stream || stream.error || stream.limit) continue; // the pickle analyzer reports why it does not parse
    const { refs: found, malformed } = storageRefs(walk.persistentIds);
    for (const m of malformed) {
      sink.add({ ruleId: 'scan.pytorch.persistent-id-malformed', message: `${showName(e.name)}: the persistent id at byte ${m.offset} (opcode ${m.opcodeIndex}) is ${m.text}, not a ('storage', class, key, location, size) tuple`, evidence: { member: e.name, byteOffset: m.offset, opcodeIndex: m.opcodeIndex, id: m.text } });
    }
    const byKey = new Map<string, StorageRef>();
    for (const r of found) if (!byKey.has(r.key)) byKey.set(r.key, r);
    // A walk that kept only part of a huge id list cannot tell which storages are unreferenced.
    refs.set(folder, { byKey, complete: walk.persistentIdCount === walk.persistentIds.length });
    ctx.detail(`pytorch.${folder}`, { storages: byKey.size, persistentIds: walk.persistentIdCount });
  }

  const seen = new Set<string>();
  const session: ProfileSession<ZipEntry> = {
    claims: (e) => roleOf(e) === 'storage',
    handle: async (e, src) => {
      const [folder, key] = rel(e)!.split('/') as [string, string];
      seen.add(`${folder}/${key}`);
      const known = refs.get(folder);
      const ref = known?.byKey.get(key);
      if (known?.complete && !ref) {
        sink.add({ ruleId: 'scan.pytorch.unexpected-member', byteOffset: e.headerOffset, message: `${showName(e.name)} is a storage record no tensor references`, evidence: { member: e.name } });
      }
      await checkStorage(e, src, ref ?? null, ctx, sink);
    },
    inspect: async (e, src) => {
      if (roleOf(e) !== 'code') return;
      const text = new TextDecoder('utf-8', { fatal: false }).decode(await src.read(0, Math.min(src.size, MAX_SOURCE_BYTES)));
      for (const h of scanTorchScriptSource(text)) {
        sink.add({
          ruleId: h.ruleId, line: h.line, column: h.column,
          message: `${showName(e.name)} line ${h.line}: ${h.name} — ${h.why}${h.occurrences > 1 ? ` (${h.occurrences} times)` : ''}`,
          evidence: { member: e.name, name: h.name, occurrences: h.occurrences },
        });
      }
    },
    finish: async () => {
      for (const [folder, { byKey }] of refs) {
        for (const r of byKey.values()) {
          if (seen.has(`${folder}/${r.key}`)) continue;
          sink.add({
            ruleId: 'scan.pytorch.missing-storage',
            message: `the persistent id at byte ${r.offset} references storage ${prefix ?? ''}${folder}/${r.key} (${r.storageType}, ${r.numel} elements), which the archive does not contain`,
            evidence: { key: r.key, folder, storageType: r.storageType, byteOffset: r.offset, opcodeIndex: r.opcodeIndex },
          });
        }
      }
    },
  };
  return session;
};

/** Sniffs a storage record for payloads at its start and after the bytes its tensor needs. */
async function checkStorage(e: ZipEntry, src: ByteSource, ref: StorageRef | null, ctx: ScanContext, sink: IssueSink): Promise<void> {
  const payload = await sniffPayload(src, 0, ctx.budget);
  if (payload) {
    sink.add({ ruleId: 'scan.pytorch.storage-not-tensor', byteOffset: e.headerOffset, message: `storage record ${showName(e.name)} holds ${payload}, not tensor bytes`, evidence: { member: e.name, payload } });
    await ctx.scanNested(e.name, src);
  }
  if (!ref || ref.bytes === null || src.size === ref.bytes) return;
  const count = `${ref.numel} × ${ref.storageType}`;
  sink.add({
    ruleId: 'scan.pytorch.storage-size-mismatch', byteOffset: e.headerOffset,
    message: src.size < ref.bytes
      ? `storage record ${showName(e.name)} has ${src.size} bytes but its tensor needs ${ref.bytes} (${count}); torch.load fails`
      : `storage record ${showName(e.name)} has ${src.size - ref.bytes} bytes after the ${ref.bytes} its tensor uses (${count}); they are never loaded`,
    evidence: { member: e.name, size: src.size, expected: ref.bytes },
  });
  if (src.size > ref.bytes) {
    const extra = await sniffPayload(src, ref.bytes, ctx.budget);
    if (extra) {
      sink.add({ ruleId: 'scan.pytorch.storage-not-tensor', byteOffset: e.headerOffset, message: `storage record ${showName(e.name)} carries ${extra} after its tensor bytes (at ${ref.bytes})`, evidence: { member: e.name, payload: extra, at: ref.bytes } });
      await ctx.scanNested(`${e.name} [after byte ${ref.bytes}]`, new SliceSource(src, ref.bytes, src.size - ref.bytes));
    }
  }
}

async function checkVersionRecords(byRel: Map<string, ZipEntry>, open: (e: ZipEntry) => Promise<ByteSource | null>, sink: IssueSink, prefix: string | null): Promise<void> {
  if (prefix === null) return;
  const readText = async (e: ZipEntry) => {
    const src = await open(e);
    return src ? new TextDecoder('latin1').decode(await src.read(0, Math.min(src.size, 64))) : null;
  };
  const version = byRel.get('.data/version') ?? byRel.get('version');
  if (!version) {
    sink.add({ ruleId: 'scan.pytorch.layout-anomaly', message: `${prefix}version is missing: torch cannot load the archive` });
  } else {
    const text = await readText(version);
    if (text !== null && (!/^\s*\d{1,3}\s*$/.test(text) || Number(text) < 1)) {
      sink.add({ ruleId: 'scan.pytorch.layout-anomaly', byteOffset: version.headerOffset, message: `${showName(version.name)} holds ${JSON.stringify(text.slice(0, 20))}, not a format version number` });
    }
  }
  const order = byRel.get('byteorder');
  if (order) {
    const text = await readText(order);
    if (text !== null && text !== 'little' && text !== 'big') {
      sink.add({ ruleId: 'scan.pytorch.layout-anomaly', byteOffset: order.headerOffset, message: `${showName(order.name)} holds ${JSON.stringify(text.slice(0, 20))}; torch accepts only "little" or "big"` });
    }
  }
}
