// The gzip and zlib analyzer: parses the framing itself (gzip member headers and trailers, zlib
// header), inflates with node:zlib under the scan budget, checks every checksum and length,
// reports bombs and trailing bytes, and hands the decompressed content to the engine as one
// nested unit (a tar, a pickle, a joblib dump...). Content up to 16 MiB is held in memory;
// larger content is served by re-inflating on demand, never written anywhere.
import { crc32 } from 'node:zlib';
import { BufferSource, SliceSource, type ByteSource } from '../../io/byte-source.ts';
import { BudgetExceeded, type Analyzer, type ScanContext } from '../types.ts';
import { allZero, u16, u32 } from './bytes.ts';
import { ChainedReader, concat, InflatedSource, InflateReader, type DeflateKind } from './inflate.ts';
import { IssueSink } from './issues.ts';
import { BOMB_MIN_BYTES, BOMB_RATIO } from './zip-analyzer.ts';
import { IN_MEMORY_MEMBER } from './zip-member.ts';

const GZIP_FHCRC = 0x02;
const GZIP_FEXTRA = 0x04;
const GZIP_FNAME = 0x08;
const GZIP_FCOMMENT = 0x10;
const MAX_GZIP_STRING = 64 * 1024;
/** Members of one gzip file followed at most (real files have one, `cat`-joined ones a few). */
const MAX_GZIP_MEMBERS = 10_000;

interface Segment {
  start: number;
  end: number;
  kind: DeflateKind;
}

interface GzipHeader {
  bodyStart: number;
  fileName: string | null;
}

export function createStreamAnalyzer(): Analyzer {
  return {
    formats: ['gzip', 'zlib'],
    analyze: (source, ctx) => (ctx.format === 'gzip' ? analyzeGzip(source, ctx) : analyzeZlib(source, ctx)),
  };
}

/** Reads one gzip member header at `at` (RFC 1952); null with an issue when it is not one. */
async function readGzipHeader(src: ByteSource, at: number, sink: IssueSink): Promise<GzipHeader | null> {
  const h = await src.read(at, Math.min(10, src.size - at));
  if (h.length < 10 || h[0] !== 0x1f || h[1] !== 0x8b) {
    sink.add({ ruleId: 'scan.archive.malformed-stream', byteOffset: at, message: `no gzip header at ${at}` });
    return null;
  }
  if (h[2] !== 8) {
    sink.add({ ruleId: 'scan.archive.unsupported-method', byteOffset: at, message: `gzip member at ${at} uses compression method ${h[2]}, not deflate; not scanned` });
    return null;
  }
  const flags = h[3]!;
  if (flags & 0xe0) sink.add({ ruleId: 'scan.archive.malformed-stream', byteOffset: at, message: `gzip member at ${at} sets reserved flag bits (0x${flags.toString(16)}); gunzip refuses such files` });
  let p = at + 10;
  if (flags & GZIP_FEXTRA) {
    const x = await src.read(p, Math.min(2, src.size - p));
    const xlen = u16(x, 0);
    if (xlen === null) return truncated(at, sink);
    p += 2 + xlen;
  }
  let fileName: string | null = null;
  const zeroTerminated = async (): Promise<string | null> => {
    const b = await src.read(p, Math.min(MAX_GZIP_STRING, Math.max(0, src.size - p)));
    const nul = b.indexOf(0);
    if (nul < 0) return null;
    p += nul + 1;
    return new TextDecoder('latin1').decode(b.subarray(0, nul));
  };
  if (flags & GZIP_FNAME) {
    fileName = await zeroTerminated();
    if (fileName === null) return truncated(at, sink);
  }
  if (flags & GZIP_FCOMMENT && (await zeroTerminated()) === null) return truncated(at, sink);
  if (flags & GZIP_FHCRC) p += 2;
  if (p > src.size) return truncated(at, sink);
  return { bodyStart: p, fileName };
}

function truncated(at: number, sink: IssueSink): null {
  sink.add({ ruleId: 'scan.archive.malformed-stream', byteOffset: at, message: `the gzip header at ${at} is truncated or has unterminated fields` });
  return null;
}

/** What one inflation pass learned: content kept in memory when small, size and checksum. */
interface Pass {
  kept: Uint8Array[] | null;
  produced: number;
  crc: number;
  consumed: number;
  error: string | null;
}

async function inflatePass(src: ByteSource, seg: Segment, ctx: ScanContext, producedBefore: number, keep: Uint8Array[] | null): Promise<Pass> {
  const reader = new InflateReader(src, seg.start, seg.end, seg.kind, ctx.budget);
  let kept = keep;
  let produced = 0;
  let crc = 0;
  try {
    for (let c = await reader.next(); c; c = await reader.next()) {
      produced += c.length;
      if (seg.kind === 'raw') crc = crc32(c, crc);
      if (kept && producedBefore + produced <= IN_MEMORY_MEMBER) kept.push(c);
      else kept = null;
    }
  } finally {
    reader.close();
  }
  const end = reader.end;
  return { kept, produced, crc, consumed: end.consumed, error: end.error };
}

async function analyzeGzip(source: ByteSource, ctx: ScanContext): Promise<void> {
  const sink = new IssueSink(ctx);
  const segments: Segment[] = [];
  let kept: Uint8Array[] | null = [];
  let produced = 0;
  let at = 0;
  let fileName: string | null = null;
  let ok = true;
  try {
    while (at < source.size && segments.length < MAX_GZIP_MEMBERS) {
      const header = await readGzipHeader(source, at, sink);
      if (!header) { ok = false; break; }
      if (segments.length === 0) fileName = header.fileName;
      const seg: Segment = { start: header.bodyStart, end: source.size, kind: 'raw' };
      const pass = await inflatePass(source, seg, ctx, produced, kept);
      kept = pass.kept;
      produced += pass.produced;
      if (pass.error) {
        sink.add({ ruleId: 'scan.archive.malformed-stream', byteOffset: at, message: `the gzip data starting at ${header.bodyStart} is damaged after ${pass.produced} bytes (${pass.error})` });
        segments.push(seg);
        ok = false;
        break;
      }
      seg.end = header.bodyStart + pass.consumed;
      segments.push(seg);
      const trailer = await source.read(seg.end, Math.min(8, source.size - seg.end));
      if (trailer.length < 8) {
        sink.add({ ruleId: 'scan.archive.malformed-stream', byteOffset: seg.end, message: 'the gzip trailer (CRC-32 and length) is missing: the file is truncated' });
        at = source.size;
        break;
      }
      if (u32(trailer, 0) !== pass.crc || u32(trailer, 4) !== pass.produced % 0x100000000) {
        sink.add({ ruleId: 'scan.archive.malformed-stream', byteOffset: seg.end, message: `the gzip trailer does not match the data (CRC-32 0x${u32(trailer, 0)!.toString(16)} vs 0x${pass.crc.toString(16)}, length ${u32(trailer, 4)} vs ${pass.produced % 0x100000000})` });
      }
      at = seg.end + 8;
      if (at < source.size) {
        const next = await source.read(at, 2);
        if (next[0] !== 0x1f || next[1] !== 0x8b) break;
      }
    }
  } catch (e) {
    if (e instanceof BudgetExceeded) reportBomb(sink, source.size, produced, true);
    throw e;
  }
  reportBomb(sink, source.size, produced, false);
  if (ok && at < source.size) await reportTrailing(source, at, ctx, sink);

  if (produced > 0) {
    const inner = innerName(ctx, fileName, /\.(t?gz|gzip|z)$/i, (n) => (/\.tgz$/i.test(n) ? n.replace(/\.tgz$/i, '.tar') : n));
    await ctx.scanNested(inner, contentSource(source, segments, kept, produced, ctx));
  }
  sink.flush();
}

async function analyzeZlib(source: ByteSource, ctx: ScanContext): Promise<void> {
  const sink = new IssueSink(ctx);
  const seg: Segment = { start: 0, end: source.size, kind: 'zlib' };
  let pass: Pass;
  try {
    pass = await inflatePass(source, seg, ctx, 0, []);
  } catch (e) {
    if (e instanceof BudgetExceeded) reportBomb(sink, source.size, 0, true);
    throw e;
  }
  if (pass.error) {
    sink.add({ ruleId: 'scan.archive.malformed-stream', byteOffset: 0, message: `the zlib stream is damaged after ${pass.produced} bytes (${pass.error})` });
  } else if (pass.consumed < source.size) {
    await reportTrailing(source, pass.consumed, ctx, sink);
  }
  reportBomb(sink, source.size, pass.produced, false);
  if (pass.produced > 0) {
    const inner = innerName(ctx, null, /\.(zlib|z)$/i, (n) => n);
    await ctx.scanNested(inner, contentSource(source, [seg], pass.kept, pass.produced, ctx));
  }
  sink.flush();
}

function contentSource(source: ByteSource, segments: readonly Segment[], kept: Uint8Array[] | null, produced: number, ctx: ScanContext): ByteSource {
  if (kept) return new BufferSource(concat(kept, produced));
  const open = segments.map((s) => () => new InflateReader(source, s.start, s.end, s.kind, ctx.budget));
  return new InflatedSource(() => new ChainedReader(open), produced);
}

function reportBomb(sink: IssueSink, compressed: number, produced: number, stopped: boolean): void {
  if (produced >= BOMB_MIN_BYTES && produced > BOMB_RATIO * Math.max(1, compressed)) {
    sink.add({
      ruleId: 'scan.archive.compression-bomb',
      message: `${compressed} compressed bytes expand to ${stopped ? 'more than ' : ''}${produced} bytes (ratio ${Math.round(produced / Math.max(1, compressed))})`,
      evidence: { compressed, decompressed: produced, stopped },
    });
  }
}

async function reportTrailing(source: ByteSource, at: number, ctx: ScanContext, sink: IssueSink): Promise<void> {
  const rest = source.size - at;
  const probe = await source.read(at, Math.min(rest, 1024 * 1024));
  if (rest <= 1024 * 1024 && allZero(probe)) return; // zero padding (tape blocks) is harmless
  sink.add({ ruleId: 'scan.archive.unaccounted-data', byteOffset: at, message: `${rest} bytes follow the end of the compressed stream`, evidence: { offset: at, length: rest } });
  await ctx.scanNested(`[trailing bytes at ${at}]`, new SliceSource(source, at, rest));
}

/** Name of the decompressed unit: the name stored in the gzip header, else the outer name without its suffix. */
function innerName(ctx: ScanContext, stored: string | null, suffix: RegExp, rename: (n: string) => string): string {
  const base = (n: string) => n.split(/[\\/]/).pop() ?? n;
  if (stored && stored.length > 0) return base(stored);
  const outer = ctx.members[ctx.members.length - 1];
  if (outer && suffix.test(outer)) {
    const renamed = rename(base(outer));
    return renamed === base(outer) ? base(outer).replace(suffix, '') : renamed;
  }
  return '(decompressed)';
}
