// Long operations: progress (bytes and items, rate over a recent window, ETA), cancellation
// through an AbortSignal, and events throttled to a rate a UI can draw.
import { randomBytes } from 'node:crypto';
import type { JobProgress } from '../../../shared/api/schemas.ts';
import type { EventBus } from '../events.ts';

const EMIT_INTERVAL_MS = 100;
const RATE_WINDOW_MS = 3000;

export class Job {
  private readonly controller = new AbortController();
  private readonly samples: { t: number; bytes: number }[] = [];
  private lastEmit = 0;
  readonly progress: JobProgress;

  constructor(id: string, label: string, private readonly bus: EventBus, private readonly onEnd: (job: Job) => void) {
    this.progress = {
      jobId: id, label, state: 'running', bytesDone: 0, bytesTotal: 0, itemsDone: 0, itemsTotal: 0,
      currentItem: null, startedAt: new Date().toISOString(), rate: 0, etaSeconds: null, error: null,
    };
  }

  get id(): string { return this.progress.jobId; }
  get signal(): AbortSignal { return this.controller.signal; }

  cancel(): void {
    this.controller.abort(new CancelledError());
  }

  /** Throws the cancellation reason if the job was cancelled (call between units of work). */
  throwIfCancelled(): void {
    this.controller.signal.throwIfAborted();
  }

  update(patch: Partial<Pick<JobProgress, 'bytesDone' | 'bytesTotal' | 'itemsDone' | 'itemsTotal' | 'currentItem' | 'label'>>): void {
    Object.assign(this.progress, patch);
    const now = Date.now();
    if (patch.bytesDone !== undefined) {
      this.samples.push({ t: now, bytes: patch.bytesDone });
      while (this.samples.length > 2 && now - this.samples[0]!.t > RATE_WINDOW_MS) this.samples.shift();
      const first = this.samples[0]!;
      const dt = (now - first.t) / 1000;
      this.progress.rate = dt > 0.05 ? Math.max(0, (patch.bytesDone - first.bytes) / dt) : this.progress.rate;
      const left = this.progress.bytesTotal - this.progress.bytesDone;
      this.progress.etaSeconds = this.progress.rate > 0 && left >= 0 ? left / this.progress.rate : null;
    }
    if (now - this.lastEmit >= EMIT_INTERVAL_MS) this.emit();
  }

  finish(state: 'done' | 'failed' | 'cancelled', error: string | null = null): void {
    if (this.progress.state !== 'running') return;
    this.progress.state = state;
    this.progress.error = error;
    this.progress.etaSeconds = state === 'done' ? 0 : null;
    this.emit();
    this.onEnd(this);
  }

  private emit(): void {
    this.lastEmit = Date.now();
    this.bus.emit({ type: 'job', job: { ...this.progress } });
  }
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled by the auditor');
    this.name = 'CancelledError';
  }
}

export class JobRegistry {
  private readonly running = new Map<string, Job>();
  constructor(private readonly bus: EventBus) {}

  start(label: string, jobId?: string): Job {
    const id = jobId && !this.running.has(jobId) ? jobId : randomBytes(8).toString('hex');
    const job = new Job(id, label, this.bus, (j) => this.running.delete(j.id));
    this.running.set(id, job);
    return job;
  }

  cancel(jobId: string): boolean {
    const job = this.running.get(jobId);
    if (!job) return false;
    job.cancel();
    return true;
  }

  list(): JobProgress[] {
    return [...this.running.values()].map((j) => ({ ...j.progress }));
  }

  /** Runs `work` as a job: finishes it as done, failed or cancelled, and rethrows failures. */
  async run<T>(label: string, jobId: string | undefined, work: (job: Job) => Promise<T>): Promise<T> {
    const job = this.start(label, jobId);
    try {
      const result = await work(job);
      job.finish('done');
      return result;
    } catch (e) {
      if (job.signal.aborted) job.finish('cancelled');
      else job.finish('failed', e instanceof Error ? e.message : String(e));
      throw e;
    }
  }
}
