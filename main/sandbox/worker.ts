// The sandboxed inference worker: one process per model run, started by the host's launcher
// (main/core/behave/launcher.ts) under bubblewrap or the best isolation available, always with
// the Node permission model. It reads framed messages on stdin, writes framed messages on fd 3,
// and opens no file by path except the onnxruntime package named on its command line (and, in
// the start-up self-test, the forbidden operations it attempts on purpose to record that they
// are denied). Probe inputs are generated here from seeds (probes.ts), so only results cross back.
//
// Bundled by esbuild (scripts/build-entries.mjs) into dist/sandbox/worker.mjs: the permission
// model forbids the file reads tsx would need. Usage: node [flags] worker.mjs --ort=/abs/onnxruntime-node/dist/index.js
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, Socket } from 'node:net';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type * as Ort from 'onnxruntime-node';
import {
  encodeBatchFrame, encodeFrame, FrameReader, PROTOCOL_VERSION, isDType,
  type ErrorKind, type ErrorPhase, type HostMessage, type InputPlan, type IoMeta, type OutputBlob, type RunPlan, type SelfTestCheck,
  type SelfTestRequest, type WorkerMessage,
} from './protocol.ts';
import {
  allocate, applyEdit, checkEdit, EditPools, PlanError, RowSource, viewAs,
  type Dataset, type EditContext, type TypedRow,
} from './probes.ts';

type OrtModule = typeof Ort;

/** The host is trusted, but its frames can be large: a model and its weights in one message. */
const MAX_HOST_FRAME = 0xffff_ffff;

const out = new Socket({ fd: 3, readable: false, writable: true });

/** Output queued for the host before inference pauses: lets the worker compute while the host reads. */
const SEND_BACKLOG = 16 * 1024 * 1024;

async function send(message: WorkerMessage): Promise<void> {
  await sendChunks(encodeFrame(message));
}

async function sendChunks(chunks: Uint8Array[]): Promise<void> {
  out.cork();
  for (const c of chunks) out.write(c);
  out.uncork();
  if (out.writableLength > SEND_BACKLOG) await new Promise<void>((resolve) => out.once('drain', resolve));
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const ALLOCATION = /bad_alloc|failed to allocate|allocation failed|out of memory|cannot allocate|std::length_error|Invalid typed array length/i;

function kindOf(e: unknown, fallback: ErrorKind): ErrorKind {
  if (e instanceof PlanError) return 'plan';
  if (e instanceof RangeError && /allocation|Array buffer|Invalid typed array length/i.test(e.message)) return 'allocation';
  return ALLOCATION.test(errorText(e)) ? 'allocation' : fallback;
}

async function sendError(id: number | null, phase: ErrorPhase, e: unknown, fallback: ErrorKind): Promise<void> {
  await send({ type: 'error', id, phase, kind: kindOf(e, fallback), message: errorText(e).slice(0, 4000) });
}

function ortPathFromArgs(): string {
  const arg = process.argv.find((a) => a.startsWith('--ort='));
  if (!arg) throw new Error('worker started without --ort=PATH');
  return arg.slice('--ort='.length);
}

let ort: OrtModule | null = null;
let session: Ort.InferenceSession | null = null;
let maxOutputBytes = 0;
const datasets = new Map<string, Dataset>();

function loadOrt(): OrtModule {
  if (!ort) {
    const require = createRequire(import.meta.url);
    ort = require(ortPathFromArgs()) as OrtModule;
    ort.env.logLevel = 'error';
  }
  return ort;
}

/** Session options are built here from a fixed list: no optimized-model output, no profiling, no custom ops. */
function sessionOptions(init: Extract<HostMessage, { type: 'init' }>): Ort.InferenceSession.SessionOptions {
  return {
    executionProviders: ['cpu'],
    graphOptimizationLevel: init.optimization,
    intraOpNumThreads: Math.max(1, Math.min(64, Math.trunc(init.threads))),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    enableCpuMemArena: true,
    enableMemPattern: true,
    enableProfiling: false,
    logSeverityLevel: 3,
  };
}

function ioMeta(list: readonly Ort.InferenceSession.ValueMetadata[]): IoMeta[] {
  return list.map((m) => (m.isTensor
    ? { name: m.name, dtype: String(m.type), shape: m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : typeof d === 'string' && d ? d : null)) }
    : { name: m.name, dtype: 'non-tensor', shape: null }));
}

// ---- isolation self-test: each check attempts something the sandbox should deny ----

function attempt(id: SelfTestCheck['id'], attempted: string, action: () => string): SelfTestCheck {
  try {
    const what = action();
    return { id, attempted, denied: false, detail: what };
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return { id, attempted, denied: true, detail: typeof code === 'string' ? `${code}: ${errorText(e)}` : errorText(e) };
  }
}

function tryConnect(port: number): Promise<SelfTestCheck> {
  const attempted = `TCP connection to 127.0.0.1:${port} (a port the host listens on)`;
  return new Promise((resolve) => {
    let settled = false;
    const done = (c: SelfTestCheck) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(c);
    };
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => done({ id: 'network', attempted, denied: false, detail: 'connected' }));
    socket.once('error', (e) => done({ id: 'network', attempted, denied: true, detail: (e as { code?: string }).code ?? e.message }));
    socket.setTimeout(1500, () => done({ id: 'network', attempted, denied: true, detail: 'no answer within 1.5 s' }));
  });
}

async function selfTest(req: SelfTestRequest, runtime: OrtModule): Promise<SelfTestCheck[]> {
  const cwd = process.cwd();
  const checks: SelfTestCheck[] = [];
  checks.push(attempt('fs-write', `write a file in the working directory ${cwd}`, () => {
    writeFileSync(join(cwd, '.assay-write-probe'), 'x');
    return 'file written';
  }));
  checks.push(attempt('fs-read', `read ${req.readPath}`, () => `read ${readFileSync(req.readPath).byteLength} bytes`));
  checks.push(attempt('child-process', 'spawn /bin/sh', () => {
    const r = spawnSync('/bin/sh', ['-c', 'exit 0'], { timeout: 2000 });
    if (r.error) throw r.error;
    return `process ran, exit status ${r.status}`;
  }));
  checks.push(attempt('worker-thread', 'start a worker thread', () => {
    const w = new Worker('0', { eval: true });
    void w.terminate();
    return 'worker thread started';
  }));
  if (req.port !== null) checks.push(await tryConnect(req.port));
  // The native library is not bound by the permission model; only the OS layer can stop this.
  // The launcher lets the worker read its own (empty) working directory, so the result is seen.
  const nativeTarget = join(cwd, '.assay-native-probe.onnx');
  let outcome = 'onnxruntime reported no error';
  try {
    const s = await runtime.InferenceSession.create(req.probeModel, { optimizedModelFilePath: nativeTarget, logSeverityLevel: 4 });
    await s.release();
  } catch (e) {
    outcome = errorText(e).slice(0, 300);
  }
  const written = existsSync(nativeTarget);
  checks.push({ id: 'native-write', attempted: `onnxruntime writes ${nativeTarget} (optimized-model output)`, denied: !written, detail: written ? `file created (${outcome})` : outcome });
  checks.push(attempt('memory', `allocate ${req.allocateBytes} bytes`, () => {
    const b = new ArrayBuffer(req.allocateBytes);
    return `allocated ${b.byteLength} bytes`;
  }));
  return checks;
}

// ---- inference ----

/** Generated pools are reused across runs of one session (the backdoor suite repeats its base rows). */
const sources = new Map<string, RowSource>();
function rowSource(p: InputPlan): RowSource {
  if (p.source === 'dataset') return new RowSource(p, datasets);
  const key = JSON.stringify(p);
  let s = sources.get(key);
  if (!s) {
    if (sources.size >= 8) sources.delete(sources.keys().next().value!);
    s = new RowSource(p, datasets);
    sources.set(key, s);
  }
  return s;
}

function checkPlan(plan: RunPlan, s: Ort.InferenceSession): void {
  const need = new Set(s.inputNames);
  for (const name of Object.keys(plan.inputs)) if (!need.has(name)) throw new PlanError(`the model has no input ${name}`);
  for (const name of need) if (!plan.inputs[name]) throw new PlanError(`no probe plan for input ${name}`);
  for (const name of plan.outputs) if (!s.outputNames.includes(name)) throw new PlanError(`the model has no output ${name}`);
  if (!Number.isSafeInteger(plan.rows) || plan.rows < 1) throw new PlanError('rows must be a positive integer');
  if (!Number.isSafeInteger(plan.batchSize) || plan.batchSize < 1) throw new PlanError('batchSize must be a positive integer');
  for (const [name, p] of Object.entries(plan.inputs)) {
    if (!isDType(p.dtype)) throw new PlanError(`input ${name}: unsupported dtype ${String(p.dtype)}`);
    if (!p.rowShape.every((d) => Number.isSafeInteger(d) && d >= 1)) throw new PlanError(`input ${name}: row shape must be positive integers`);
  }
}

function argmaxRows(t: Ort.Tensor, rows: number): Int32Array {
  const data = t.data as ArrayLike<number | bigint>;
  const per = data.length / rows;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestV = -Infinity;
    for (let k = 0; k < per; k++) {
      const v = Number(data[r * per + k]!);
      if (v > bestV) {
        bestV = v;
        best = k;
      }
    }
    out[r] = best;
  }
  return out;
}

/** Whether any of the rows first..first+rows-1 (of variants of `base` rows each) carries an edit. */
function batchEdited(perVariant: readonly (readonly unknown[])[], first: number, rows: number, base: number): boolean {
  const last = Math.floor((first + rows - 1) / base);
  for (let v = Math.floor(first / base); v <= last; v++) if (perVariant[v]!.length > 0) return true;
  return false;
}

function bytesOf(data: ArrayBufferView): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

async function run(id: number, plan: RunPlan): Promise<void> {
  const started = performance.now();
  const runtime = loadOrt();
  const s = session;
  if (!s) throw new PlanError('no model loaded');
  checkPlan(plan, s);
  const variants = plan.variants && plan.variants.length > 0 ? plan.variants : [[]];
  const pools = new EditPools();
  const inputs = Object.entries(plan.inputs).map(([name, p]) => {
    const source = rowSource(p);
    const ctx: EditContext = { dtype: p.dtype, rowShape: p.rowShape, rowLen: source.rowLen, datasets, pools };
    const perVariant = variants.map((v) => v.filter((e) => e.input === name));
    for (const edits of perVariant) for (const e of edits) checkEdit(e, ctx);
    return { name, plan: p, source, ctx, perVariant, buffer: null as TypedRow | null };
  });
  for (const v of variants) for (const e of v) if (!plan.inputs[e.input]) throw new PlanError(`edit names unknown input ${e.input}`);

  const total = plan.rows * variants.length;
  let generateMs = 0;
  let inferMs = 0;
  const pending = new Pending(id);
  for (let first = 0; first < total; first += plan.batchSize) {
    const rows = Math.min(plan.batchSize, total - first);
    const t0 = performance.now();
    const feeds: Record<string, Ort.Tensor> = {};
    for (const input of inputs) {
      const dims = [rows, ...input.plan.rowShape];
      // Unedited rows that sit together in the pool or dataset go to onnxruntime as they are.
      const edited = batchEdited(input.perVariant, first, rows, plan.rows);
      const view = edited ? null : input.source.view(first, rows, plan.rows);
      if (view) {
        feeds[input.name] = new runtime.Tensor(input.plan.dtype, view as never, dims);
        continue;
      }
      const len = rows * input.source.rowLen;
      if (!input.buffer || input.buffer.length !== len) input.buffer = allocate(input.plan.dtype, len);
      const buf = input.buffer;
      input.source.copyRows(first, rows, plan.rows, buf, 0);
      if (edited) {
        for (let r = 0; r < rows; r++) {
          const g = first + r;
          const edits = input.perVariant[Math.floor(g / plan.rows)]!;
          if (edits.length === 0) continue;
          const at = r * input.source.rowLen;
          const row = buf.subarray(at, at + input.source.rowLen) as TypedRow;
          for (const e of edits) applyEdit(e, row, g % plan.rows, input.ctx);
        }
      }
      feeds[input.name] = new runtime.Tensor(input.plan.dtype, buf as never, dims);
    }
    const t1 = performance.now();
    const result = await s.run(feeds, plan.outputs);
    const t2 = performance.now();
    generateMs += t1 - t0;
    inferMs += t2 - t1;
    const blobs: OutputBlob[] = [];
    let bytes = 0;
    for (const name of plan.outputs) {
      const t = result[name];
      if (!t) throw new PlanError(`onnxruntime returned no ${name}`);
      if (t.dims[0] !== rows) throw new PlanError(`output ${name} is not batched by row (dims [${t.dims.join(', ')}] for ${rows} rows)`);
      if (plan.reduce?.[name] === 'argmax') {
        const a = argmaxRows(t, rows);
        blobs.push({ name, dtype: 'int32', dims: [rows], data: bytesOf(a) });
        bytes += a.byteLength;
      } else {
        const dtype = t.type;
        if (!isDType(dtype)) throw new PlanError(`output ${name} has type ${t.type}, which the sandbox does not return`);
        const data = t.data as ArrayBufferView;
        bytes += data.byteLength;
        if (bytes > maxOutputBytes) {
          await send({ type: 'error', id, phase: 'run', kind: 'output-limit', message: `outputs of one batch of ${rows} rows exceed ${maxOutputBytes} bytes (${name} alone holds ${data.byteLength} bytes, dims [${t.dims.join(', ')}])` });
          return;
        }
        blobs.push({ name, dtype, dims: [...t.dims], data: bytesOf(data) });
      }
    }
    // A message never holds more than max(FLUSH_BYTES, one batch): the host caps frames at that.
    if (pending.bytes + bytes > FLUSH_BYTES) await pending.flush();
    pending.add(first, rows, blobs, bytes);
    // The first batch goes at once (first-result latency); later ones travel together.
    if (first === 0 || pending.bytes >= FLUSH_BYTES || performance.now() - pending.since >= FLUSH_MS) await pending.flush();
  }
  await pending.flush();
  await send({ type: 'done', id, rows: total, generateMs, inferMs, totalMs: performance.now() - started });
}

const FLUSH_BYTES = 1 << 20;
// Each message costs a write into the socket and a wake-up of the host, which competes with
// onnxruntime's threads for the cores. On the bench model, 100 ms instead of 25 ms between
// messages cut the worker's time outside generation and inference from ~30 to ~10 ms per 200
// batches; progress still moves ten times a second, and the first batch still goes at once.
const FLUSH_MS = 100;

/** Consecutive batches' outputs, sent as one message to spare the host a wake-up per batch. */
class Pending {
  first = 0;
  rows = 0;
  bytes = 0;
  since = 0;
  private parts = new Map<string, { dtype: OutputBlob['dtype']; rowDims: number[]; chunks: Uint8Array[] }>();

  constructor(private readonly id: number) {}

  add(first: number, rows: number, blobs: OutputBlob[], bytes: number): void {
    if (this.rows === 0) {
      this.first = first;
      this.since = performance.now();
    }
    this.rows += rows;
    this.bytes += bytes;
    for (const b of blobs) {
      const p = this.parts.get(b.name) ?? { dtype: b.dtype, rowDims: b.dims.slice(1), chunks: [] };
      p.chunks.push(b.data);
      this.parts.set(b.name, p);
    }
  }

  async flush(): Promise<void> {
    if (this.rows === 0) return;
    // The batches' outputs go out as they are, one piece each: joining them would cost a fresh
    // buffer per message, and fresh pages are slow to fault in (notably in virtual machines).
    const outputs = [...this.parts].map(([name, p]) => ({ name, dtype: p.dtype, dims: [this.rows, ...p.rowDims], parts: p.chunks }));
    const chunks = encodeBatchFrame(this.id, this.first, this.rows, outputs);
    this.parts = new Map();
    this.rows = 0;
    this.bytes = 0;
    await sendChunks(chunks);
  }
}

async function handle(message: HostMessage): Promise<void> {
  switch (message.type) {
    case 'init': {
      maxOutputBytes = message.maxOutputBytes;
      let runtime: OrtModule;
      try {
        runtime = loadOrt();
      } catch (e) {
        await sendError(null, 'init', e, 'internal');
        return;
      }
      if (message.selfTest) await send({ type: 'self-test', checks: await selfTest(message.selfTest, runtime) });
      const t0 = performance.now();
      try {
        session = await runtime.InferenceSession.create(message.model, sessionOptions(message));
      } catch (e) {
        await sendError(null, 'load', e, 'ort');
        return;
      }
      await send({ type: 'ready', inputs: ioMeta(session.inputMetadata), outputs: ioMeta(session.outputMetadata), loadMs: performance.now() - t0 });
      return;
    }
    case 'dataset': {
      try {
        if (!isDType(message.dtype)) throw new PlanError(`unsupported dtype ${String(message.dtype)}`);
        const values = viewAs(message.dtype, message.data);
        const rowLen = message.rowShape.reduce((n, d) => n * d, 1);
        if (rowLen < 1 || values.length !== rowLen * message.rows) throw new PlanError(`dataset ${message.name}: ${values.length} values do not make ${message.rows} rows of ${rowLen}`);
        datasets.set(message.name, { dtype: message.dtype, rowShape: message.rowShape, rowLen, rows: message.rows, values });
      } catch (e) {
        await sendError(null, 'dataset', e, 'plan');
      }
      return;
    }
    case 'run':
      try {
        await run(message.id, message.plan);
      } catch (e) {
        await sendError(message.id, 'run', e, 'ort');
      }
      return;
    case 'shutdown':
      out.end(() => process.exit(0));
      return;
  }
}

function main(): void {
  const reader = new FrameReader(MAX_HOST_FRAME);
  let chain = Promise.resolve();
  process.on('uncaughtException', (e) => {
    void send({ type: 'error', id: null, phase: 'internal', kind: kindOf(e, 'internal'), message: errorText(e) }).finally(() => process.exit(70));
  });
  process.stdin.on('data', (chunk: Buffer) => {
    let messages: unknown[];
    try {
      messages = reader.push(chunk);
    } catch (e) {
      void sendError(null, 'internal', e, 'internal').finally(() => process.exit(71));
      return;
    }
    for (const m of messages) chain = chain.then(() => handle(m as HostMessage));
  });
  // The host closing our stdin means it is gone or done: nothing else will come.
  process.stdin.on('end', () => process.exit(0));
  void send({
    type: 'hello', protocol: PROTOCOL_VERSION, pid: process.pid, node: process.version,
    uid: typeof process.getuid === 'function' ? process.getuid() : null, cwd: process.cwd(),
  });
}

main();
