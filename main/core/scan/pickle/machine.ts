// The symbolic pickle machine: executes one pickle stream the way CPython's C unpickler does
// (stack with a fence at the top mark, mark stack, memo, frames), but instead of importing and
// calling it records what every GLOBAL, STACK_GLOBAL, INST, EXT, REDUCE, NEWOBJ(_EX), OBJ and
// BUILD refers to and calls. It streams the source in windows and keeps only bounded values, so
// memory does not grow with the file. Errors the real unpickler would raise end the stream as a
// PickleFault (a finding, never an exception to the caller).
import type { ByteSource } from '../../io/byte-source.ts';
import type { BudgetTracker } from '../types.ts';
import { parseTypeString } from '../numpy/dtype.ts';
import { ASCII_TEXT_MAX, asciiOrNull } from './ascii.ts';
import { BoundedMemo } from './memo.ts';
import { opcodeName } from './opcodes.ts';
import {
  BYTE_LOADERS, CALLS_ARGUMENT, RESOLVERS, SPECIAL_BYTE_LOADER, SPECIAL_CALLS_ARGUMENT, SPECIAL_CODECS_ENCODE,
  SPECIAL_KEEP_RESULT, SPECIAL_RESOLVER, classifyGlobal, extensionClassification, unresolvedClassification,
} from './policy.ts';
import type { Loc, Recorder } from './recorder.ts';
import {
  BYTES_INLINE, BYTES_RAW, BYTES_UTF8_AS_LATIN1, BufferVal, BytesVal, CallVal, DictVal, FLOAT, GlobalVal, K,
  ListVal, MAX_TUPLE_ITEMS, ModuleVal, OpaqueVal, PersVal, SetVal, TextVal, TupleVal, isDunder, render,
  renderArgs, typeName, type CallKind, type Value,
} from './values.ts';

/** An error the real unpickler raises: the stream ends here. */
export class PickleFault extends Error {
  constructor(message: string, readonly ruleId = 'scan.pickle.malformed') {
    super(message);
    this.name = 'PickleFault';
  }
}

/** One of the scanner's own bounds was reached: the rest of the stream is not analysed. */
export class PickleLimit extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PickleLimit';
  }
}

const WINDOW = 4 * 1024 * 1024;
const AHEAD_OVERLAP = 64 * 1024;
/** Every fixed-size argument fits in this many bytes after the opcode. */
const MIN_AVAIL = 16;
/** Strings up to this many bytes are kept whole; longer ones keep a head and their location. */
const STR_KEEP = 256;
const INLINE_BYTES = 48;
const LINE_MAX_SYNC = 1024 * 1024;
const MAX_STACK = 2 * 1024 * 1024;
const MAX_MARKS = 2 * 1024 * 1024;
const MAX_NESTED_STREAM_DEPTH = 4;

const EMPTY = new Uint8Array(0);
const EMPTY_TEXT = Buffer.alloc(0) as Buffer & Slicing;
const EMPTY_TUPLE = new TupleVal([], 0);
const BIG_INT = new OpaqueVal('an integer too large to keep');
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

const JOBLIB_WRAPPERS: ReadonlySet<string> = new Set([
  'joblib.numpy_pickle.NumpyArrayWrapper', 'sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper',
]);
const NUMPY_DTYPE: ReadonlySet<string> = new Set(['numpy.dtype']);

// Results of the synchronous inner loop.
const DONE = 0;
const NEED_FILL = 1;
const NEED_BYTES = 2;
const PENDING = 3;

interface LineRef {
  /** Raw bytes of the line without the newline, when it was read whole. */
  bytes: Uint8Array | null;
  start: number;
  length: number;
  head: string;
}

type Pending =
  | { kind: 'long-line'; op: number; opPos: number; idx: number }
  | { kind: 'joblib'; state: Value; at: Loc };

export interface StreamError {
  message: string;
  byteOffset: number;
  opcodeIndex: number;
  ruleId: string;
}

export interface StreamOutcome {
  index: number;
  /** Stream index this one is embedded in (joblib object arrays), or null. */
  nestedIn: number | null;
  start: number;
  /** Offset just after STOP, or where the stream broke off. */
  end: number;
  protocol: number | null;
  opcodeCount: number;
  stopValue: Value | undefined;
  error: StreamError | null;
  /** A scanner bound that stopped the stream (reported as budget exceeded, not malformed). */
  limit: string | null;
  calls: number;
  /** The first callables called, for error-after-call evidence. */
  firstCalls: string[];
  globals: number;
  /** An opcode crossed a FRAME end: CPython reading from a file without peek() sees other bytes. */
  frameViolation: boolean;
}

export interface MachineOptions {
  budget?: BudgetTracker;
  stream: number;
  nestedIn?: number | null;
  depth?: number;
  /** Frames are not tracked (a reading whose frame ends were already applied, see file-reading.ts). */
  ignoreFrames?: boolean;
}

/** Buffer's decoders without the toString(encoding) dispatch (present on every Node Buffer). */
interface Slicing {
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
}

function u32(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x1000000;
}

function i32(b: Uint8Array, p: number): number {
  return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
}

/** Unsigned 64-bit little-endian; values past 2^53 become Infinity (always past the end). */
function u64(b: Uint8Array, p: number): number {
  const hi = u32(b, p + 4);
  if (hi >= 0x200000) return Infinity;
  return hi * 0x100000000 + u32(b, p);
}

function signedLE(b: Uint8Array, p: number, n: number): number | bigint {
  if (n === 0) return 0;
  if (n <= 6) {
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + b[p + i]!;
    const sign = 2 ** (8 * n - 1);
    return v >= sign ? v - 2 * sign : v;
  }
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[p + i]!);
  if (b[p + n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
  return v;
}

function isPickleHead(b0: number | undefined, b1: number | undefined): boolean {
  return b0 === 0x80 && b1 !== undefined && b1 >= 2 && b1 <= 5;
}

const INT_LINE = /^\s*[+-]?(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*)\s*$/;
const FLOAT_LINE = /^[+-]?(([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?|inf|infinity|nan)$/i;
const DEC_LINE = /^\s*[+-]?[0-9][0-9_]*\s*$/;

function parseIntLine(s: string): number | bigint | null {
  if (!INT_LINE.test(s)) return null;
  const t = s.trim().replace(/_/g, '');
  const neg = t.startsWith('-');
  const body = t.replace(/^[+-]/, '');
  try {
    // strtol base 0 reads a leading 0 as octal; the value never decides a verdict.
    const b = /^0[0-7]+$/.test(body) ? BigInt(`0o${body.slice(1)}`) : BigInt(body);
    const v = neg ? -b : b;
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  } catch {
    return null;
  }
}

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

/** Python 2 STRING argument escapes (PyBytes_DecodeEscape), to bytes. */
function decodeStringEscapes(b: Uint8Array): Uint8Array | null {
  const out = new Uint8Array(b.length);
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c !== 0x5c) {
      out[n++] = c;
      continue;
    }
    i++;
    if (i >= b.length) return null; // trailing backslash
    const e = b[i]!;
    const simple: Record<number, number> = { 0x5c: 0x5c, 0x27: 0x27, 0x22: 0x22, 0x62: 8, 0x66: 12, 0x74: 9, 0x6e: 10, 0x72: 13, 0x76: 11, 0x61: 7 };
    if (e === 0x0a) continue; // backslash-newline
    if (simple[e] !== undefined) {
      out[n++] = simple[e]!;
    } else if (e >= 0x30 && e <= 0x37) {
      let v = e - 0x30;
      for (let k = 0; k < 2 && i + 1 < b.length && b[i + 1]! >= 0x30 && b[i + 1]! <= 0x37; k++) v = v * 8 + (b[++i]! - 0x30);
      out[n++] = v & 0xff;
    } else if (e === 0x78) {
      const h = latin1(b.subarray(i + 1, i + 3));
      if (!/^[0-9a-fA-F]{2}$/.test(h)) return null; // invalid \x escape
      out[n++] = parseInt(h, 16);
      i += 2;
    } else {
      out[n++] = 0x5c; // unknown escapes are kept verbatim
      out[n++] = e;
    }
  }
  return out.subarray(0, n);
}

/** raw-unicode-escape (UNICODE opcode): only \uXXXX and \UXXXXXXXX are escapes. */
function decodeRawUnicodeEscape(b: Uint8Array): string | null {
  let s = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x5c && i + 1 < b.length && (b[i + 1] === 0x75 || b[i + 1] === 0x55)) {
      // An odd run of backslashes escapes; an even one is literal.
      let run = 1;
      while (i - run >= 0 && b[i - run] === 0x5c) run++;
      if (run % 2 === 1) {
        const width = b[i + 1] === 0x75 ? 4 : 8;
        const hex = latin1(b.subarray(i + 2, i + 2 + width));
        if (hex.length !== width || !/^[0-9a-fA-F]+$/.test(hex)) return null;
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff) return null;
        s += String.fromCodePoint(cp);
        i += 1 + width;
        continue;
      }
    }
    s += String.fromCharCode(c);
  }
  return s;
}

/** Latin-1 encoding of a str, as `_codecs.encode(s, 'latin1')` does; null if a char is above U+00FF. */
function latin1Bytes(s: string): Uint8Array | null {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) return null;
    out[i] = c;
  }
  return out;
}

/** Values Python can never call: calling them raises TypeError before anything runs. */
function notCallable(v: Value): boolean {
  if (v === null || typeof v !== 'object') return true;
  switch (v.k) {
    case K.Float: case K.Bytes: case K.Text: case K.Tuple: case K.List: case K.Dict: case K.Set: case K.Buffer: case K.Module:
      return true;
    default:
      return false;
  }
}

function knownNonTuple(v: Value): boolean {
  if (v === null || typeof v !== 'object') return true;
  return v.k !== K.Tuple && v.k !== K.Call && v.k !== K.Pers && v.k !== K.Opaque;
}

function knownNonDict(v: Value): boolean {
  if (v === null || typeof v !== 'object') return true;
  return v.k !== K.Dict && v.k !== K.Call && v.k !== K.Pers && v.k !== K.Opaque;
}

/** An object a dict built just above it may become the BUILD state of (or, for a tuple, the keyword arguments next to). */
function mayReceiveState(v: Value): boolean {
  if (v === null || typeof v !== 'object') return false;
  return v.k === K.Call || v.k === K.Global || v.k === K.Module || v.k === K.Pers || v.k === K.Opaque || v.k === K.Tuple;
}

function tupleItem(v: Value, i: number): Value | undefined {
  return v instanceof TupleVal ? v.item(i) : undefined;
}

function dunderStateKey(state: Value): string | null {
  if (state instanceof DictVal) return state.dunderKey;
  if (state instanceof TupleVal && state.size === 2) {
    for (const part of state.items) if (part instanceof DictVal && part.dunderKey) return part.dunderKey;
  }
  return null;
}

function describeStateKeys(state: Value): string {
  const dicts = state instanceof DictVal ? [state] : state instanceof TupleVal ? state.items.filter((x): x is DictVal => x instanceof DictVal) : [];
  const keys = dicts.flatMap((d) => d.keys().filter((k): k is string => typeof k === 'string')).slice(0, 8);
  return keys.length > 0 ? `keys ${keys.map((k) => `'${k}'`).join(', ')}` : render(state, 80);
}

/** The top n (1 to 3) values of the stack as a tuple, popped. */
function popSmallTuple(stack: Value[], n: number): TupleVal {
  const last = stack.pop()!;
  if (n === 1) return new TupleVal([last], 1);
  const middle = stack.pop()!;
  if (n === 2) return TupleVal.pair(middle, last);
  return new TupleVal([stack.pop()!, middle, last], 3);
}

/** The class an object was built from, when the machine knows it. */
export function instanceClass(v: Value): GlobalVal | null {
  if (!(v instanceof CallVal)) return null;
  let callee: Value = v.callee;
  if (callee instanceof CallVal && callee.resolved instanceof GlobalVal) callee = callee.resolved;
  if (!(callee instanceof GlobalVal)) return null;
  if (v.kind === 'reduce') {
    const c = callee.classification.canonical;
    if (c === 'copyreg._reconstructor' || c === 'copyreg.__newobj__' || c === 'copyreg.__newobj_ex__') {
      const cls = tupleItem(v.args, 0);
      return cls instanceof GlobalVal ? cls : null;
    }
  }
  return callee;
}

/**
 * The fast loop's opcodes, numbered 1..n in the order its cases take them (0: any other). A
 * switch over these dense codes compiles to a jump table; one over the opcode bytes compiled to a
 * chain of comparisons, the largest single cost of the loop.
 */
const FAST_OPS = [
  0x68, // 1 BINGET
  0x94, // 2 MEMOIZE
  0x4b, // 3 BININT1
  0x4a, // 4 BININT
  0x4d, // 5 BININT2
  0x47, // 6 BINFLOAT
  0x4e, // 7 NONE
  0x88, // 8 NEWTRUE
  0x89, // 9 NEWFALSE
  0x28, // 10 MARK
  0x7d, // 11 EMPTY_DICT
  0x5d, // 12 EMPTY_LIST
  0x29, // 13 EMPTY_TUPLE
  0x85, // 14 TUPLE1
  0x86, // 15 TUPLE2
  0x8c, // 16 SHORT_BINUNICODE
  0x75, // 17 SETITEMS
  0x65, // 18 APPENDS
  0x71, // 19 BINPUT
  0x87, // 20 TUPLE3
];
const FAST_CODE = new Uint8Array(256);
for (let i = 0; i < FAST_OPS.length; i++) FAST_CODE[FAST_OPS[i]!] = i + 1;

export class PickleMachine {
  private buf: Uint8Array = EMPTY;
  /** The same window as a Buffer, for string decoding. */
  private text: Buffer & Slicing = EMPTY_TEXT;
  private bufStart: number;
  private pos = 0;
  private limit: number;
  private readonly stack: Value[] = [];
  private readonly marks: number[] = [];
  private fence = 0;
  private readonly memo: BoundedMemo;
  /** The last memo keys holding strings that were stored or fetched: names a STACK_GLOBAL uses get pinned. */
  private readonly recentKeys = new Float64Array([-1, -1, -1, -1]);
  private recentAt = 0;
  private proto: number | null = null;
  private opIndex = 0;
  private opStart: number;
  private frameEnd = -1;
  private frameViolation = false;
  private need = 0;
  private pending: Pending | null = null;
  /** The next window, being read while the current one is parsed. */
  private ahead: { offset: number; length: number; data: Promise<Uint8Array> } | null = null;
  private callsMade = 0;
  private globalsSeen = 0;
  private readonly firstCalls: string[] = [];
  private stopValue: Value | undefined = undefined;
  private readonly stream: number;
  private readonly nestedIn: number | null;
  private readonly depth: number;
  private readonly budget: BudgetTracker | undefined;
  private readonly ignoreFrames: boolean;

  constructor(
    private readonly src: ByteSource,
    private readonly start: number,
    end: number,
    private readonly rec: Recorder,
    private readonly nextStream: () => number,
    options: MachineOptions,
  ) {
    this.bufStart = start;
    this.opStart = start;
    this.limit = end;
    this.memo = new BoundedMemo(end - start);
    this.stream = options.stream;
    this.nestedIn = options.nestedIn ?? null;
    this.depth = options.depth ?? 0;
    this.budget = options.budget;
    this.ignoreFrames = options.ignoreFrames ?? false;
  }

  async run(): Promise<StreamOutcome> {
    let error: StreamError | null = null;
    let limit: string | null = null;
    try {
      await this.fill(MIN_AVAIL);
      for (;;) {
        const r = this.runSync();
        if (r === DONE) break;
        if (r === NEED_FILL) await this.fill(MIN_AVAIL);
        else if (r === NEED_BYTES) await this.fill(this.need);
        else if (r === PENDING) await this.runPending();
      }
    } catch (e) {
      if (e instanceof PickleFault) {
        error = { message: e.message, byteOffset: this.opStart, opcodeIndex: Math.max(0, this.opIndex - 1), ruleId: e.ruleId };
      } else if (e instanceof PickleLimit) {
        limit = e.message;
      } else {
        throw e;
      }
    }
    if (this.frameViolation) {
      this.rec.issue(`frame:${this.stream}`, {
        ruleId: 'scan.pickle.frame-violation', severity: 'low',
        message: `stream ${this.stream}: an opcode crosses a protocol 4 FRAME boundary; CPython's C unpickler accepts it, the pure-Python unpickler refuses it`,
        at: { stream: this.stream, opcodeIndex: 0, byteOffset: this.start },
      });
    }
    return {
      index: this.stream,
      nestedIn: this.nestedIn,
      start: this.start,
      end: error || limit ? this.opStart : this.bufStart + this.pos,
      protocol: this.proto,
      opcodeCount: this.opIndex,
      stopValue: this.stopValue,
      error,
      limit,
      calls: this.callsMade,
      firstCalls: this.firstCalls,
      globals: this.globalsSeen,
      frameViolation: this.frameViolation,
    };
  }

  // ---- reading -------------------------------------------------------------------------------

  private atEnd(): boolean {
    return this.bufStart + this.buf.length >= this.limit;
  }

  private async fill(min: number): Promise<void> {
    const off = this.bufStart + this.pos;
    if (off > this.limit) {
      this.opStart = Math.min(this.opStart, this.limit);
      throw new PickleFault(`pickle data was truncated: a length runs ${off - this.limit} bytes past the end`);
    }
    this.budget?.checkTime();
    const want = Math.min(this.limit - off, Math.max(WINDOW, min));
    let data: Uint8Array | null = null;
    let dataStart = off;
    const ahead = this.ahead;
    this.ahead = null;
    if (ahead && off >= ahead.offset && off + Math.min(min, this.limit - off) <= ahead.offset + ahead.length) {
      const got = await ahead.data;
      if (got.length < ahead.length) this.limit = Math.min(this.limit, ahead.offset + got.length); // the source ended early
      if (off + Math.min(min, this.limit - off) <= ahead.offset + got.length) {
        data = got;
        dataStart = ahead.offset;
      }
    }
    if (data === null) data = want > 0 ? await this.src.read(off, want) : EMPTY;
    if (dataStart === off && data.length < want) this.limit = off + data.length; // the source ended early
    this.buf = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.text = Buffer.from(data.buffer, data.byteOffset, data.byteLength) as Buffer & Slicing;
    this.bufStart = dataStart;
    this.pos = off - dataStart;
    // Read the next window while this one is parsed; it overlaps this one so that an opcode cut
    // by the window end can still be served from it.
    const next = this.bufStart + this.buf.length - AHEAD_OVERLAP;
    if (this.bufStart + this.buf.length < this.limit && next > off) {
      const length = Math.min(WINDOW, this.limit - next);
      const read = this.src.read(next, length);
      read.catch(() => undefined); // a failed read-ahead is redone (and reported) by the next fill
      this.ahead = { offset: next, length, data: read };
    }
  }

  private loc(): Loc {
    return { stream: this.stream, opcodeIndex: this.opIndex - 1, byteOffset: this.opStart };
  }

  private truncated(what: string): PickleFault {
    return new PickleFault(`pickle data was truncated: ${what} runs past the end of the data`);
  }

  /** Ensures `n` bytes from `p`; false means "rewind and fill", a fault means the data ends. */
  private have(p: number, n: number, op: number): boolean {
    if (this.buf.length - p >= n) return true;
    if (this.atEnd()) throw this.truncated(opcodeName(op));
    return false;
  }

  /** Skips `n` payload bytes from `p` (possibly past the window); checks they exist. */
  private skipTo(p: number, n: number, op: number): void {
    if (this.bufStart + p + n > this.limit) throw this.truncated(opcodeName(op));
    this.pos = p + n;
  }

  /** Drops the stack above `x` (a few pops are cheaper than a length store). */
  private truncate(x: number): void {
    const stack = this.stack;
    if (stack.length - x <= 16) while (stack.length > x) stack.pop();
    else stack.length = x;
  }

  // ---- stack ---------------------------------------------------------------------------------

  private underflow(): PickleFault {
    return new PickleFault(this.marks.length > 0 ? 'unexpected MARK found' : 'unpickling stack underflow');
  }

  private push(v: Value): void {
    if (this.stack.length >= MAX_STACK) throw new PickleLimit(`stream ${this.stream}: more than ${MAX_STACK} values on the unpickling stack`);
    this.stack.push(v);
  }

  private pop(): Value {
    if (this.stack.length <= this.fence) throw this.underflow();
    return this.stack.pop()!;
  }

  private top(): Value {
    if (this.stack.length <= this.fence) throw this.underflow();
    return this.stack[this.stack.length - 1]!;
  }

  private marker(): number {
    const m = this.marks.pop();
    if (m === undefined) throw new PickleFault('could not find MARK');
    this.fence = this.marks.length > 0 ? this.marks[this.marks.length - 1]! : 0;
    return m;
  }

  private popTuple(start: number): TupleVal {
    if (start < this.fence) throw this.underflow();
    const stack = this.stack;
    const n = stack.length - start;
    if (n === 0) return EMPTY_TUPLE;
    if (n <= 3) return popSmallTuple(stack, n);
    const items = n <= MAX_TUPLE_ITEMS ? stack.slice(start) : stack.slice(start, start + MAX_TUPLE_ITEMS);
    this.truncate(start);
    return new TupleVal(items, n);
  }

  // ---- the loop ------------------------------------------------------------------------------

  private rewind(p: number, idx: number, need: number): number {
    this.pos = p;
    this.opIndex = idx;
    this.need = need;
    return NEED_BYTES;
  }

  /** UTF-8 text of the window; ASCII (the usual case) takes the cheaper latin-1 decoder. */
  private decodeUtf8(from: number, to: number): string {
    const buf = this.buf;
    // Short ASCII (dict keys, names) is built in JavaScript: a call into the binding costs more.
    if (to - from <= ASCII_TEXT_MAX) return asciiOrNull(buf, from, to - from) ?? this.text.utf8Slice(from, to);
    for (let i = from; i < to; i++) if (buf[i]! >= 0x80) return this.text.utf8Slice(from, to);
    return this.text.latin1Slice(from, to);
  }

  /**
   * The commonest data opcodes of large pickles, with locals instead of fields. Stops, leaving the
   * opcode for the general loop, at anything else: other opcodes, a frame end, a window end, the
   * periodic time check, and any case that could fail (so errors are always raised by one place).
   */
  private fastLoop(): void {
    const buf = this.buf;
    const stack = this.stack;
    const memo = this.memo;
    const low = memo.low;
    const marks = this.marks;
    // The fence lives in a local here (nothing called from this loop reads it) and is stored back on exit.
    let fence = this.fence;
    let p = this.pos;
    let idx = this.opIndex;
    const stop = Math.min(buf.length - MIN_AVAIL, this.frameEnd >= 0 ? this.frameEnd - this.bufStart : Infinity);
    // Every opcode here adds at most one value to the stack, so stopping this many opcodes early
    // keeps the stack under MAX_STACK without a check per opcode (the general loop raises the limit).
    const idxStop = Math.min(idx | 0xffff, idx + MAX_STACK - stack.length);
    while (p < stop && idx < idxStop) {
      const code = FAST_CODE[buf[p]!];
      switch (code) {
        case 1: { // BINGET: keys < 256 always sit in the memo's low table
          const key = buf[p + 1]!;
          let v = low[key];
          if (v === undefined) break;
          // Not noted as recent (see pinName): entries of the low table are never dropped.
          if (typeof v === 'object' && v !== null && v.k === K.Opaque) v = memo.get(key)!;
          stack.push(v);
          p += 2;
          idx++;
          // A fetched dict key is usually followed by a number value: take it in the same step.
          if (p < stop && idx < idxStop) {
            const next = buf[p];
            if (next === 0x4b) { // BININT1
              stack.push(buf[p + 1]!);
              p += 2;
              idx++;
            } else if (next === 0x4a) { // BININT
              stack.push(i32(buf, p + 1));
              p += 5;
              idx++;
            } else if (next === 0x47) { // BINFLOAT
              stack.push(FLOAT);
              p += 9;
              idx++;
            }
          }
          continue;
        }
        case 2: { // MEMOIZE
          if (stack.length <= fence) break;
          const v = stack[stack.length - 1]!;
          const key = memo.size;
          memo.put(key, v);
          if (typeof v === 'string') this.noteRecent(key);
          p += 1;
          idx++;
          continue;
        }
        case 3: // BININT1
          stack.push(buf[p + 1]!);
          p += 2;
          idx++;
          continue;
        case 4: // BININT
          stack.push(i32(buf, p + 1));
          p += 5;
          idx++;
          continue;
        case 5: // BININT2
          stack.push(buf[p + 1]! | (buf[p + 2]! << 8));
          p += 3;
          idx++;
          continue;
        case 6: // BINFLOAT
          stack.push(FLOAT);
          p += 9;
          idx++;
          continue;
        case 7: // NONE
          stack.push(null);
          p += 1;
          idx++;
          continue;
        case 8: case 9: // NEWTRUE, NEWFALSE
          stack.push(buf[p] === 0x88);
          p += 1;
          idx++;
          continue;
        case 10: // MARK
          if (marks.length >= MAX_MARKS) break;
          marks.push(stack.length);
          fence = stack.length;
          p += 1;
          idx++;
          continue;
        // Picklers memoize each new container at once: a MEMOIZE right after one is done in the
        // same step, sparing a dispatch (the loop's largest cost) per container.
        case 11: { // EMPTY_DICT
          const d = new DictVal();
          stack.push(d);
          p += 1;
          idx++;
          if (buf[p] === 0x94 && p < stop && idx < idxStop) {
            memo.putNewDict(memo.size, d);
            p += 1;
            idx++;
            // ...and the MARK that opens its SETITEMS.
            if (buf[p] === 0x28 && p < stop && idx < idxStop && marks.length < MAX_MARKS) {
              marks.push(stack.length);
              fence = stack.length;
              p += 1;
              idx++;
            }
          }
          continue;
        }
        case 12: case 14: case 15: case 20: { // EMPTY_LIST, TUPLE1, TUPLE2, TUPLE3
          let made: Value;
          if (code === 12) made = new ListVal();
          else {
            const n = code === 14 ? 1 : code === 15 ? 2 : 3;
            if (stack.length - n < fence) break;
            made = popSmallTuple(stack, n);
          }
          stack.push(made);
          p += 1;
          idx++;
          if (buf[p] === 0x94 && p < stop && idx < idxStop) {
            memo.put(memo.size, made);
            p += 1;
            idx++;
          }
          continue;
        }
        case 13: // EMPTY_TUPLE
          stack.push(EMPTY_TUPLE);
          p += 1;
          idx++;
          continue;
        case 16: { // SHORT_BINUNICODE
          const n = buf[p + 1]!;
          const end = p + 2 + n;
          if (end > buf.length) break;
          const ascii = n <= ASCII_TEXT_MAX ? asciiOrNull(buf, p + 2, n) : null;
          if (ascii === null) {
            stack.push(this.decodeUtf8(p + 2, end));
            p = end;
            idx++;
            continue;
          }
          stack.push(ascii);
          // Picklers memoize most strings at once: MEMOIZE next is done here, the memo taking the
          // string's bytes as they are rather than reading them back out of the string.
          if (end < stop && buf[end] === 0x94 && idx + 1 < idxStop) {
            const key = memo.size;
            memo.putText(key, ascii, buf, p + 2, n);
            this.noteRecent(key);
            p = end + 1;
            idx += 2;
            continue;
          }
          p = end;
          idx++;
          continue;
        }
        case 17: { // SETITEMS into a dict built by the pickle (the common case)
          if (marks.length === 0) break;
          const x = marks[marks.length - 1]!;
          const len = stack.length;
          const prevFence = marks.length > 1 ? marks[marks.length - 2]! : 0;
          if (x > len || x <= prevFence || ((len - x) & 1) !== 0) break;
          const dict = stack[x - 1]!;
          if (!(dict instanceof DictVal)) break;
          marks.pop();
          fence = prevFence;
          if (len > x) {
            const had = dict.dunderKey;
            dict.setFrom(stack, x, len, x >= 2 && mayReceiveState(stack[x - 2]!));
            if (had === null && dict.dunderKey !== null && dict.memoKey >= 0) memo.upgrade(dict.memoKey, dict);
            this.truncate(x);
          }
          p += 1;
          idx++;
          continue;
        }
        case 18: { // APPENDS into a list built by the pickle
          if (marks.length === 0) break;
          const x = marks[marks.length - 1]!;
          const len = stack.length;
          const prevFence = marks.length > 1 ? marks[marks.length - 2]! : 0;
          if (x > len || x <= prevFence) break;
          const list = stack[x - 1]!;
          if (!(list instanceof ListVal)) break;
          marks.pop();
          fence = prevFence;
          for (let i = x; i < len; i++) list.push(stack[i]!);
          this.truncate(x);
          p += 1;
          idx++;
          continue;
        }
        case 19: { // BINPUT
          if (stack.length <= fence) break;
          const key = buf[p + 1]!;
          const v = stack[stack.length - 1]!;
          memo.put(key, v);
          if (typeof v === 'string') this.noteRecent(key);
          p += 2;
          idx++;
          continue;
        }
        default:
          break;
      }
      break;
    }
    this.pos = p;
    this.opIndex = idx;
    this.fence = fence;
  }

  private runSync(): number {
    const stack = this.stack;
    for (;;) {
      this.fastLoop();
      const buf = this.buf;
      const p0 = this.pos;
      if (buf.length - p0 < MIN_AVAIL && !this.atEnd()) return NEED_FILL;
      const off = this.bufStart + p0;
      if (p0 >= buf.length) {
        this.opStart = off;
        throw new PickleFault(this.opIndex === 0 ? 'ran out of input: empty stream' : 'ran out of input before the STOP opcode');
      }
      if (this.frameEnd >= 0 && off >= this.frameEnd) {
        if (off > this.frameEnd) this.frameViolation = true;
        this.frameEnd = -1;
      }
      this.opStart = off;
      const op = buf[p0]!;
      const idx = this.opIndex++;
      if ((idx & 0xffff) === 0xffff) this.budget?.checkTime();
      let p = p0 + 1;
      switch (op) {
        case 0x28: // MARK
          if (this.marks.length >= MAX_MARKS) throw new PickleLimit(`stream ${this.stream}: more than ${MAX_MARKS} marks`);
          this.marks.push(stack.length);
          this.fence = stack.length;
          this.pos = p;
          continue;
        case 0x2e: // STOP
          this.stopValue = this.pop();
          this.pos = p;
          return DONE;
        case 0x30: // POP
          if (this.marks.length > 0 && this.marks[this.marks.length - 1] === stack.length) this.marker();
          else this.pop();
          this.pos = p;
          continue;
        case 0x31: { // POP_MARK
          const i = this.marker();
          this.truncate(i);
          this.pos = p;
          continue;
        }
        case 0x32: // DUP
          this.push(this.top());
          this.pos = p;
          continue;
        case 0x4e: // NONE
          this.push(null);
          this.pos = p;
          continue;
        case 0x88: // NEWTRUE
          this.push(true);
          this.pos = p;
          continue;
        case 0x89: // NEWFALSE
          this.push(false);
          this.pos = p;
          continue;
        case 0x4b: // BININT1
          this.have(p, 1, 0x4b);
          this.push(buf[p]!);
          this.pos = p + 1;
          continue;
        case 0x4d: // BININT2
          this.have(p, 2, 0x4d);
          this.push(buf[p]! | (buf[p + 1]! << 8));
          this.pos = p + 2;
          continue;
        case 0x4a: // BININT
          this.have(p, 4, 0x4a);
          this.push(i32(buf, p));
          this.pos = p + 4;
          continue;
        case 0x47: // BINFLOAT
          this.have(p, 8, 0x47);
          this.push(FLOAT);
          this.pos = p + 8;
          continue;
        case 0x8a: case 0x8b: { // LONG1, LONG4
          const hdr = op === 0x8a ? 1 : 4;
          this.have(p, hdr, op);
          const n = op === 0x8a ? buf[p]! : i32(buf, p);
          if (n < 0) throw new PickleFault('LONG pickle has negative byte count');
          p += hdr;
          if (n <= 64) {
            if (!this.have(p, n, op)) return this.rewind(p0, idx, 1 + hdr + n);
            this.push(signedLE(buf, p, n));
            this.pos = p + n;
          } else {
            this.push(BIG_INT);
            this.skipTo(p, n, op);
          }
          continue;
        }
        case 0x58: case 0x8c: case 0x8d: { // BINUNICODE, SHORT_BINUNICODE, BINUNICODE8
          const hdr = op === 0x8c ? 1 : op === 0x58 ? 4 : 8;
          this.have(p, hdr, op);
          const n = hdr === 1 ? buf[p]! : hdr === 4 ? u32(buf, p) : u64(buf, p);
          p += hdr;
          const keep = Math.min(n, STR_KEEP);
          if (!this.have(p, keep, op)) return this.rewind(p0, idx, 1 + hdr + keep);
          if (n <= STR_KEEP) {
            this.push(this.decodeUtf8(p, p + n));
            this.pos = p + n;
          } else {
            this.push(new TextVal(this.bufStart + p, n, this.text.toString('utf8', p, p + STR_KEEP), true));
            this.skipTo(p, n, op);
          }
          continue;
        }
        case 0x42: case 0x43: case 0x8e: case 0x96: // BINBYTES, SHORT_BINBYTES, BINBYTES8, BYTEARRAY8
        case 0x54: case 0x55: { // BINSTRING, SHORT_BINSTRING
          const hdr = op === 0x43 || op === 0x55 ? 1 : op === 0x42 || op === 0x54 ? 4 : 8;
          this.have(p, hdr, op);
          const n = hdr === 1 ? buf[p]! : hdr === 4 ? u32(buf, p) : u64(buf, p);
          p += hdr;
          const py2str = op === 0x54 || op === 0x55;
          const headLen = Math.min(n, py2str ? STR_KEEP : INLINE_BYTES);
          if (!this.have(p, headLen, op)) return this.rewind(p0, idx, 1 + hdr + headLen);
          const hint = n >= 2 && isPickleHead(buf[p], buf[p + 1]);
          if (py2str && !hint) {
            // Python 2 str: a str for the machine (module and attribute names come this way).
            if (n <= STR_KEEP) this.push(this.text.latin1Slice(p, p + n));
            else this.push(new TextVal(this.bufStart + p, n, this.text.toString('latin1', p, p + STR_KEEP), false));
          } else {
            const inline = n <= INLINE_BYTES ? buf.slice(p, p + n) : null;
            const b = new BytesVal(this.bufStart + p, n, BYTES_RAW, inline, op === 0x96 ? 'bytearray' : py2str ? 'str' : 'bytes', hint);
            if (hint) this.rec.embed({ bytes: b, at: this.loc(), loader: null, benignLoader: false });
            this.push(b);
          }
          this.skipTo(p, n, op);
          continue;
        }
        case 0x29: // EMPTY_TUPLE
          this.push(EMPTY_TUPLE);
          this.pos = p;
          continue;
        case 0x85: case 0x86: case 0x87: { // TUPLE1..3
          const n = op - 0x84;
          if (stack.length < n) throw this.underflow();
          this.push(this.popTuple(stack.length - n));
          this.pos = p;
          continue;
        }
        case 0x74: { // TUPLE
          const i = this.marker();
          this.push(this.popTuple(i));
          this.pos = p;
          continue;
        }
        case 0x5d: // EMPTY_LIST
          this.push(new ListVal());
          this.pos = p;
          continue;
        case 0x6c: { // LIST
          const i = this.marker();
          const l = new ListVal();
          for (let j = i; j < stack.length; j++) l.push(stack[j]!);
          this.truncate(i);
          this.push(l);
          this.pos = p;
          continue;
        }
        case 0x7d: // EMPTY_DICT
          this.push(new DictVal());
          this.pos = p;
          continue;
        case 0x64: { // DICT
          const i = this.marker();
          if ((stack.length - i) % 2 !== 0) throw new PickleFault('odd number of items for DICT');
          const d = new DictVal();
          if (stack.length > i) d.setFrom(stack, i, stack.length, i >= 1 && mayReceiveState(stack[i - 1]!));
          this.truncate(i);
          this.push(d);
          this.pos = p;
          continue;
        }
        case 0x8f: // EMPTY_SET
          this.push(new SetVal(false));
          this.pos = p;
          continue;
        case 0x91: { // FROZENSET
          const i = this.marker();
          const t = this.popTuple(i);
          const s = new SetVal(true);
          s.size = t.size;
          this.push(s);
          this.pos = p;
          continue;
        }
        case 0x90: { // ADDITEMS
          const mark = this.marker();
          this.addItems(mark);
          this.pos = p;
          continue;
        }
        case 0x61: // APPEND
          if (stack.length - 1 <= this.fence) throw this.underflow();
          this.doAppend(stack.length - 1, 'APPEND');
          this.pos = p;
          continue;
        case 0x65: // APPENDS
          this.doAppend(this.marker(), 'APPENDS');
          this.pos = p;
          continue;
        case 0x73: // SETITEM
          this.doSetItems(stack.length - 2, 'SETITEM');
          this.pos = p;
          continue;
        case 0x75: // SETITEMS
          this.doSetItems(this.marker(), 'SETITEMS');
          this.pos = p;
          continue;
        case 0x68: { // BINGET
          this.have(p, 1, 0x68);
          this.push(this.memoGet(buf[p]!));
          this.pos = p + 1;
          continue;
        }
        case 0x6a: { // LONG_BINGET
          this.have(p, 4, 0x6a);
          this.push(this.memoGet(u32(buf, p)));
          this.pos = p + 4;
          continue;
        }
        case 0x71: { // BINPUT
          this.have(p, 1, 0x71);
          this.memoPut(buf[p]!, this.top());
          this.pos = p + 1;
          continue;
        }
        case 0x72: { // LONG_BINPUT
          this.have(p, 4, 0x72);
          this.memoPut(u32(buf, p), this.top());
          this.pos = p + 4;
          continue;
        }
        case 0x94: // MEMOIZE
          this.memoPut(this.memo.size, this.top());
          this.pos = p;
          continue;
        case 0x80: { // PROTO
          this.have(p, 1, 0x80);
          const v = buf[p]!;
          if (v > 5) throw new PickleFault(`unsupported pickle protocol: ${v}`);
          this.proto = v;
          this.pos = p + 1;
          continue;
        }
        case 0x95: { // FRAME
          this.have(p, 8, 0x95);
          const n = u64(buf, p);
          if (!this.ignoreFrames) {
            if (this.frameEnd >= 0 && off < this.frameEnd) this.frameViolation = true;
            if (off + 9 + n > this.limit) throw new PickleFault(`pickle data was truncated: FRAME of ${n} bytes runs past the end of the data`);
            this.frameEnd = off + 9 + n;
          }
          this.pos = p + 8;
          continue;
        }
        case 0x52: { // REDUCE
          const args = this.pop();
          const callable = this.pop();
          this.push(this.doCall('reduce', 'REDUCE', callable, args, null));
          this.pos = p;
          continue;
        }
        case 0x81: { // NEWOBJ
          const args = this.pop();
          const cls = this.pop();
          this.push(this.doCall('newobj', 'NEWOBJ', cls, args, null));
          this.pos = p;
          continue;
        }
        case 0x92: { // NEWOBJ_EX
          const kwargs = this.pop();
          const args = this.pop();
          const cls = this.pop();
          this.push(this.doCall('newobj_ex', 'NEWOBJ_EX', cls, args, kwargs));
          this.pos = p;
          continue;
        }
        case 0x6f: { // OBJ
          const i = this.marker();
          if (stack.length - i < 1) throw this.underflow();
          const args = this.popTuple(i + 1);
          const cls = this.pop();
          this.push(this.doCall('obj', 'OBJ', cls, args, null));
          this.pos = p;
          continue;
        }
        case 0x62: { // BUILD
          if (stack.length - 2 < this.fence) throw this.underflow();
          const state = this.pop();
          const inst = stack[stack.length - 1]!;
          this.pos = p;
          if (this.build(inst, state)) return PENDING;
          continue;
        }
        case 0x93: { // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          this.push(this.stackGlobal(module, name));
          this.pos = p;
          continue;
        }
        case 0x82: case 0x83: case 0x84: { // EXT1, EXT2, EXT4
          const n = op === 0x82 ? 1 : op === 0x83 ? 2 : 4;
          this.have(p, n, op);
          const code = n === 1 ? buf[p]! : n === 2 ? buf[p]! | (buf[p + 1]! << 8) : i32(buf, p);
          if (code <= 0) throw new PickleFault('EXT specifies code <= 0');
          this.pos = p + n;
          const at = this.loc();
          const g = this.rec.makeGlobal('', `<extension code ${code}>`, extensionClassification(code), opcodeName(op), at, null);
          this.globalsSeen++;
          this.rec.markCallOpcode(at, opcodeName(op), undefined, 'unknown');
          this.push(g);
          continue;
        }
        case 0x51: { // BINPERSID
          const pid = this.pop();
          this.pos = p;
          this.push(this.persistent(pid, 'BINPERSID'));
          continue;
        }
        case 0x97: { // NEXT_BUFFER
          const at = this.loc();
          this.rec.issue(`oob:${this.stream}`, {
            ruleId: 'scan.pickle.out-of-band-buffer', severity: 'low',
            message: `stream ${this.stream} takes data from out-of-band buffers (NEXT_BUFFER) that are not in the file`, at,
          });
          this.push(new BufferVal(false));
          this.pos = p;
          continue;
        }
        case 0x98: // READONLY_BUFFER
          this.top();
          this.pos = p;
          continue;
        // Opcodes with newline-terminated arguments (protocol 0 text forms).
        case 0x46: case 0x49: case 0x4c: case 0x50: case 0x53: case 0x56: case 0x67: case 0x70: case 0x63: case 0x69: {
          const lines = op === 0x63 || op === 0x69 ? 2 : 1;
          // INST pops its mark before reading (and fails first without one), as CPython does.
          const r = this.readLinesSync(p, lines);
          if (r === null) {
            if (this.need < 0) {
              this.pending = { kind: 'long-line', op, opPos: p0, idx };
              this.pos = p0;
              this.opIndex = idx;
              return PENDING;
            }
            return this.rewind(p0, idx, this.need);
          }
          this.pos = r.end;
          this.lineOp(op, r.lines);
          continue;
        }
        default: {
          const c = op >= 0x20 && op <= 0x7e && op !== 0x27 && op !== 0x5c ? String.fromCharCode(op) : `\\x${op.toString(16).padStart(2, '0')}`;
          throw new PickleFault(`invalid load key, '${c}'`);
        }
      }
    }
  }

  /**
   * Reads `count` lines starting at `p` from the window. Null with `need` > 0: fill that many bytes
   * from the opcode; null with `need` < 0: a line is too long for the window (async path).
   */
  private readLinesSync(p: number, count: number): { lines: LineRef[]; end: number } | null {
    const buf = this.buf;
    const lines: LineRef[] = [];
    let q = p;
    for (let i = 0; i < count; i++) {
      const nl = buf.indexOf(10, q);
      if (nl < 0) {
        if (this.atEnd()) throw this.truncated('a line without its newline');
        const have = buf.length - (p - 1);
        if (have >= LINE_MAX_SYNC) {
          this.need = -1;
          return null;
        }
        this.need = Math.min(LINE_MAX_SYNC + 1, have * 2 + 64);
        return null;
      }
      lines.push({ bytes: buf.subarray(q, nl), start: this.bufStart + q, length: nl - q, head: '' });
      q = nl + 1;
    }
    return { lines, end: q };
  }

  private async runPending(): Promise<void> {
    const pending = this.pending!;
    this.pending = null;
    if (pending.kind === 'joblib') {
      await this.skipJoblibArray(pending.state, pending.at);
      return;
    }
    // A line longer than the window: find its end in chunks, keep only its head.
    this.pos = pending.opPos;
    this.opIndex = pending.idx + 1;
    this.opStart = this.bufStart + pending.opPos;
    const count = pending.op === 0x63 || pending.op === 0x69 ? 2 : 1;
    let offset = this.opStart + 1;
    const lines: LineRef[] = [];
    for (let i = 0; i < count; i++) {
      const start = offset;
      let head = '';
      for (;;) {
        this.budget?.checkTime();
        if (offset >= this.limit) throw this.truncated('a line without its newline');
        const chunk = await this.src.read(offset, Math.min(WINDOW, this.limit - offset));
        if (chunk.length === 0) throw this.truncated('a line without its newline');
        const nl = chunk.indexOf(10);
        const part = nl < 0 ? chunk : chunk.subarray(0, nl);
        if (head.length < STR_KEEP) head += latin1(part.subarray(0, STR_KEEP - head.length));
        if (nl >= 0) {
          offset += nl + 1;
          break;
        }
        offset += chunk.length;
      }
      lines.push({ bytes: null, start, length: offset - 1 - start, head });
    }
    this.bufStart = offset;
    this.buf = EMPTY;
    this.text = EMPTY_TEXT;
    this.pos = 0;
    this.lineOp(pending.op, lines);
  }

  /** Semantics of the opcodes whose arguments are lines. */
  private lineOp(op: number, lines: LineRef[]): void {
    const l = lines[0]!;
    const text = (r: LineRef): string | null => (r.bytes ? latin1(r.bytes) : null);
    // CPython parses numeric arguments as C strings: an embedded NUL ends them.
    const cstr = (t: string): string => {
      const nul = t.indexOf('\0');
      return nul < 0 ? t : t.slice(0, nul);
    };
    switch (op) {
      case 0x49: case 0x4c: { // INT, LONG
        if (l.length < 1) throw this.truncated(`${opcodeName(op)} argument`);
        const t = text(l);
        if (t === null) {
          this.push(BIG_INT);
          return;
        }
        const body = cstr(op === 0x4c && t.endsWith('L') ? t.slice(0, -1) : t);
        if (op === 0x49 && t.length === 2 && (body === '00' || body === '01' || body === '0')) {
          this.push(body === '01');
          return;
        }
        // strtol (INT) takes an empty C string as 0; PyLong_FromString (LONG) does not.
        const v = op === 0x49 && body === '' ? 0 : parseIntLine(body);
        if (v === null) throw new PickleFault(`could not convert ${opcodeName(op)} argument ${render(t, 40)} to int`);
        this.push(v);
        return;
      }
      case 0x46: { // FLOAT
        if (l.length < 1) throw this.truncated('FLOAT argument');
        const t = text(l);
        if (t !== null && !FLOAT_LINE.test(cstr(t))) throw new PickleFault(`could not convert string to float: ${render(t, 40)}`);
        this.push(FLOAT);
        return;
      }
      case 0x67: case 0x70: { // GET, PUT
        if (l.length < 1) throw this.truncated(`${opcodeName(op)} argument`);
        const raw = text(l);
        const t = raw === null ? null : cstr(raw);
        if (t === null || !DEC_LINE.test(t)) throw new PickleFault(`invalid literal for int() with base 10 in ${opcodeName(op)}: ${render(raw ?? l.head, 40)}`);
        const key = Number(t.trim().replace(/_/g, ''));
        if (op === 0x67) {
          this.push(this.memoGet(key));
        } else {
          const v = this.top();
          if (key < 0) throw new PickleFault('negative PUT argument');
          this.memoPut(key, v);
        }
        return;
      }
      case 0x53: { // STRING
        const t = l.bytes;
        if (t === null) {
          this.push(new TextVal(l.start, l.length, l.head, false));
          return;
        }
        // CPython strips only the newline; the quotes must match at both ends.
        if (t.length < 2 || t[0] !== t[t.length - 1] || (t[0] !== 0x27 && t[0] !== 0x22)) {
          throw new PickleFault('the STRING opcode argument must be quoted');
        }
        const decoded = decodeStringEscapes(t.subarray(1, t.length - 1));
        if (decoded === null) throw new PickleFault('invalid \\x escape in a STRING argument');
        if (decoded.length >= 2 && isPickleHead(decoded[0], decoded[1])) {
          const b = new BytesVal(l.start, decoded.length, BYTES_INLINE, decoded.slice(), 'str', true);
          this.rec.embed({ bytes: b, at: this.loc(), loader: null, benignLoader: false });
          this.push(b);
        } else {
          this.push(this.keepText(latin1(decoded), l.start, l.length));
        }
        return;
      }
      case 0x56: { // UNICODE
        if (l.bytes === null) {
          this.push(new TextVal(l.start, l.length, l.head, false));
          return;
        }
        const s = decodeRawUnicodeEscape(l.bytes);
        if (s === null) throw new PickleFault('truncated \\uXXXX escape in a UNICODE argument');
        this.push(this.keepText(s, l.start, l.length));
        return;
      }
      case 0x50: { // PERSID
        let pid: Value;
        if (l.bytes === null) pid = new TextVal(l.start, l.length, l.head, false);
        else {
          if (l.bytes.some((b) => b > 0x7f)) throw new PickleFault('persistent IDs in protocol 0 must be ASCII strings');
          pid = latin1(l.bytes);
        }
        this.push(this.persistent(pid, 'PERSID'));
        return;
      }
      case 0x63: case 0x69: { // GLOBAL, INST
        const [m, n] = lines as [LineRef, LineRef];
        if (m.length < 1 || n.length < 1) throw this.truncated(`${opcodeName(op)} argument`);
        const ascii = op === 0x69;
        const dec = (r: LineRef): string | null => {
          if (r.bytes === null) return null;
          if (ascii) {
            if (r.bytes.some((b) => b > 0x7f)) throw new PickleFault(`INST names must be ASCII`);
            return latin1(r.bytes);
          }
          try {
            return utf8Strict.decode(r.bytes);
          } catch {
            throw new PickleFault(`${opcodeName(op)} name is not valid UTF-8`);
          }
        };
        const mark = op === 0x69 ? this.marker() : -1;
        const module = dec(m);
        const name = dec(n);
        const at = this.loc();
        const g = module !== null && name !== null
          ? this.findClass(module, name, opcodeName(op), at)
          : this.unresolvedGlobal(`a ${opcodeName(op)} name longer than ${LINE_MAX_SYNC} bytes`, opcodeName(op), at);
        if (op === 0x63) {
          this.push(g);
        } else {
          const args = this.popTuple(mark);
          this.push(this.doCall('inst', 'INST', g, args, null));
        }
        return;
      }
      default:
        throw new PickleFault(`unexpected line opcode ${opcodeName(op)}`);
    }
  }

  private keepText(s: string, start: number, length: number): Value {
    return s.length <= STR_KEEP ? s : new TextVal(start, length, s.slice(0, STR_KEEP), false);
  }

  private memoGet(key: number): Value {
    const v = this.memo.get(key);
    if (v === undefined) throw new PickleFault(`Memo value not found at index ${key}`);
    if (typeof v === 'string') this.noteRecent(key);
    return v;
  }

  private memoPut(key: number, v: Value): void {
    this.memo.put(key, v);
    if (typeof v === 'string') this.noteRecent(key);
  }

  private noteRecent(key: number): void {
    const i = this.recentAt;
    this.recentKeys[i] = key;
    this.recentAt = (i + 1) & 3;
  }

  /** Strings that name a global are fetched again for the next global of that module: keep them. */
  private pinName(v: string): void {
    for (let i = 0; i < 4; i++) {
      const key = this.recentKeys[i]!;
      if (key >= 0 && this.memo.peek(key) === v) this.memo.pin(key);
    }
  }

  // ---- globals -------------------------------------------------------------------------------

  private findClass(module: string, name: string, op: string, at: Loc): GlobalVal {
    this.globalsSeen++;
    const c = classifyGlobal(module, name);
    const g = this.rec.makeGlobal(module, name, c, op, at, null);
    this.rec.markCallOpcode(at, op, undefined, c.tier);
    return g;
  }

  private unresolvedGlobal(why: string, op: string, at: Loc): GlobalVal {
    this.globalsSeen++;
    const c = unresolvedClassification(`the global's name is ${why}, so what it imports cannot be known`);
    const g = this.rec.makeGlobal('', `<global from ${why}>`, c, op, at, null);
    this.rec.markCallOpcode(at, op, undefined, 'unresolved');
    return g;
  }

  private stackGlobal(module: Value, name: Value): GlobalVal {
    const at = this.loc();
    const isStrLike = (v: Value): boolean => typeof v === 'string' || v instanceof TextVal;
    const unknown = (v: Value): boolean => v !== null && typeof v === 'object' && (v.k === K.Call || v.k === K.Pers || v.k === K.Opaque);
    if (typeof module === 'string' && typeof name === 'string') {
      this.pinName(module);
      this.pinName(name);
      return this.findClass(module, name, 'STACK_GLOBAL', at);
    }
    if ((isStrLike(module) || unknown(module)) && (isStrLike(name) || unknown(name))) {
      const why = [module, name].map((v) => (v instanceof TextVal ? 'a string too long to keep' : unknown(v) ? render(v, 60) : null)).find((x) => x) ?? 'not a plain string';
      return this.unresolvedGlobal(`computed (${why})`, 'STACK_GLOBAL', at);
    }
    throw new PickleFault(`STACK_GLOBAL requires str, got ${typeName(module)} and ${typeName(name)}`);
  }

  private persistent(pid: Value, op: string): PersVal {
    const at = this.loc();
    let storage: { type: string; key: string; location: string; numel: number | null } | null = null;
    if (pid instanceof TupleVal && pid.size >= 5 && pid.items[0] === 'storage') {
      const [, type, key, location, numel] = pid.items;
      if (type instanceof GlobalVal && typeof key === 'string' && typeof location === 'string') {
        storage = { type: type.qualified, key, location, numel: typeof numel === 'number' ? numel : null };
      }
    }
    this.rec.persistentId({ at, text: render(pid, 200), storage });
    this.rec.markCallOpcode(at, op, undefined, 'allowed');
    return new PersVal(pid, this.rec.persistentIdCount - 1);
  }

  /** getattr-style resolution: the global that `obj.attr` names, when obj is known. */
  private derive(obj: Value, attr: string, via: string, at: Loc): GlobalVal | null {
    let base: GlobalVal | ModuleVal | null = null;
    if (obj instanceof GlobalVal || obj instanceof ModuleVal) base = obj;
    else if (obj instanceof CallVal) base = obj.resolved instanceof GlobalVal || obj.resolved instanceof ModuleVal ? obj.resolved : instanceClass(obj);
    if (!base) return null;
    const module = base instanceof ModuleVal ? base.name : base.module;
    const name = base instanceof ModuleVal ? attr : `${base.name}.${attr}`;
    this.globalsSeen++;
    const g = this.rec.makeGlobal(module, name, classifyGlobal(module, name), 'resolved', at, via);
    return g;
  }

  // ---- calls ---------------------------------------------------------------------------------

  private doCall(kind: CallKind, op: string, callee: Value, args: Value, kwargs: Value): CallVal {
    const at = this.loc();
    if (notCallable(callee)) {
      throw new PickleFault(kind === 'newobj' || kind === 'newobj_ex'
        ? `${op} class argument must be a type, not ${typeName(callee)}`
        : `'${typeName(callee)}' object is not callable (${op})`);
    }
    if (knownNonTuple(args)) throw new PickleFault(`${op} argument list must be a tuple, not ${typeName(args)}`);
    if (kind === 'newobj_ex' && knownNonDict(kwargs)) throw new PickleFault(`NEWOBJ_EX kwargs argument must be a dict, not ${typeName(kwargs)}`);

    let target: GlobalVal | null = null;
    if (callee instanceof CallVal && callee.getter !== null) {
      // Applying `operator.attrgetter(name)` fetches an attribute: the result names it, nothing new runs.
      const obj = tupleItem(args, 0);
      const fetched = obj === undefined ? null : this.derive(obj, callee.getter, `${render(callee, 80)}(${render(obj, 60)})`, at);
      this.callsMade++;
      this.rec.countCall();
      return new CallVal(kind, callee, args, at.opcodeIndex, at.byteOffset, fetched, kwargs);
    }
    if (callee instanceof GlobalVal) target = callee;
    else if (callee instanceof CallVal && callee.resolved instanceof GlobalVal) target = callee.resolved;
    this.callsMade++;
    const result = new CallVal(kind, callee, args, at.opcodeIndex, at.byteOffset, null, kwargs);
    if (target) this.callResolved(result, target, op, at);
    else this.callUnresolved(result, op, at);
    if (kwargs instanceof DictVal && kwargs.dunderKey) {
      this.rec.issue(`dunder-kw:${kwargs.dunderKey}`, {
        ruleId: 'scan.pickle.dunder-name', severity: 'critical',
        message: `${op} passes the dunder keyword argument \`${kwargs.dunderKey}\` to ${target ? `\`${target.qualified}\`` : 'a computed callable'}`, at,
      });
    }
    return result;
  }

  private callText(callable: string, c: CallVal): string {
    const args = renderArgs(c.args);
    const kw = c.kwargs instanceof DictVal ? `${args ? ', ' : ''}**${render(c.kwargs, 60)}` : '';
    return `${callable}(${args}${kw})`;
  }

  private callResolved(result: CallVal, target: GlobalVal, op: string, at: Loc): void {
    const c = target.classification;
    const use = target.use;
    const special = c.special;
    if (this.firstCalls.length < 10) this.firstCalls.push(target.qualified);
    const embedded = special & SPECIAL_BYTE_LOADER ? this.bytesArg(result.args) : null;
    if (embedded) {
      this.rec.embed({ bytes: embedded, at, loader: c.canonical, benignLoader: BYTE_LOADERS.get(c.canonical)?.benign ?? false });
      use.embeddedCalls++;
    } else {
      use.calls++;
      if (use.firstCall === null) {
        use.firstCall = { opcodeIndex: at.opcodeIndex, byteOffset: at.byteOffset, stream: at.stream, kind: result.kind };
        use.firstCallText = this.callText(target.qualified, result);
      }
    }
    const tier = c.ruleId === 'scan.pickle.unresolved-call' ? 'unresolved' : c.tier;
    if (this.rec.keepsCall(tier)) {
      const shown = this.rec.recordCall({
        kind: result.kind, callable: target.qualified, text: this.callText(target.qualified, result), tier,
        severity: null, ruleId: embedded ? 'scan.pickle.embedded-loader' : c.ruleId,
        reason: embedded ? 'loads bytes embedded in this file; they are scanned as a nested unit' : c.reason,
        at, definedAt: { stream: target.stream, opcodeIndex: target.opcodeIndex, byteOffset: target.byteOffset },
      });
      this.rec.markCallOpcode(at, op, shown, tier);
    } else {
      this.rec.countCall();
    }
    if (special !== 0) {
      if (special & SPECIAL_KEEP_RESULT) result.keep = true;
      if (special & SPECIAL_CALLS_ARGUMENT) for (const i of CALLS_ARGUMENT.get(c.canonical) ?? []) this.callArgument(tupleItem(result.args, i), target, at);
      if (special & SPECIAL_RESOLVER) {
        const r = this.resolve(RESOLVERS.get(c.canonical) ?? '', target, result.args, at);
        result.resolved = r.resolved;
        result.getter = r.getter;
      }
      if (special & SPECIAL_CODECS_ENCODE) result.resolved = this.encodeToBytes(result.args);
    }
    if (c.tier !== 'allowed') this.checkDunderArgs(target, result.args, at);
  }

  /** What an unresolved callee is, in words (rendered only when a message needs it). */
  private describeUnresolved(callee: Value): string {
    if (callee instanceof CallVal) return `the result of ${render(callee, 100)}`;
    if (callee instanceof PersVal) return 'an object returned by persistent_load';
    return callee instanceof OpaqueVal ? callee.why : 'a value of unknown origin';
  }

  private callUnresolved(result: CallVal, op: string, at: Loc): void {
    const callee = result.callee;
    if (this.firstCalls.length < 10) this.firstCalls.push(`<${this.describeUnresolved(callee)}>`);
    const kind = callee instanceof CallVal ? 'result' : callee instanceof PersVal ? 'persistent' : 'unknown';
    this.rec.issueLazy(`unresolved:${at.stream}:${kind}`, () => {
      const text = this.callText(render(callee, 80), result);
      return {
        ruleId: 'scan.pickle.unresolved-call', severity: 'high',
        message: `${op} calls ${this.describeUnresolved(callee)}; the scanner cannot tell what runs: ${text}`, at,
        evidence: { call: text, kind: result.kind },
      };
    });
    if (!this.rec.keepsCall('unresolved')) {
      this.rec.countCall();
      return;
    }
    const shown = this.rec.recordCall({
      kind: result.kind, callable: `<${this.describeUnresolved(callee)}>`, text: this.callText(render(callee, 80), result), tier: 'unresolved', severity: 'high',
      ruleId: 'scan.pickle.unresolved-call', reason: 'the callable is computed while loading and cannot be resolved statically', at, definedAt: null,
    });
    this.rec.markCallOpcode(at, op, shown, 'unresolved');
  }

  private bytesArg(args: Value): BytesVal | null {
    const a = tupleItem(args, 0);
    if (a instanceof BytesVal) return a;
    if (a instanceof CallVal && a.resolved instanceof BytesVal) return a.resolved;
    return null;
  }

  /** An argument that an allowlisted helper calls (a class to construct, a factory, a function). */
  private callArgument(v: Value | undefined, helper: GlobalVal, at: Loc): void {
    if (v === undefined || v === null || typeof v !== 'object') return;
    let g: GlobalVal | null = null;
    if (v instanceof GlobalVal) g = v;
    else if (v instanceof CallVal && v.resolved instanceof GlobalVal) g = v.resolved;
    if (g) {
      g.use.calls++;
      const c = g.classification;
      if (g.use.firstCall === null) {
        g.use.firstCall = { opcodeIndex: at.opcodeIndex, byteOffset: at.byteOffset, stream: at.stream, kind: 'argument' };
        g.use.firstCallText = `${helper.qualified}(${g.qualified}, …)`;
      }
      if (c.tier !== 'allowed') {
        const tier = c.ruleId === 'scan.pickle.unresolved-call' ? 'unresolved' : c.tier;
        this.rec.recordCall({
          kind: 'argument', callable: g.qualified, text: `${helper.qualified}(${g.qualified}, …)`, tier, severity: null,
          ruleId: c.ruleId, reason: c.reason, at, definedAt: { stream: g.stream, opcodeIndex: g.opcodeIndex, byteOffset: g.byteOffset },
        });
      }
      return;
    }
    if (v.k === K.Call || v.k === K.Pers || v.k === K.Opaque) {
      const what = render(v, 80);
      this.rec.issue(`unresolved-arg:${at.stream}:${helper.qualified}`, {
        ruleId: 'scan.pickle.unresolved-call', severity: 'high',
        message: `\`${helper.qualified}\` receives ${what} as the callable it calls; the scanner cannot tell what that is`, at,
      });
    }
  }

  private resolve(kind: string, target: GlobalVal, args: Value, at: Loc): { resolved: GlobalVal | ModuleVal | null; getter: string | null } {
    const a0 = tupleItem(args, 0);
    const a1 = tupleItem(args, 1);
    const via = `${target.qualified}(${renderArgs(args, 1, 80)})`;
    switch (kind) {
      case 'getattr':
        return { resolved: typeof a1 === 'string' && a0 !== undefined ? this.derive(a0, a1, via, at) : null, getter: null };
      case 'import':
        return { resolved: typeof a0 === 'string' ? new ModuleVal(a0) : null, getter: null };
      case 'resolve-name': {
        if (typeof a0 !== 'string') return { resolved: null, getter: null };
        const colon = a0.indexOf(':');
        const dot = a0.lastIndexOf('.');
        const [m, n] = colon >= 0 ? [a0.slice(0, colon), a0.slice(colon + 1)] : dot > 0 ? [a0.slice(0, dot), a0.slice(dot + 1)] : [a0, ''];
        if (!n) return { resolved: new ModuleVal(m), getter: null };
        return { resolved: this.derive(new ModuleVal(m), n, via, at), getter: null };
      }
      case 'ufunc':
        return { resolved: typeof a0 === 'string' && typeof a1 === 'string' ? this.derive(new ModuleVal(a0), a1, via, at) : null, getter: null };
      case 'attrgetter':
        return { resolved: null, getter: typeof a0 === 'string' ? a0 : null };
      default:
        return { resolved: null, getter: null };
    }
  }

  /** `_codecs.encode(s, 'latin1')`: the bytes protocol 2 writes for `bytes` objects. */
  private encodeToBytes(args: Value): BytesVal | null {
    const s = tupleItem(args, 0);
    const enc = tupleItem(args, 1);
    if (enc !== undefined && !(typeof enc === 'string' && /^(latin-?1|iso-?8859-?1|l1)$/i.test(enc))) return null;
    if (typeof s === 'string') {
      const b = latin1Bytes(s);
      if (!b) return null;
      const bytes = new BytesVal(-1, b.length, BYTES_INLINE, b, 'bytes', b.length >= 2 && isPickleHead(b[0], b[1]));
      return bytes;
    }
    if (s instanceof TextVal && s.utf8) {
      const hint = s.head.length >= 2 && isPickleHead(s.head.charCodeAt(0), s.head.charCodeAt(1));
      const bytes = new BytesVal(s.offset, s.length, BYTES_UTF8_AS_LATIN1, null, 'bytes', hint);
      if (hint) this.rec.embed({ bytes, at: this.loc(), loader: null, benignLoader: false });
      return bytes;
    }
    return null;
  }

  private checkDunderArgs(target: GlobalVal, args: Value, at: Loc): void {
    if (!(args instanceof TupleVal)) return;
    for (const a of args.items) {
      if (typeof a === 'string' && isDunder(a)) {
        this.rec.issue(`dunder-arg:${target.qualified}:${a}`, {
          ruleId: 'scan.pickle.dunder-name', severity: 'critical',
          message: `\`${target.qualified}\` is called with the dunder name '${a}'`, at,
        });
      }
    }
  }

  // ---- mutation of existing objects ------------------------------------------------------------

  /** BUILD; returns true when follow-up work (joblib array data) must run before the next opcode. */
  private build(inst: Value, state: Value): boolean {
    const at = this.loc();
    const dunder = dunderStateKey(state);
    if (inst instanceof GlobalVal || inst instanceof ModuleVal) {
      const name = inst instanceof GlobalVal ? inst.qualified : `module ${inst.name}`;
      this.rec.issue(`mutation:BUILD:${name}`, {
        ruleId: 'scan.pickle.global-mutation', severity: 'critical',
        message: `BUILD overwrites the state of \`${name}\` itself (${describeStateKeys(state)}), not of an object the pickle created`, at,
        evidence: { target: name, state: render(state, 200) },
      });
      this.rec.markCallOpcode(at, 'BUILD', undefined, 'denied');
      this.callsMade++;
    }
    if (dunder) {
      this.rec.issue(`dunder-state:${dunder}`, {
        ruleId: 'scan.pickle.dunder-name', severity: 'critical',
        message: `BUILD sets the dunder attribute \`${dunder}\` on ${render(inst, 80)}`, at,
      });
    }
    if (inst instanceof CallVal) {
      inst.state = state;
      this.callsMade++;
      const cls = instanceClass(inst);
      if (cls && JOBLIB_WRAPPERS.has(cls.classification.canonical)) {
        this.pending = { kind: 'joblib', state, at };
        return true;
      }
    }
    return false;
  }

  private mutationOfGlobal(target: Value, op: string): boolean {
    if (!(target instanceof GlobalVal) && !(target instanceof ModuleVal)) return false;
    const at = this.loc();
    const name = target instanceof GlobalVal ? target.qualified : `module ${target.name}`;
    this.rec.issue(`mutation:${op}:${name}`, {
      ruleId: 'scan.pickle.global-mutation', severity: 'critical',
      message: `${op} changes \`${name}\` itself, not an object the pickle created`, at,
    });
    this.rec.markCallOpcode(at, op, undefined, 'denied');
    this.callsMade++;
    return true;
  }

  private doAppend(x: number, op: string): void {
    const stack = this.stack;
    const len = stack.length;
    if (x > len || x <= this.fence) throw this.underflow();
    if (len === x) return;
    const list = stack[x - 1]!;
    if (list instanceof ListVal) {
      for (let i = x; i < len; i++) list.push(stack[i]!);
    } else if (!this.mutationOfGlobal(list, op)) {
      const ok = list !== null && typeof list === 'object' && (list.k === K.Call || list.k === K.Pers || list.k === K.Opaque
        || (list.k === K.Bytes && (list as BytesVal).typeName === 'bytearray'));
      if (!ok) throw new PickleFault(`'${typeName(list)}' object has no attribute 'extend' or 'append' (${op})`);
    }
    this.truncate(x);
  }

  private doSetItems(x: number, op: string): void {
    const stack = this.stack;
    const len = stack.length;
    if (x > len || x <= this.fence) throw this.underflow();
    if (len === x) return;
    if ((len - x) % 2 !== 0) throw new PickleFault(`odd number of items for ${op}`);
    const dict = stack[x - 1]!;
    if (dict instanceof DictVal) {
      const had = dict.dunderKey;
      dict.setFrom(stack, x, len, x >= 2 && mayReceiveState(stack[x - 2]!));
      if (had === null && dict.dunderKey !== null && dict.memoKey >= 0) this.memo.upgrade(dict.memoKey, dict);
    } else if (!this.mutationOfGlobal(dict, op)) {
      const ok = dict !== null && typeof dict === 'object' && (dict.k === K.Call || dict.k === K.Pers || dict.k === K.Opaque
        || dict.k === K.List || (dict.k === K.Bytes && (dict as BytesVal).typeName === 'bytearray'));
      if (!ok) throw new PickleFault(`'${typeName(dict)}' object does not support item assignment (${op})`);
    }
    this.truncate(x);
  }

  private addItems(mark: number): void {
    const stack = this.stack;
    const len = stack.length;
    if (mark > len || mark <= this.fence) throw this.underflow();
    if (len === mark) return;
    const set = stack[mark - 1]!;
    if (set instanceof SetVal && !set.frozen) {
      set.size += len - mark;
    } else if (!this.mutationOfGlobal(set, 'ADDITEMS')) {
      const ok = set !== null && typeof set === 'object' && (set.k === K.Call || set.k === K.Pers || set.k === K.Opaque);
      if (!ok) throw new PickleFault(`'${typeName(set)}' object has no attribute 'add' (ADDITEMS)`);
    }
    this.truncate(mark);
  }

  // ---- joblib arrays -------------------------------------------------------------------------

  /** joblib writes each NumpyArrayWrapper's array bytes right after its BUILD: skip past them. */
  private async skipJoblibArray(state: Value, at: Loc): Promise<void> {
    const fail = (why: string): never => {
      throw new PickleFault(`joblib NumpyArrayWrapper at byte ${at.byteOffset}: ${why}`, 'scan.pickle.joblib-array');
    };
    if (!(state instanceof DictVal)) return fail('its state is not a dict');
    const shape = state.get('shape');
    const dtype = state.get('dtype');
    const align = state.get('numpy_array_alignment_bytes');
    if (!(shape instanceof TupleVal) || shape.items.length !== shape.size) return fail('shape is not a tuple of integers');
    let count = 1;
    for (const d of shape.items) {
      if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) return fail(`shape ${render(shape)} is not a tuple of non-negative integers`);
      count *= d;
      if (!Number.isSafeInteger(count)) return fail(`shape ${render(shape)} is too large`);
    }
    const info = this.dtypeOf(dtype);
    if (!info) return fail(`dtype ${render(dtype ?? null, 80)} could not be decoded`);
    let offset = this.bufStart + this.pos;
    if (this.frameEnd >= 0) {
      if (offset < this.frameEnd) this.frameViolation = true;
      this.frameEnd = -1;
    }
    if (info.object) {
      // Object arrays are pickled inline as a complete stream; the wrapper's loader runs it.
      if (this.depth >= MAX_NESTED_STREAM_DEPTH) throw new PickleLimit(`joblib object arrays nested more than ${MAX_NESTED_STREAM_DEPTH} deep`);
      const nested = new PickleMachine(this.src, offset, this.limit, this.rec, this.nextStream,
        { budget: this.budget, stream: this.nextStream(), nestedIn: this.stream, depth: this.depth + 1 });
      const out = await nested.run();
      this.rec.nestedStreams.push(out);
      if (out.error) return fail(`its inline object-array pickle is malformed: ${out.error.message}`);
      if (out.limit) throw new PickleLimit(out.limit);
      this.callsMade += out.calls;
      this.seek(out.end);
      return;
    }
    if (typeof align === 'number' && align > 0) {
      if (offset >= this.limit) return fail('the alignment padding byte is missing');
      const pad = (await this.src.read(offset, 1))[0]!;
      offset += 1 + pad;
    } else if (align !== undefined && align !== null) {
      return fail(`numpy_array_alignment_bytes is ${render(align, 40)}`);
    }
    const bytes = count * info.itemsize;
    if (!Number.isSafeInteger(bytes) || offset + bytes > this.limit) {
      return fail(`${count} elements of ${info.itemsize} bytes run past the end of the data`);
    }
    this.rec.rawRegion({ byteOffset: this.bufStart + this.pos, length: offset + bytes - (this.bufStart + this.pos), what: `joblib array ${render(shape, 60)} of ${info.itemsize}-byte items` });
    this.seek(offset + bytes);
  }

  private dtypeOf(v: Value | undefined): { itemsize: number; object: boolean } | null {
    if (!(v instanceof CallVal)) return null;
    const cls = v.callee instanceof GlobalVal ? v.callee : null;
    if (!cls || !NUMPY_DTYPE.has(cls.classification.canonical)) return null;
    const code = tupleItem(v.args, 0);
    if (typeof code !== 'string') return null;
    const parsed = parseTypeString(code);
    if (!parsed) return null;
    const elsize = v.state instanceof TupleVal ? v.state.items[5] : undefined;
    if (typeof elsize === 'number' && elsize > 0 && !parsed.object) return { itemsize: elsize, object: false };
    return parsed;
  }

  private seek(offset: number): void {
    const rel = offset - this.bufStart;
    if (rel >= 0 && rel <= this.buf.length) {
      this.pos = rel;
    } else {
      this.bufStart = offset;
      this.buf = EMPTY;
      this.text = EMPTY_TEXT;
      this.pos = 0;
    }
  }
}
