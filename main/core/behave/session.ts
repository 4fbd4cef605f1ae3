// The host's handle on one sandboxed worker: launches it, loads a model, runs probe plans,
// collects results, and turns every way the worker can end badly (hang, crash, out of memory,
// oversized output, protocol abuse) into a SandboxFailure with what happened. One session is
// one worker process; the watchdog covers its whole life.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { onnx } from '../formats/onnx/proto.ts';
import {
  DTYPE_BYTES, encodeFrame, FrameReader, PROTOCOL_VERSION, ProtocolError,
  type DType, type HostMessage, type IoMeta, type Optimization, type RunPlan, type SelfTestCheck, type WorkerMessage,
} from '../../sandbox/protocol.ts';
import { viewAs } from '../../sandbox/probes.ts';
import { DEFAULT_LIMITS, launchWorker, resolveRuntimePaths, SandboxUnavailableError, type RuntimePaths, type WorkerProcess } from './launcher.ts';
import { parseWorkerMessage } from './messages.ts';
import type { IsolationChoice, IsolationReport, OutputTable, SandboxFailureInfo, SandboxLimits } from './types.ts';

export interface SessionOptions {
  isolation?: IsolationChoice;
  limits?: Partial<SandboxLimits>;
  runtime?: Partial<RuntimePaths>;
  signal?: AbortSignal;
  /** Attempt forbidden operations at start-up and record which were denied (default true). */
  selfTest?: boolean;
  optimization?: Optimization;
  /**
   * When the whole operation must end (a `performance.now()` time): the worker is killed then,
   * as a timeout, whatever it is doing. Spans several sessions of one operation.
   */
  deadline?: number;
}

export class SandboxFailure extends Error {
  constructor(readonly info: SandboxFailureInfo, readonly isolation: IsolationReport | null) {
    super(info.message);
    this.name = 'SandboxFailure';
  }
}

export interface RunResult {
  rows: number;
  outputs: Record<string, OutputTable>;
  /** Worker time building input batches, inside session.run, and on the whole request. */
  generateMs: number;
  inferMs: number;
  workerMs: number;
  /** Host time from sending the request to the last result. */
  wallMs: number;
}

const STDERR_TAIL = 8 * 1024;
const ANSI = /\x1b\[[0-9;]*m/g;
/** Frames from the worker: one batch of outputs (or up to 1 MiB of coalesced batches) plus a header. */
function maxFrame(limits: SandboxLimits): number {
  return Math.max(limits.maxOutputBytes, 1024 * 1024) + 1024 * 1024;
}

const OOM = /out of memory|bad_alloc|failed to allocate|allocation failed|Failed to reserve|heap limit|OOM/i;

let probeModel: Uint8Array | null = null;
/** A one-node model for the native-write check of the self-test. */
function selfTestModel(): Uint8Array {
  probeModel ??= onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'assay-self-test',
      node: [{ opType: 'Identity', input: ['x'], output: ['y'] }],
      input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }] } } } }],
      output: [{ name: 'y', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }] } } } }],
    },
  })).finish();
  return probeModel;
}

let canary: string | null = null;
/** A host file outside everything the worker may read. */
function canaryFile(): string {
  if (!canary || !existsSync(canary)) {
    const dir = mkdtempSync(join(tmpdir(), 'assay-canary-'));
    canary = join(dir, 'canary.txt');
    writeFileSync(canary, 'assay sandbox canary: the worker must not read this\n');
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return canary;
}

function ortVersion(entry: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(dirname(dirname(entry)), 'package.json'), 'utf8')) as { version?: string };
    return `onnxruntime-node ${pkg.version ?? 'unknown'}`;
  } catch {
    return 'onnxruntime-node';
  }
}

function abortError(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new DOMException('The operation was aborted', 'AbortError');
}

type Phase = SandboxFailureInfo['phase'];
type Cause = 'timeout' | 'protocol' | 'abort' | 'closed' | null;

export class SandboxSession {
  readonly limits: SandboxLimits;
  isolation: IsolationReport | null = null;
  io: { inputs: IoMeta[]; outputs: IoMeta[] } = { inputs: [], outputs: [] };
  loadMs = 0;
  launchMs = 0;
  /** Milliseconds from launch to the first batch of results reaching the host. */
  firstResultMs: number | null = null;

  private readonly worker: WorkerProcess;
  private readonly reader: FrameReader;
  private inbox: WorkerMessage[] = [];
  private wake: (() => void) | null = null;
  private failure: SandboxFailureInfo | null = null;
  private cause: Cause = null;
  private causeMessage = '';
  private phase: Phase = 'launch';
  private stderr = '';
  private watchdog: NodeJS.Timeout | undefined;
  private readonly lifetime: NodeJS.Timeout;
  private nextId = 1;
  private exited = false;
  private closedPromise: Promise<void>;
  private readonly onAbort: () => void;

  private constructor(worker: WorkerProcess, limits: SandboxLimits, private readonly signal: AbortSignal | undefined, deadline: number | undefined) {
    this.worker = worker;
    this.limits = limits;
    this.reader = new FrameReader(maxFrame(limits));
    this.armWatchdog();
    const left = deadline === undefined ? Infinity : Math.max(0, deadline - performance.now());
    this.lifetime = left < limits.lifetimeMs
      ? setTimeout(() => this.end('timeout', `the operation's time limit passed while ${this.phase === 'run' ? 'running inference' : this.phase === 'load' ? 'loading the model' : 'starting the worker'}; the worker was killed`), left)
      : setTimeout(() => this.end('timeout', `the worker ran past its ${limits.lifetimeMs} ms lifetime and was killed`), limits.lifetimeMs);
    this.onAbort = () => this.end('abort', 'cancelled');
    signal?.addEventListener('abort', this.onAbort, { once: true });
    worker.stderr.on('data', (c: Buffer) => {
      // onnxruntime colours its log lines; reports want the text.
      this.stderr = (this.stderr + c.toString('utf8').replace(ANSI, '')).slice(-STDERR_TAIL);
    });
    worker.messages.on('data', (chunk: Buffer) => this.receive(chunk));
    worker.messages.on('error', () => {});
    worker.stdin.on('error', () => {});
    this.closedPromise = new Promise((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.exited) return;
        this.exited = true;
        clearTimeout(this.watchdog);
        clearTimeout(this.lifetime);
        this.signal?.removeEventListener('abort', this.onAbort);
        if (!this.failure && this.cause !== 'closed') this.failure = this.classifyExit(code, signal);
        worker.cleanup();
        this.notify();
        resolve();
      };
      worker.child.once('close', finish);
      // A launch that fails (a missing binary) may never emit 'close'.
      worker.child.once('error', (e) => {
        this.causeMessage = e.message;
        if (worker.child.pid === undefined) finish(null, null);
      });
    });
  }

  /**
   * Launches a worker, runs its isolation self-test and loads the model. Throws
   * SandboxUnavailableError when no worker can be started at all (an environment problem),
   * SandboxFailure when the model made the worker fail, and the abort reason when cancelled.
   */
  static async open(model: Uint8Array, options: SessionOptions = {}): Promise<SandboxSession> {
    if (options.signal?.aborted) throw abortError(options.signal);
    const limits: SandboxLimits = { ...DEFAULT_LIMITS, ...options.limits };
    const paths = resolveRuntimePaths(options.runtime);
    const worker = launchWorker({ paths, isolation: options.isolation ?? 'auto', limits, modelBytes: model.byteLength });
    const s = new SandboxSession(worker, limits, options.signal, options.deadline);
    try {
      await s.start(model, paths, options);
      return s;
    } catch (e) {
      await s.close();
      throw e;
    }
  }

  private async start(model: Uint8Array, paths: RuntimePaths, options: SessionOptions): Promise<void> {
    const hello = await this.next().catch((e: unknown) => {
      if (e instanceof SandboxFailure && this.cause !== 'abort' && this.cause !== 'timeout') {
        throw new SandboxUnavailableError(`the sandbox worker did not start (${this.worker.level}): ${e.message}; ${this.stderr.trim().slice(-500)}`);
      }
      throw e;
    });
    if (hello.type !== 'hello' || hello.protocol !== PROTOCOL_VERSION) {
      this.protocolFailure(`expected a hello for protocol ${PROTOCOL_VERSION}, got ${hello.type}`);
    }
    this.launchMs = performance.now() - this.worker.startedAt;
    this.phase = 'load';
    const wantSelfTest = options.selfTest ?? true;
    let server: Server | null = null;
    let connections = 0;
    if (wantSelfTest) {
      server = createServer((c) => {
        connections++;
        c.destroy();
      });
      await new Promise<void>((res) => server!.listen(0, '127.0.0.1', res));
    }
    try {
      const port = server ? (server.address() as { port: number }).port : null;
      const allocateBytes = (this.worker.addressSpaceBytes ?? 2 * 1024 ** 3) + 256 * 1024 ** 2;
      await this.send({
        type: 'init',
        model,
        threads: this.limits.threads,
        optimization: options.optimization ?? 'all',
        maxOutputBytes: this.limits.maxOutputBytes,
        selfTest: wantSelfTest ? { probeModel: selfTestModel(), port, readPath: canaryFile(), allocateBytes } : null,
      });
      let checks: SelfTestCheck[] = [];
      if (wantSelfTest) {
        const m = await this.next();
        if (m.type === 'self-test') checks = m.checks;
        else this.inbox.unshift(m);
      }
      // The host knows better than the worker for two checks: whether a connection arrived,
      // and whether a file appeared in a working directory it can see.
      checks = checks.map((c) => this.verifyCheck(c, connections));
      this.isolation = this.buildReport(paths, options.isolation ?? 'auto', hello.uid, hello.node, checks);
      const ready = await this.next();
      if (ready.type === 'error' && ready.phase === 'init') {
        // The worker could not load onnxruntime: the installation, not the model.
        throw new SandboxUnavailableError(`the sandbox worker could not start onnxruntime: ${ready.message}`);
      }
      if (ready.type === 'error') {
        this.fail(ready.kind === 'allocation' ? 'out-of-memory' : 'load-failed', `${ready.kind === 'allocation' ? 'loading the model needed more memory than the sandbox allows' : 'onnxruntime could not load the model'}: ${ready.message}`);
        throw this.failureError();
      }
      if (ready.type !== 'ready') this.protocolFailure(`expected ready, got ${ready.type}`);
      this.io = { inputs: ready.inputs, outputs: ready.outputs };
      this.loadMs = ready.loadMs;
      this.phase = 'run';
    } finally {
      server?.close();
    }
  }

  private verifyCheck(c: SelfTestCheck, connections: number): SelfTestCheck {
    if (c.id === 'network' && connections > 0) return { ...c, denied: false, detail: `the host received ${connections} connection(s)` };
    if (c.id === 'native-write' && this.worker.hostCwd) {
      const f = join(this.worker.hostCwd, '.assay-native-probe.onnx');
      if (existsSync(f)) {
        const size = statSync(f).size;
        return size > 0
          ? { ...c, denied: false, detail: `file of ${size} bytes created on the host` }
          : { ...c, denied: true, detail: 'an empty file was created; writing its content was denied (file size limit 0)' };
      }
    }
    return c;
  }

  private buildReport(paths: RuntimePaths, wanted: IsolationChoice, uid: number | null, node: string, checks: SelfTestCheck[]): IsolationReport {
    const w = this.worker;
    return {
      level: w.level,
      wanted,
      fallbacks: w.fallbacks,
      layers: uid !== null ? [...w.layers, `worker ran as uid ${uid}`] : w.layers,
      limits: {
        timeoutMs: this.limits.timeoutMs,
        lifetimeMs: this.limits.lifetimeMs,
        addressSpaceBytes: w.addressSpaceBytes,
        heapMegabytes: this.limits.heapMegabytes,
        maxOutputBytes: this.limits.maxOutputBytes,
        maxResultBytes: this.limits.maxResultBytes,
        threads: this.limits.threads,
        fileSizeBytes: w.rlimitsApplied ? 0 : null,
        openFiles: w.rlimitsApplied ? 256 : null,
      },
      checks,
      runtime: { node, platform: `${process.platform}-${process.arch}`, workerPath: paths.workerPath, onnxruntime: ortVersion(paths.ortEntry) },
      command: w.command,
    };
  }

  /** Sends rows of a dataset the plans can read (`source: 'dataset'`, blend edits). */
  async sendDataset(name: string, dtype: DType, rowShape: number[], rows: number, data: Uint8Array): Promise<void> {
    this.ensureAlive();
    await this.send({ type: 'dataset', name, dtype, rowShape, rows, data });
  }

  /** Runs a plan and gathers its outputs; onBatch reports rows done so far. */
  async run(plan: RunPlan, onBatch?: (done: number, total: number) => void): Promise<RunResult> {
    this.ensureAlive();
    const id = this.nextId++;
    const started = performance.now();
    const variants = plan.variants && plan.variants.length > 0 ? plan.variants.length : 1;
    const total = plan.rows * variants;
    const tables = new Map<string, OutputTable>();
    let resultBytes = 0;
    let expected = 0;
    await this.send({ type: 'run', id, plan });
    for (;;) {
      const m = await this.next();
      if (m.type === 'error') {
        const kind = m.kind === 'allocation' ? 'out-of-memory' : m.kind === 'output-limit' ? 'output-limit' : 'inference-failed';
        const prefix = { 'out-of-memory': 'the model needed more memory than the sandbox allows: ', 'output-limit': '', 'inference-failed': 'inference failed: ' }[kind];
        this.fail(kind, `${prefix}${m.message}`);
        throw this.failureError();
      }
      if (m.type === 'done' && m.id === id) {
        if (m.rows !== total || expected !== total) return this.protocolFailure('run finished with rows missing');
        return { rows: total, outputs: Object.fromEntries(tables), generateMs: m.generateMs, inferMs: m.inferMs, workerMs: m.totalMs, wallMs: performance.now() - started };
      }
      if (m.type !== 'batch' || m.id !== id) return this.protocolFailure(`unexpected ${m.type} message during a run`);
      // One message may carry several consecutive batches.
      if (m.first !== expected || m.rows < 1 || m.first + m.rows > total) return this.protocolFailure('batch out of sequence');
      if (this.firstResultMs === null) this.firstResultMs = performance.now() - this.worker.startedAt;
      for (const o of m.outputs) {
        if (!plan.outputs.includes(o.name)) return this.protocolFailure(`output ${o.name} was not asked for`);
        const n = o.dims.reduce((a, d) => a * d, 1);
        if (n * DTYPE_BYTES[o.dtype] !== o.data.byteLength) return this.protocolFailure(`output ${o.name}: dims and data length disagree`);
        if (o.dims[0] !== m.rows) {
          this.fail('inference-failed', `output ${o.name} is not batched by row (dims [${o.dims.join(', ')}] for ${m.rows} rows)`);
          throw this.failureError();
        }
        let t = tables.get(o.name);
        const perRow = n / m.rows;
        if (!t) {
          resultBytes += total * perRow * 8;
          if (resultBytes > this.limits.maxResultBytes) {
            this.fail('output-limit', `outputs of ${total} rows would need ${resultBytes} bytes on the host, over the ${this.limits.maxResultBytes}-byte limit`);
            throw this.failureError();
          }
          t = { name: o.name, dtype: o.dtype, rowShape: o.dims.slice(1), perRow, rows: total, values: new Float64Array(total * perRow) };
          tables.set(o.name, t);
        }
        if (perRow !== t.perRow) return this.protocolFailure(`output ${o.name} changed shape between batches`);
        const values = viewAs(o.dtype, o.data);
        const at = m.first * perRow;
        if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
          for (let k = 0; k < values.length; k++) t.values[at + k] = Number(values[k]!);
        } else {
          t.values.set(values as Float64Array, at);
        }
      }
      expected += m.rows;
      onBatch?.(expected, total);
    }
  }

  /** Ends the worker (politely if it is still healthy) and waits until it is gone. */
  async close(): Promise<void> {
    if (!this.failure && this.cause === null && this.worker.child.exitCode === null) {
      this.cause = 'closed';
      try {
        await this.send({ type: 'shutdown' });
        this.worker.stdin.end();
      } catch {
        // already gone
      }
      const t = setTimeout(() => this.worker.kill(), 2000);
      await this.closedPromise;
      clearTimeout(t);
      return;
    }
    this.worker.kill();
    await this.closedPromise;
  }

  /** The failure that ended this session, if any. */
  get failed(): SandboxFailureInfo | null {
    return this.failure;
  }

  /** Process id of the launched process (bwrap itself under bubblewrap), for diagnostics. */
  get pid(): number | undefined {
    return this.worker.child.pid;
  }

  get elapsedMs(): number {
    return performance.now() - this.worker.startedAt;
  }

  // ---- internals ----

  /** (Re)starts the no-progress timer: called on every request sent and every message received. */
  private armWatchdog(): void {
    clearTimeout(this.watchdog);
    if (this.exited || (this.cause !== null && this.cause !== 'closed')) return;
    const ms = this.limits.timeoutMs;
    this.watchdog = setTimeout(() => this.end('timeout', `no progress within the ${ms} ms limit (${this.phase === 'run' ? 'inference' : this.phase === 'load' ? 'loading the model' : 'start-up'} hung); the worker was killed`), ms);
  }

  private receive(chunk: Buffer): void {
    if (this.cause !== null && this.cause !== 'closed') return;
    this.armWatchdog();
    let raw: unknown[];
    try {
      raw = this.reader.push(chunk);
    } catch (e) {
      this.end('protocol', e instanceof ProtocolError ? e.message : String(e));
      return;
    }
    for (const r of raw) {
      const m = parseWorkerMessage(r);
      if (!m) {
        this.end('protocol', 'the worker sent a message that does not match the protocol');
        return;
      }
      this.inbox.push(m);
    }
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private async next(): Promise<WorkerMessage> {
    for (;;) {
      const m = this.inbox.shift();
      if (m) return m;
      if (this.cause === 'abort' && this.signal) throw abortError(this.signal);
      if (this.failure) throw this.failureError();
      if (this.exited) throw new Error('the sandbox session is closed');
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private async send(message: HostMessage): Promise<void> {
    this.armWatchdog();
    const stdin = this.worker.stdin;
    const chunks = encodeFrame(message);
    let ok = true;
    for (const c of chunks) ok = stdin.write(c);
    if (!ok) {
      await new Promise<void>((resolve) => {
        const done = () => {
          stdin.off('drain', done);
          this.worker.child.off('close', done);
          resolve();
        };
        stdin.on('drain', done);
        this.worker.child.once('close', done);
      });
    }
  }

  private ensureAlive(): void {
    if (this.cause === 'abort' && this.signal) throw abortError(this.signal);
    if (this.failure) throw this.failureError();
    if (this.cause === 'closed' || this.exited) throw new Error('the sandbox session is closed');
  }

  /** Kills the worker for a cause found on the host side. */
  private end(cause: Exclude<Cause, null | 'closed'>, message: string): void {
    if (this.cause !== null && this.cause !== 'closed') return;
    this.cause = cause;
    this.causeMessage = message;
    this.worker.kill();
    this.notify();
  }

  /** Records a failure the worker reported itself and ends the worker. */
  private fail(kind: SandboxFailureInfo['kind'], message: string): void {
    if (!this.failure) this.failure = this.info(kind, message, null);
    this.worker.kill();
  }

  private protocolFailure(message: string): never {
    this.end('protocol', message);
    this.failure = this.info('protocol', message, null);
    throw this.failureError();
  }

  private failureError(): SandboxFailure {
    return new SandboxFailure(this.failure ?? this.info('crash', this.causeMessage || 'the worker ended', null), this.isolation);
  }

  private info(kind: SandboxFailureInfo['kind'], message: string, exit: SandboxFailureInfo['exit']): SandboxFailureInfo {
    return { kind, message, phase: this.phase, exit, stderrTail: this.stderr.trim().slice(-2000), elapsedMs: Math.round(this.elapsedMs) };
  }

  private classifyExit(code: number | null, signal: NodeJS.Signals | null): SandboxFailureInfo {
    const exit = { code, signal };
    if (this.cause === 'timeout') return this.info('timeout', this.causeMessage, exit);
    if (this.cause === 'protocol') return this.info('protocol', `protocol violation: ${this.causeMessage}; the worker was killed`, exit);
    if (this.cause === 'abort') return this.info('crash', 'cancelled', exit);
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    if (OOM.test(this.stderr)) return this.info('out-of-memory', `the worker ran out of memory (${how}) during ${this.phase}`, exit);
    const hint = signal === 'SIGKILL' ? ' (killed from outside, possibly by the kernel\'s out-of-memory killer)' : '';
    return this.info('crash', `the worker ended unexpectedly with ${how}${hint} during ${this.phase}`, exit);
  }
}
