// Walks every pickle stream of a source: stacked pickles one after the other, until the end of the
// data, a broken stream, or bytes that are not a pickle (trailing data). One Recorder collects
// what all streams reach. `walkPickle` is the public entry point (PyTorch-zip checks, the UI);
// `PickleWalker` lets format analyzers (legacy PyTorch) run streams one at a time.
import { BufferSource, type ByteSource } from '../../io/byte-source.ts';
import { MAX_FILE_READING, fileReadingSegments, readSegments, realOffset } from './file-reading.ts';
import type { BudgetTracker } from '../types.ts';
import { PickleMachine, type StreamOutcome } from './machine.ts';
import { Recorder, type EmbeddedBytes, type GlobalSummary, type Issue } from './recorder.ts';
import type { PickleCallDetail, PicklePersistentIdDetail } from './detail.ts';

/** Top-level streams walked at most (each also counts against the scan's entry budget). */
export const MAX_STREAMS = 10_000;
const MAX_ARRAY_PROBES = 1000;

export interface WalkOptions {
  budget?: BudgetTracker;
  /** Byte range to walk; defaults to the whole source. */
  start?: number;
  end?: number;
  /** Stop after this many top-level streams (default: until the data ends). */
  maxStreams?: number;
}

export interface PickleWalkResult {
  /** Every stream walked, top-level and nested (joblib object arrays), by index. */
  streams: StreamOutcome[];
  /** Resolved calls kept for the view (bounded; `callCount` is exact). */
  calls: PickleCallDetail[];
  callCount: number;
  /** Every global the streams reached, aggregated by name. */
  globals: GlobalSummary[];
  /** Persistent ids in order (bounded; `persistentIdCount` is exact). PyTorch storages carry `storage`. */
  persistentIds: PicklePersistentIdDetail[];
  persistentIdCount: number;
  /** Byte strings that are, or are loaded as, pickles: to be scanned as nested units. */
  embedded: EmbeddedBytes[];
  issues: Array<Issue & { count: number }>;
  /** Where walking stopped. */
  end: number;
  /** Bytes after the last stream that are not a pickle. */
  trailing: { byteOffset: number; length: number } | null;
  /** A scanner bound that stopped the walk. */
  limit: string | null;
  recorder: Recorder;
}

export class PickleWalker {
  readonly rec: Recorder;
  readonly streams: StreamOutcome[] = [];
  private counter = 0;
  limit: string | null = null;

  /** Set on the walker of a second reading (file-reading.ts): its frames were already applied. */
  private alternative = false;

  constructor(private readonly source: ByteSource, private readonly budget?: BudgetTracker, rec?: Recorder) {
    this.rec = rec ?? new Recorder();
  }

  private readonly next = (): number => this.counter++;

  /** Runs one top-level stream starting at `pos`. */
  async stream(pos: number, end: number = this.source.size): Promise<StreamOutcome> {
    const nestedBefore = this.rec.nestedStreams.length;
    const machine = new PickleMachine(this.source, pos, end, this.rec, this.next, { budget: this.budget, stream: this.next(), ignoreFrames: this.alternative });
    const out = await machine.run();
    this.streams.push(out, ...this.rec.nestedStreams.slice(nestedBefore));
    if (out.limit && !this.limit) this.limit = out.limit;
    // A stream that broke may have broken on an opcode across a frame end (the violation is only
    // seen at the next opcode), so broken framed streams get the second reading too.
    const framedAndBroken = out.error !== null && (out.protocol ?? 0) >= 4;
    if ((out.frameViolation || framedAndBroken) && !this.alternative) await this.fileReading(out, end);
    return out;
  }

  /**
   * A stream with an opcode across a FRAME end is also read the way CPython's C unpickler reads
   * it from a file without peek() (torch.load's data.pkl): what that reading reaches is reported
   * too, at the real offsets.
   */
  private async fileReading(out: StreamOutcome, end: number): Promise<void> {
    const segments = await fileReadingSegments(this.source, out.start, Math.min(end, out.start + MAX_FILE_READING));
    if (!segments) return;
    const kept = segments.reduce((a, x) => a + x.length, 0);
    const dropped = Math.min(end, out.start + MAX_FILE_READING) - out.start - kept;
    const scratch = new PickleWalker(new BufferSource(await readSegments(this.source, segments)), this.budget);
    scratch.alternative = true;
    scratch.counter = this.counter;
    const alt = await scratch.stream(0);
    this.counter = scratch.counter;
    this.rec.absorb(scratch.rec, (at) => ({ ...at, stream: out.index, byteOffset: realOffset(segments, at.byteOffset) }));
    const ran = alt.calls > 0 || alt.globals > 0;
    this.rec.issue(`file-reading:${out.index}`, {
      ruleId: 'scan.pickle.frame-violation', severity: ran ? 'medium' : 'low',
      message: `stream ${out.index} read from a file without peek() (as torch.load reads a zip checkpoint's data.pkl) drops ${dropped} bytes at frame ends`
        + (ran ? ` and then makes ${alt.calls} call${alt.calls === 1 ? '' : 's'}${alt.firstCalls.length > 0 ? ` (${alt.firstCalls.slice(0, 3).join(', ')})` : ''}; they are reported with the other findings` : ''),
      at: { stream: out.index, opcodeIndex: 0, byteOffset: out.start },
      evidence: { droppedBytes: dropped, calls: alt.calls, error: alt.error?.message ?? null },
    });
  }

  /**
   * Tries bytes after a complete stream as one more stream. Accepted when it parses, or when it
   * reached a global or made a call before failing (then it is a malformed stream with content);
   * otherwise it is trailing data and leaves no trace.
   */
  async tryStream(pos: number, end: number = this.source.size): Promise<StreamOutcome | null> {
    const scratch = new PickleWalker(this.source, this.budget);
    scratch.alternative = this.alternative;
    scratch.counter = this.counter;
    const out = await scratch.stream(pos, end);
    if (out.error && out.calls === 0 && out.globals === 0) return null;
    this.counter = scratch.counter;
    this.rec.absorb(scratch.rec);
    this.streams.push(...scratch.streams);
    if (scratch.limit && !this.limit) this.limit = scratch.limit;
    return out;
  }

  /**
   * joblib reads the bytes after each NumpyArrayWrapper as array data, but a plain `pickle.load`
   * of the same file reads them as opcodes. Each skipped array is therefore also walked as a
   * pickle; the reading is kept (and reported) only when it makes a call, which array data never
   * does by accident.
   */
  async probeJoblibArrays(end: number = this.source.size): Promise<void> {
    const regions = this.rec.rawRegions.filter((r) => r.what.startsWith('joblib array')).slice(0, MAX_ARRAY_PROBES);
    for (const r of regions) {
      const scratch = new PickleWalker(this.source, this.budget);
      scratch.counter = this.counter;
      const out = await scratch.stream(r.byteOffset, end);
      if (out.calls === 0) continue;
      this.counter = scratch.counter;
      this.rec.absorb(scratch.rec);
      this.streams.push(...scratch.streams);
      this.rec.issue(`joblib-plain:${r.byteOffset}`, {
        ruleId: 'scan.pickle.joblib-array', severity: 'medium',
        message: `the ${r.length} bytes joblib reads as array data at byte ${r.byteOffset} are opcodes that make ${out.calls} call${out.calls === 1 ? '' : 's'} (${out.firstCalls.slice(0, 3).join(', ')}) when the file is read with plain pickle.load (stream ${out.index})`,
        at: { stream: out.index, opcodeIndex: 0, byteOffset: r.byteOffset },
      });
    }
  }

  result(end: number, trailing: PickleWalkResult['trailing']): PickleWalkResult {
    const rec = this.rec;
    return {
      streams: [...this.streams].sort((a, b) => a.index - b.index),
      calls: rec.calls,
      callCount: rec.callCount,
      globals: [...rec.globals.values()],
      persistentIds: rec.persistentIds,
      persistentIdCount: rec.persistentIdCount,
      embedded: rec.embedded,
      issues: rec.allIssues(),
      end,
      trailing,
      limit: this.limit,
      recorder: rec,
    };
  }
}

/**
 * Walks all pickle streams in `source` (or in [start, end)) with the symbolic machine: calls,
 * globals, persistent ids, streams and errors. Never throws for bad input; a BudgetExceeded from
 * the budget (time, bytes) propagates to the scan engine.
 */
export async function walkPickle(source: ByteSource, options: WalkOptions = {}): Promise<PickleWalkResult> {
  const start = options.start ?? 0;
  const end = Math.min(options.end ?? source.size, source.size);
  const maxStreams = Math.min(options.maxStreams ?? Infinity, MAX_STREAMS);
  const walker = new PickleWalker(source, options.budget);
  let pos = start;
  let trailing: PickleWalkResult['trailing'] = null;
  let count = 0;
  const first = await walker.stream(pos, end);
  count++;
  pos = first.end;
  let broken = first.error !== null || first.limit !== null;
  while (!broken && pos < end) {
    if (count >= maxStreams) {
      if (options.maxStreams === undefined) walker.limit ??= `more than ${MAX_STREAMS} stacked pickle streams`;
      break;
    }
    options.budget?.consumeEntry();
    const out = await walker.tryStream(pos, end);
    if (!out) {
      trailing = { byteOffset: pos, length: end - pos };
      break;
    }
    count++;
    pos = out.end;
    broken = out.error !== null || out.limit !== null;
  }
  await walker.probeJoblibArrays(end);
  return walker.result(pos, trailing);
}
