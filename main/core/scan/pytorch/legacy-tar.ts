// Legacy tar checkpoints (torch < 0.4 `torch.save`, still read by `torch.load`): members
// `sys_info` and `pickle` are plain pickles (scanned as such by the generic tar path), while
// `storages` and `tensors` are streams of small pickles interleaved with raw bytes:
//   storages: pickle(count), count × [pickle((key, location, storage class)), int64 numel, numel × element bytes],
//             pickle(storage views)
//   tensors:  pickle(count), count × [pickle((key, storage id, tensor class)), int32 ndim, 4 bytes,
//             ndim × int64 sizes, ndim × int64 strides, int64 storage offset]
// Every embedded pickle is unpickled by torch.load, so each one is scanned as its own unit.
import { SliceSource, type ByteSource } from '../../io/byte-source.ts';
import { i32, i64 } from '../archive/bytes.ts';
import type { IssueSink } from '../archive/issues.ts';
import type { ProfileSession, TarProfile } from '../archive/profile.ts';
import type { TarEntry } from '../archive/tar-layout.ts';
import type { ScanContext } from '../types.ts';
import { PickleWalker, storageElementSize, walkPickle } from '../pickle/index.ts';
import { GlobalVal, TupleVal, type Value } from '../pickle/values.ts';
import { sniffPayload } from './payload-sniff.ts';

const STREAM_MEMBERS = new Set(['storages', 'tensors']);
const LEGACY_MEMBERS = ['storages', 'tensors', 'pickle'] as const;
/** Embedded header pickles are tiny; a larger one is not believed. */
const MAX_HEADER_PICKLE = 1024 * 1024;
const MAX_COUNT = 10_000_000;
const MAX_NDIM = 64;

function bare(name: string): string {
  return name.replace(/^(\.\/)+/, '');
}

function keyText(v: Value | undefined): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return null;
}

/** A persistent id rendered as Python (`'12'` or `12`) back to its key. */
function keyFromRendered(text: string): string | null {
  const m = /^'([^']*)'$|^(-?\d+)$/.exec(text.trim());
  return m ? m[1] ?? m[2] ?? null : null;
}

interface StreamState {
  src: ByteSource;
  entry: TarEntry;
  ctx: ScanContext;
  sink: IssueSink;
}

/** Runs the pickle at `pos` through the pickle machine and scans it as its own unit; null after reporting. */
async function embeddedPickle(s: StreamState, pos: number, what: string): Promise<{ value: Value | undefined; end: number } | null> {
  const out = await new PickleWalker(s.src, s.ctx.budget).stream(pos, Math.min(s.src.size, pos + MAX_HEADER_PICKLE));
  if (out.error || out.limit) {
    s.sink.add({ ruleId: 'scan.pytorch.layout-anomaly', byteOffset: s.entry.headerOffset, message: `${s.entry.name}: no valid ${what} pickle at byte ${pos} (${out.error?.message ?? out.limit}); the rest of the stream was scanned as one unit` });
    await s.ctx.scanNested(`${s.entry.name} [bytes from ${pos}]`, new SliceSource(s.src, pos, s.src.size - pos));
    return null;
  }
  await s.ctx.scanNested(`${s.entry.name} [pickle at ${pos}]`, new SliceSource(s.src, pos, out.end - pos));
  return { value: out.stopValue, end: out.end };
}

async function readCount(s: StreamState): Promise<{ count: number; pos: number } | null> {
  const head = await embeddedPickle(s, 0, 'count');
  if (!head) return null;
  const v = head.value;
  const n = typeof v === 'number' ? v : typeof v === 'bigint' && v <= BigInt(MAX_COUNT) ? Number(v) : -1;
  if (n < 0 || n > MAX_COUNT || !Number.isInteger(n)) {
    s.sink.add({ ruleId: 'scan.pytorch.layout-anomaly', byteOffset: s.entry.headerOffset, message: `${s.entry.name}: the stream does not start with a plausible count` });
    return null;
  }
  return { count: n, pos: head.end };
}

async function trailing(s: StreamState, pos: number): Promise<void> {
  if (pos >= s.src.size) return;
  s.sink.add({ ruleId: 'scan.archive.unaccounted-data', byteOffset: s.entry.headerOffset, message: `${s.entry.name}: ${s.src.size - pos} bytes follow the end of the stream; torch never reads them`, evidence: { member: s.entry.name, offset: pos } });
  await s.ctx.scanNested(`${s.entry.name} [bytes from ${pos}]`, new SliceSource(s.src, pos, s.src.size - pos));
}

async function readStorages(s: StreamState, keys: Set<string>): Promise<void> {
  const start = await readCount(s);
  if (!start) return;
  let pos = start.pos;
  for (let i = 0; i < start.count; i++) {
    s.ctx.budget.checkTime();
    const header = await embeddedPickle(s, pos, `storage ${i} header`);
    if (!header) return;
    const items = header.value instanceof TupleVal ? header.value.items : [];
    const key = keyText(items[0]);
    const cls = items[2];
    const size = cls instanceof GlobalVal && cls.module === 'torch' ? storageElementSize(cls.qualified) : null;
    if (key === null || size === null) {
      s.sink.add({ ruleId: 'scan.pytorch.layout-anomaly', byteOffset: s.entry.headerOffset, message: `${s.entry.name}: storage ${i} header at byte ${pos} is not (key, location, storage class); the stream cannot be followed further` });
      return trailing(s, header.end);
    }
    keys.add(key);
    const numel = i64(await s.src.read(header.end, Math.min(8, s.src.size - header.end)), 0);
    const dataStart = header.end + 8;
    const bytes = numel === null || numel < 0 ? -1 : numel * size;
    if (bytes < 0 || !Number.isSafeInteger(dataStart + bytes) || dataStart + bytes > s.src.size) {
      s.sink.add({ ruleId: 'scan.pytorch.layout-anomaly', byteOffset: s.entry.headerOffset, message: `${s.entry.name}: storage ${key} declares ${numel} elements, more than the member holds` });
      return;
    }
    const payload = bytes > 0 ? await sniffPayload(new SliceSource(s.src, dataStart, bytes), 0, s.ctx.budget) : null;
    if (payload) {
      s.sink.add({ ruleId: 'scan.pytorch.storage-not-tensor', byteOffset: s.entry.headerOffset, message: `${s.entry.name}: storage ${key} (bytes ${dataStart}–${dataStart + bytes}) holds ${payload}, not tensor bytes`, evidence: { member: s.entry.name, key, payload } });
      await s.ctx.scanNested(`${s.entry.name} [storage ${key}]`, new SliceSource(s.src, dataStart, bytes));
    }
    pos = dataStart + bytes;
  }
  const views = await embeddedPickle(s, pos, 'storage views');
  if (views) await trailing(s, views.end);
}

async function readTensors(s: StreamState, keys: Set<string>): Promise<void> {
  const start = await readCount(s);
  if (!start) return;
  let pos = start.pos;
  for (let i = 0; i < start.count; i++) {
    s.ctx.budget.checkTime();
    const header = await embeddedPickle(s, pos, `tensor ${i} header`);
    if (!header) return;
    const key = keyText(header.value instanceof TupleVal ? header.value.items[0] : undefined);
    if (key !== null) keys.add(key);
    const ndim = i32(await s.src.read(header.end, Math.min(4, s.src.size - header.end)), 0);
    if (ndim === null || ndim < 0 || ndim > MAX_NDIM) {
      s.sink.add({ ruleId: 'scan.pytorch.layout-anomaly', byteOffset: s.entry.headerOffset, message: `${s.entry.name}: tensor ${i} has an implausible dimension count (${ndim}); the stream cannot be followed further` });
      return trailing(s, header.end);
    }
    pos = header.end + 8 + 16 * ndim + 8;
    if (pos > s.src.size) {
      s.sink.add({ ruleId: 'scan.pytorch.layout-anomaly', byteOffset: s.entry.headerOffset, message: `${s.entry.name}: tensor ${i} runs past the end of the member` });
      return;
    }
  }
  await trailing(s, pos);
}

export const legacyTorchTarProfile: TarProfile = (ctx, sink) => {
  const present = new Set<string>();
  const known = { storages: new Set<string>(), tensors: new Set<string>() };
  let ids: { key: string | null; offset: number }[] = [];
  const session: ProfileSession<TarEntry> = {
    claims: (e) => STREAM_MEMBERS.has(bare(e.name)) && (e.type === '0' || e.type === '7'),
    handle: async (e, src) => {
      const name = bare(e.name) as 'storages' | 'tensors';
      const head = await src.read(0, Math.min(2, src.size));
      if (head[0] !== 0x80) {
        // Not the legacy stream layout: scan it like any member.
        await ctx.scanNested(e.name, src);
        return;
      }
      present.add(name);
      const state: StreamState = { src, entry: e, ctx, sink };
      if (name === 'storages') await readStorages(state, known.storages);
      else await readTensors(state, known.tensors);
    },
    inspect: async (e, src) => {
      if (bare(e.name) !== 'pickle') return;
      present.add('pickle');
      const walk = await walkPickle(src, { budget: ctx.budget, maxStreams: 1 });
      // Tuples name module sources (checked by torch against the current code), not storages.
      ids = walk.persistentIds.filter((p) => !p.text.startsWith('(')).map((p) => ({ key: keyFromRendered(p.text), offset: p.at.byteOffset }));
    },
    finish: async () => {
      if (!present.has('storages')) return; // not a legacy checkpoint
      const missing = LEGACY_MEMBERS.filter((m) => !present.has(m));
      if (missing.length > 0) {
        sink.add({ ruleId: 'scan.pytorch.layout-anomaly', message: `legacy PyTorch tar checkpoint without ${missing.join(', ')}: torch.load fails on it` });
      }
      for (const site of ids) {
        const key = site.key;
        if (key === null) continue;
        if (!known.storages.has(key) && !known.tensors.has(key)) {
          sink.add({ ruleId: 'scan.pytorch.missing-storage', message: `the pickle references object ${key} at byte ${site.offset}, which neither the storages nor the tensors stream defines`, evidence: { key, byteOffset: site.offset } });
        }
      }
    },
  };
  return session;
};
