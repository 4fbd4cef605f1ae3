// The pickle analyzer (plain pickles and joblib dumps) and the steps every pickle-bearing format
// shares: report a walk, scan the byte strings that hold or are loaded as pickles as nested units,
// and store the view detail.
import { BufferSource, SliceSource, type ByteSource } from '../../io/byte-source.ts';
import type { Analyzer, ScanContext } from '../types.ts';
import type { PickleDetail, PickleEmbeddedDetail, PickleOpcodeEntry, PickleStreamDetail } from './detail.ts';
import { disassemble } from './disasm.ts';
import { reportWalk } from './report.ts';
import { LIMITS, type EmbeddedBytes } from './recorder.ts';
import { BYTES_INLINE, BYTES_RAW, BYTES_UTF8_AS_LATIN1, type BytesVal } from './values.ts';
import { walkPickle, type PickleWalkResult } from './walk.ts';

/** Opcodes listed from the start of each stream (then only those that take part in calls). */
export const LISTING_HEAD = 2000;
const DETAIL_STREAMS = LIMITS.listedStreams;
const MAX_EMBEDDED_SCANS = 64;
/** Protocol 2 `_codecs.encode` bytes are re-encoded in memory up to this size. */
const MAX_TRANSCODE = 64 * 1024 * 1024;

export interface PickleReportOptions {
  /** Added to byte offsets in findings and detail (the walked source is a slice). */
  offsetBase?: number;
  prefix?: string;
  /** Extra fields for the detail (format-specific: legacy PyTorch structure...). */
  extraDetail?: Record<string, unknown>;
}

async function embeddedSource(b: BytesVal, source: ByteSource): Promise<ByteSource | null> {
  if (b.encoding === BYTES_RAW) return new SliceSource(source, b.offset, b.length);
  if (b.encoding === BYTES_INLINE) return b.inline ? new BufferSource(b.inline) : null;
  if (b.encoding === BYTES_UTF8_AS_LATIN1) {
    if (b.length > MAX_TRANSCODE) return null;
    const raw = await source.read(b.offset, b.length);
    const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c > 0xff) return null; // latin-1 encoding fails at load time: nothing runs
      out[i] = c;
    }
    return new BufferSource(out);
  }
  return null;
}

function looksLikeContainer(head: Uint8Array): boolean {
  return head.length >= 2 && ((head[0] === 0x80 && head[1]! >= 2 && head[1]! <= 5) || (head[0] === 0x50 && head[1] === 0x4b));
}

/** Scans embedded pickles (and loader arguments) as nested units; returns what the view shows. */
async function scanEmbedded(result: PickleWalkResult, source: ByteSource, ctx: ScanContext, base: number, prefix: string): Promise<PickleEmbeddedDetail[]> {
  const shown: PickleEmbeddedDetail[] = [];
  let scans = 0;
  for (const e of result.embedded) {
    const where = e.bytes.encoding === BYTES_RAW ? base + e.bytes.offset : base + e.at.byteOffset;
    const detail: PickleEmbeddedDetail = { byteOffset: where, length: e.bytes.length, unit: null, loader: e.loader, note: '' };
    shown.push(detail);
    if (scans >= MAX_EMBEDDED_SCANS) {
      detail.note = 'not scanned: too many embedded pickles in one file';
      if (scans === MAX_EMBEDDED_SCANS) {
        ctx.report({ ruleId: 'scan.budget-exceeded', severity: 'medium', message: `${prefix}more than ${MAX_EMBEDDED_SCANS} embedded pickles; the rest were not scanned`, location: { byteOffset: where } });
        scans++;
      }
      continue;
    }
    const src = await embeddedSource(e.bytes, source);
    if (!src) {
      detail.note = e.bytes.length > MAX_TRANSCODE ? 'not scanned: too large to re-encode' : 'not scanned: the text cannot be encoded as latin-1, so loading fails';
      if (e.loader && e.bytes.length > MAX_TRANSCODE) {
        ctx.report({ ruleId: 'scan.budget-exceeded', severity: 'medium', message: `${prefix}${e.bytes.length} bytes passed to \`${e.loader}\` are too large to re-encode and scan`, location: { byteOffset: where, opcodeIndex: e.at.opcodeIndex } });
      }
      continue;
    }
    if (!e.loader) {
      // Bytes that merely start like a pickle: only a stream that parses or reaches a global counts.
      const probe = await walkPickle(src, { budget: ctx.budget, maxStreams: 1 });
      const s0 = probe.streams[0];
      if (!s0 || (s0.error && s0.calls === 0 && s0.globals === 0)) {
        detail.note = 'starts like a pickle but is not one: treated as data';
        continue;
      }
    }
    scans++;
    const unit = `bytes@${where}`;
    detail.unit = unit;
    const head = await src.read(0, Math.min(2, src.size));
    if (looksLikeContainer(head)) {
      await ctx.scanNested(unit, src);
    } else {
      // A loader argument without a protocol header: run the machine on it here, whatever it looks like.
      const inner = await walkPickle(src, { budget: ctx.budget });
      reportWalk(inner, {
        report: (f) => ctx.report(f),
        offsetBase: e.bytes.encoding === BYTES_RAW ? base + e.bytes.offset : 0,
        prefix: `${prefix}in the bytes passed to \`${e.loader}\` at byte ${where}${e.bytes.encoding === BYTES_RAW ? '' : ' (offsets within those bytes)'}: `,
      });
    }
    if (e.loader) {
      detail.note = `loaded by ${e.loader}; scanned as ${unit}`;
      ctx.report({
        ruleId: 'scan.pickle.embedded-loader',
        severity: e.benignLoader ? 'info' : 'low',
        message: `${prefix}\`${e.loader}\` loads ${e.bytes.length} bytes embedded in this file at byte ${where}; they were scanned as ${unit} and the verdict follows what they contain`,
        location: { byteOffset: base + e.at.byteOffset, opcodeIndex: e.at.opcodeIndex },
        evidence: { loader: e.loader, unit, length: e.bytes.length, stream: e.at.stream },
      });
    } else {
      detail.note = `holds a pickle; scanned as ${unit}`;
      ctx.report({
        ruleId: 'scan.pickle.embedded-pickle',
        severity: 'info',
        message: `${prefix}a ${e.bytes.typeName} of ${e.bytes.length} bytes at byte ${where} holds a pickle; it was scanned as ${unit}`,
        location: { byteOffset: base + e.at.byteOffset, opcodeIndex: e.at.opcodeIndex },
        evidence: { unit, length: e.bytes.length, stream: e.at.stream },
      });
    }
  }
  return shown;
}

/** The view detail: listings of the first streams, calls, globals, persistent ids. */
export async function buildDetail(result: PickleWalkResult, source: ByteSource, embedded: PickleEmbeddedDetail[], base = 0): Promise<PickleDetail> {
  const rec = result.recorder;
  const skip = [
    ...rec.rawRegions,
    ...result.streams.filter((s) => s.nestedIn !== null).map((s) => ({ byteOffset: s.start, length: s.end - s.start })),
  ];
  const shift = <T extends { byteOffset: number }>(x: T): T => ({ ...x, byteOffset: x.byteOffset + base });
  const streams: PickleStreamDetail[] = [];
  for (const s of result.streams.slice(0, DETAIL_STREAMS)) {
    const { entries } = await disassemble(source, { start: s.start, end: source.size, maxOps: Math.min(LISTING_HEAD, s.opcodeCount), skip: skip.filter((r) => r.byteOffset > s.start) });
    const marks = rec.callOpcodes.get(s.index);
    const listing: PickleOpcodeEntry[] = entries.map(shift);
    if (marks) {
      for (const e of listing) {
        const m = marks.get(e.index);
        if (m) {
          if (m.call >= 0) e.call = m.call;
          e.tier = m.tier;
        }
      }
      const later = [...marks.entries()].filter(([i]) => i >= listing.length).sort((a, b) => a[0] - b[0]);
      for (const [index, m] of later) {
        const e: PickleOpcodeEntry = { index, byteOffset: m.byteOffset + base, op: m.op, tier: m.tier };
        if (m.call >= 0) e.call = m.call;
        listing.push(e);
      }
    }
    streams.push({
      index: s.index,
      byteOffset: s.start + base,
      length: s.end - s.start,
      protocol: s.protocol,
      opcodeCount: s.opcodeCount,
      opcodes: listing,
      opcodesOmitted: Math.max(0, s.opcodeCount - listing.length),
      error: s.error ? { ...s.error, byteOffset: s.error.byteOffset + base } : null,
      nestedIn: s.nestedIn,
    });
  }
  return {
    streams,
    streamCount: result.streams.length,
    calls: result.calls.map((c) => ({ ...c, at: shift(c.at), definedAt: c.definedAt ? shift(c.definedAt) : null })),
    callCount: result.callCount,
    globals: result.globals.map((g) => ({
      name: g.module ? `${g.module}.${g.name}` : g.name,
      resolvedAs: g.classification.matched,
      via: g.via,
      tier: g.classification.ruleId === 'scan.pickle.unresolved-call' ? 'unresolved' : g.classification.tier,
      ruleId: g.classification.ruleId,
      reason: g.classification.reason,
      references: g.use.references,
      calls: g.use.calls,
      firstReference: shift(g.firstReference),
    })),
    persistentIds: result.persistentIds.map((p) => ({ ...p, at: shift(p.at) })),
    persistentIdCount: result.persistentIdCount,
    embedded,
    rawRegions: rec.rawRegions.map(shift),
    trailing: result.trailing ? shift(result.trailing) : null,
  };
}

/** Reports a walk, scans its embedded pickles, and stores the `pickle` detail. */
export async function finishPickleScan(result: PickleWalkResult, source: ByteSource, ctx: ScanContext, options: PickleReportOptions = {}): Promise<void> {
  const base = options.offsetBase ?? 0;
  const prefix = options.prefix ?? '';
  reportWalk(result, { report: (f) => ctx.report(f), offsetBase: base, prefix });
  const embedded = await scanEmbedded(result, source, ctx, base, prefix);
  const detail = await buildDetail(result, source, embedded, base);
  ctx.detail('pickle', options.extraDetail ? { ...detail, ...options.extraDetail } : detail);
}

/** Plain pickles (protocols 0–5, stacked streams) and joblib dumps. */
export const pickleAnalyzer: Analyzer = {
  formats: ['pickle', 'joblib'],
  async analyze(source, ctx) {
    const result = await walkPickle(source, { budget: ctx.budget });
    await finishPickleScan(result, source, ctx);
  },
};

export type { EmbeddedBytes };
