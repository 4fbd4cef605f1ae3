// The IPC protocol between the host (main/core/behave) and the sandboxed inference worker.
// Pure TypeScript with no imports, so both sides share it: the worker bundles it, the host
// imports it. Host to worker travels on the worker's stdin, worker to host on fd 3 (stdout and
// stderr stay free for whatever the native runtime prints).
//
// Frame: u32 LE header length, u32 LE body length, header (UTF-8 JSON), body (binary blobs).
// Binary fields of a message travel in the body; the header holds {"$blob": n} in their place.
// The reader caps both lengths: the worker is untrusted once a model is loaded.

export const PROTOCOL_VERSION = 1;

export const DTYPES = ['float32', 'float64', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool'] as const;
export type DType = (typeof DTYPES)[number];

export const DTYPE_BYTES: Record<DType, number> = {
  float32: 4, float64: 8, int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8, bool: 1,
};

export function isDType(v: unknown): v is DType {
  return typeof v === 'string' && (DTYPES as readonly string[]).includes(v);
}

/** How probe values are drawn. Integer bounds are inclusive. */
export type Distribution =
  | { kind: 'uniform'; min: number; max: number }
  | { kind: 'normal'; mean: number; std: number; min?: number; max?: number }
  | { kind: 'integers'; min: number; max: number }
  | { kind: 'constant'; value: number };

/** Where the rows of one model input come from. rowShape excludes the batch dimension. */
export type InputPlan =
  | { source: 'generate'; dtype: DType; rowShape: number[]; distribution: Distribution; seed: number }
  | { source: 'dataset'; dtype: DType; rowShape: number[]; dataset: string };

/**
 * A change applied to every row of one input after it is generated or read. Offsets index the
 * flattened row (batch dimension excluded). Random edits draw from (seed, row index), so a row
 * gets the same edit whatever batch it lands in.
 */
export type Edit =
  | { kind: 'set'; input: string; offsets: number[]; values: number[] }
  | { kind: 'set-random'; input: string; offsets: number[]; distribution: Distribution; seed: number }
  | { kind: 'noise'; input: string; std: number; seed: number; min?: number; max?: number }
  /** Superimposition (STRIP): row = alpha * row + (1 - alpha) * another row, from a dataset or generated. */
  | { kind: 'blend'; input: string; alpha: number; seed: number; dataset?: string; distribution?: Distribution }
  | { kind: 'insert'; input: string; position: number; value: number };

/**
 * One request for inference: `rows` base rows, each run once per variant (a list of edits; the
 * empty list is the unedited row). Result row g is base row g % rows under variant
 * floor(g / rows). `reduce` turns an output into its per-row argmax over the last axis.
 */
export interface RunPlan {
  rows: number;
  batchSize: number;
  inputs: Record<string, InputPlan>;
  variants?: Edit[][];
  outputs: string[];
  reduce?: Record<string, 'argmax'>;
}

export type Optimization = 'disabled' | 'basic' | 'extended' | 'all';

export interface SelfTestRequest {
  /** A tiny valid model the worker loads with an optimized-model output path (a native write). */
  probeModel: Uint8Array;
  /** A loopback port the host listens on; the host records whether a connection arrived. */
  port: number | null;
  /** A file that exists on the host, outside what the worker may read. */
  readPath: string;
  /** An allocation larger than the address-space limit. */
  allocateBytes: number;
}

export type SelfTestId = 'fs-write' | 'fs-read' | 'child-process' | 'worker-thread' | 'network' | 'native-write' | 'memory';

export interface SelfTestCheck {
  id: SelfTestId;
  /** What was attempted, for the isolation report. */
  attempted: string;
  denied: boolean;
  /** The error code or message that denied it, or what happened when it was not denied. */
  detail: string;
}

export interface IoMeta {
  name: string;
  dtype: string;
  /** Dimensions as onnxruntime reports them: numbers, symbolic names, or null when unknown. */
  shape: (number | string | null)[] | null;
}

export interface OutputBlob {
  name: string;
  dtype: DType;
  dims: number[];
  data: Uint8Array;
}

export type HostMessage =
  | { type: 'init'; model: Uint8Array; threads: number; optimization: Optimization; maxOutputBytes: number; selfTest: SelfTestRequest | null }
  | { type: 'dataset'; name: string; dtype: DType; rowShape: number[]; rows: number; data: Uint8Array }
  | { type: 'run'; id: number; plan: RunPlan }
  | { type: 'shutdown' };

export type ErrorPhase = 'init' | 'load' | 'dataset' | 'run' | 'internal';
export type ErrorKind = 'ort' | 'allocation' | 'output-limit' | 'plan' | 'internal';

export type WorkerMessage =
  | { type: 'hello'; protocol: number; pid: number; node: string; uid: number | null; cwd: string }
  | { type: 'self-test'; checks: SelfTestCheck[] }
  | { type: 'ready'; inputs: IoMeta[]; outputs: IoMeta[]; loadMs: number }
  | { type: 'batch'; id: number; first: number; rows: number; outputs: OutputBlob[] }
  /** generateMs: building input batches; inferMs: inside session.run; totalMs: the whole request in the worker. */
  | { type: 'done'; id: number; rows: number; generateMs: number; inferMs: number; totalMs: number }
  | { type: 'error'; id: number | null; phase: ErrorPhase; kind: ErrorKind; message: string };

export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

const PREFIX = 8;
const MAX_DEPTH = 32;

function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array;
}

const MAX_ENCODE_DEPTH = 64;

/** Replaces byte arrays by {$blob: n} placeholders, collecting them, before stringifying. */
function extractBlobs(value: unknown, blobs: Uint8Array[], depth: number): unknown {
  if (depth > MAX_ENCODE_DEPTH) throw new ProtocolError('message nested too deeply');
  // Checked before JSON.stringify sees them: a Buffer's toJSON would turn its bytes into an array of numbers.
  if (isBytes(value)) {
    blobs.push(value);
    return { $blob: blobs.length - 1 };
  }
  if (Array.isArray(value)) return value.map((v) => extractBlobs(v, blobs, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = extractBlobs(v, blobs, depth + 1);
    return out;
  }
  return value;
}

/** The chunks of one frame: prefix and header, then the body's chunks in order. */
function frame(m: string, blobLengths: number[], body: Uint8Array[]): Uint8Array[] {
  const header = new TextEncoder().encode(`{"m":${m},"b":${JSON.stringify(blobLengths)}}`);
  // Trailing spaces (valid JSON) put the body at a multiple of 8 bytes from the frame's start, so
  // a reader holding the frame in a buffer of its own views float blobs in place, without a copy.
  const headerLen = header.byteLength + ((8 - ((PREFIX + header.byteLength) % 8)) % 8);
  let bodyLen = 0;
  for (const b of blobLengths) bodyLen += b;
  const head = new Uint8Array(PREFIX + headerLen);
  const view = new DataView(head.buffer);
  view.setUint32(0, headerLen, true);
  view.setUint32(4, bodyLen, true);
  head.set(header, PREFIX);
  head.fill(0x20, PREFIX + header.byteLength);
  return [head, ...body];
}

/** Encodes a message as the chunks of one frame (prefix+header, then each blob), without copying blobs. */
export function encodeFrame(message: HostMessage | WorkerMessage): Uint8Array[] {
  const blobs: Uint8Array[] = [];
  const m = JSON.stringify(extractBlobs(message, blobs, 0));
  return frame(m, blobs.map((b) => b.byteLength), blobs);
}

export interface OutputParts {
  name: string;
  dtype: DType;
  dims: number[];
  /** The output's bytes in consecutive pieces (one per inference batch). */
  parts: Uint8Array[];
}

/**
 * A batch message whose outputs arrive in pieces, encoded without joining them: the same bytes
 * as encodeFrame of the message with each output's pieces concatenated, minus that copy.
 */
export function encodeBatchFrame(id: number, first: number, rows: number, outputs: OutputParts[]): Uint8Array[] {
  const lengths: number[] = [];
  const body: Uint8Array[] = [];
  const placeholders = outputs.map((o, i) => {
    let n = 0;
    for (const p of o.parts) {
      n += p.byteLength;
      body.push(p);
    }
    lengths.push(n);
    return { name: o.name, dtype: o.dtype, dims: o.dims, data: { $blob: i } };
  });
  return frame(JSON.stringify({ type: 'batch', id, first, rows, outputs: placeholders }), lengths, body);
}

function restoreBlobs(value: unknown, blobs: Uint8Array[], depth: number): unknown {
  if (depth > MAX_DEPTH) throw new ProtocolError('message nested too deeply');
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = restoreBlobs(value[i], blobs, depth + 1);
    return value;
  }
  if (value !== null && typeof value === 'object') {
    const rec = value as Record<string, unknown>;
    if (typeof rec.$blob === 'number') {
      const blob = blobs[rec.$blob];
      if (!blob) throw new ProtocolError('reference to a blob the frame does not carry');
      return blob;
    }
    for (const key of Object.keys(rec)) rec[key] = restoreBlobs(rec[key], blobs, depth + 1);
  }
  return value;
}

/** Splits a frame body by the blob lengths its header lists; they must add up exactly. */
function splitBody(body: Uint8Array, lengths: unknown): Uint8Array[] {
  if (!Array.isArray(lengths)) throw new ProtocolError('frame header has no blob table');
  const out: Uint8Array[] = [];
  let at = 0;
  for (const len of lengths) {
    if (typeof len !== 'number' || !Number.isSafeInteger(len) || len < 0 || at + len > body.byteLength) {
      throw new ProtocolError('blob table does not match the frame body');
    }
    out.push(body.subarray(at, at + len));
    at += len;
  }
  if (at !== body.byteLength) throw new ProtocolError('frame body longer than its blobs');
  return out;
}

/**
 * Accumulates stream chunks and yields whole messages. Lengths are checked before any buffer
 * is allocated, so a hostile peer cannot make the reader allocate more than maxFrameBytes.
 */
export class FrameReader {
  private chunks: Uint8Array[] = [];
  private buffered = 0;

  constructor(private readonly maxFrameBytes: number) {}

  push(chunk: Uint8Array): unknown[] {
    this.chunks.push(chunk);
    this.buffered += chunk.byteLength;
    const out: unknown[] = [];
    for (;;) {
      if (this.buffered < PREFIX) break;
      const prefix = this.peek(PREFIX);
      const view = new DataView(prefix.buffer, prefix.byteOffset, PREFIX);
      const headerLen = view.getUint32(0, true);
      const bodyLen = view.getUint32(4, true);
      const total = PREFIX + headerLen + bodyLen;
      if (headerLen === 0 || total > this.maxFrameBytes) {
        throw new ProtocolError(`frame of ${total} bytes exceeds the ${this.maxFrameBytes}-byte limit or has no header`);
      }
      if (this.buffered < total) break;
      const frame = this.take(total);
      let parsed: unknown;
      try {
        parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(frame.subarray(PREFIX, PREFIX + headerLen)));
      } catch {
        throw new ProtocolError('frame header is not valid UTF-8 JSON');
      }
      if (parsed === null || typeof parsed !== 'object') throw new ProtocolError('frame header is not an object');
      const { m, b } = parsed as { m?: unknown; b?: unknown };
      const blobs = splitBody(frame.subarray(PREFIX + headerLen), b);
      out.push(restoreBlobs(m, blobs, 0));
    }
    return out;
  }

  /** Bytes waiting for the rest of their frame. */
  get pending(): number {
    return this.buffered;
  }

  private peek(n: number): Uint8Array {
    const first = this.chunks[0]!;
    if (first.byteLength >= n) return first.subarray(0, n);
    return this.concat(n, false);
  }

  private take(n: number): Uint8Array {
    const first = this.chunks[0]!;
    if (first.byteLength === n) {
      this.chunks.shift();
      this.buffered -= n;
      return first;
    }
    if (first.byteLength > n) {
      this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return first.subarray(0, n);
    }
    return this.concat(n, true);
  }

  private concat(n: number, consume: boolean): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    let i = 0;
    while (filled < n) {
      const c = this.chunks[i]!;
      const need = Math.min(n - filled, c.byteLength);
      out.set(c.subarray(0, need), filled);
      filled += need;
      if (consume) {
        if (need === c.byteLength) this.chunks.shift();
        else this.chunks[0] = c.subarray(need);
      } else {
        i++;
      }
    }
    if (consume) this.buffered -= n;
    return out;
  }
}
