// A small pool of worker threads for the heavy part of intake. Tasks queue when all workers are
// busy; a cancelled task is aborted inside its worker; a worker that dies fails its tasks and
// is replaced.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { appRoot, runningFromSources } from '../util/app-root.ts';
import type { FromWorker, ToWorker } from './protocol.ts';
import type { TaskInput, TaskName, TaskOutput } from './tasks.ts';

export class WorkerTaskError extends Error {
  constructor(readonly originalName: string, message: string) {
    super(message);
    this.name = originalName;
  }
}

interface Pending {
  id: number;
  task: TaskName;
  input: unknown;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  resolve(v: unknown): void;
  reject(e: unknown): void;
  worker?: Slot;
}

interface Slot {
  worker: Worker;
  busy: Pending | null;
}

/** How to start a worker: the bundled file in the app; the TypeScript source through tsx otherwise. */
export interface WorkerEntry {
  url: URL;
  workerData?: unknown;
}

export function defaultWorkerEntry(): WorkerEntry {
  if (!runningFromSources()) return { url: pathToFileURL(join(appRoot(), 'dist', 'workers', 'worker.mjs')) };
  return {
    url: new URL('./tsx-bootstrap.mjs', import.meta.url),
    workerData: { tsEntry: new URL('./worker.ts', import.meta.url).href },
  };
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly entry: WorkerEntry = defaultWorkerEntry(), private readonly size = Math.max(1, Math.min(2, availableParallelism()))) {}

  run<T extends TaskName>(task: T, input: TaskInput<T>, options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {}): Promise<TaskOutput<T>> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    if (options.signal?.aborted) return Promise.reject(options.signal.reason ?? new Error('cancelled'));
    return new Promise<TaskOutput<T>>((resolve, reject) => {
      const onAbort = () => this.cancel(p);
      const settle = () => options.signal?.removeEventListener('abort', onAbort);
      const p: Pending = {
        id: this.nextId++, task, input, onProgress: options.onProgress, signal: options.signal,
        resolve: (v) => { settle(); resolve(v as TaskOutput<T>); },
        reject: (e) => { settle(); reject(e); },
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(p);
      this.pump();
    });
  }

  private cancel(p: Pending): void {
    const queued = this.queue.indexOf(p);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      p.reject(p.signal?.reason ?? new Error('cancelled'));
    } else if (p.worker) {
      p.worker.worker.postMessage({ type: 'cancel', id: p.id } satisfies ToWorker);
    }
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.busy === null);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const p = this.queue.shift()!;
      slot.busy = p;
      p.worker = slot;
      slot.worker.ref(); // a busy worker keeps the process alive; an idle one does not
      slot.worker.postMessage({ type: 'run', id: p.id, task: p.task, input: p.input } satisfies ToWorker);
    }
  }

  private spawn(): Slot {
    const worker = new Worker(this.entry.url, { workerData: this.entry.workerData });
    const slot: Slot = { worker, busy: null };
    worker.on('message', (m: FromWorker) => {
      const p = slot.busy;
      if (!p || p.id !== m.id) return;
      if (m.type === 'progress') {
        p.onProgress?.(m.bytesDone, m.bytesTotal);
        return;
      }
      slot.busy = null;
      slot.worker.unref();
      if (m.type === 'result') p.resolve(m.output);
      else p.reject(p.signal?.aborted ? (p.signal.reason ?? new Error('cancelled')) : new WorkerTaskError(m.name, m.message));
      this.pump();
    });
    const fail = (e: unknown) => {
      const idx = this.slots.indexOf(slot);
      if (idx >= 0) this.slots.splice(idx, 1);
      slot.busy?.reject(e instanceof Error ? e : new Error(`worker stopped: ${String(e)}`));
      slot.busy = null;
      if (!this.closed) this.pump();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => { if (code !== 0 || slot.busy) fail(new Error(`worker exited with code ${code}`)); });
    worker.unref();
    this.slots.push(slot);
    return slot;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('worker pool closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }
}
