// Running many files through the worker pool as one job: bounded concurrency (one file per
// worker thread), and byte-level progress summed over the files in flight.
import type { CoreContext } from '../context.ts';
import type { Job } from '../jobs/registry.ts';
import type { IntakeInput, IntakeOutput } from './tasks.ts';

/** Files processed at once: one per worker thread of the pool. */
export const FILE_CONCURRENCY = 2;

export class FileBatch {
  private bytesFinished = 0;
  private itemsDone = 0;
  private readonly inFlight = new Map<number, number>();
  private nextKey = 0;

  constructor(private readonly ctx: CoreContext, private readonly job: Job) {}

  /** Declares the totals before the first byte is read, so progress has an ETA. */
  begin(bytesTotal: number, itemsTotal: number): void {
    this.job.update({ bytesTotal, itemsTotal, bytesDone: 0, itemsDone: 0 });
  }

  private report(): void {
    let inFlight = 0;
    for (const v of this.inFlight.values()) inFlight += v;
    this.job.update({ bytesDone: this.bytesFinished + inFlight, itemsDone: this.itemsDone });
  }

  /** Hashes (and optionally copies) and scans one file in a worker thread. */
  async intake(input: IntakeInput, label: string): Promise<IntakeOutput> {
    const key = this.nextKey++;
    this.inFlight.set(key, 0);
    this.job.update({ currentItem: label });
    try {
      return await this.ctx.pool.run('intake', input, {
        signal: this.job.signal,
        onProgress: (done) => { this.inFlight.set(key, done); this.report(); },
      });
    } finally {
      this.bytesFinished += this.inFlight.get(key) ?? 0;
      this.inFlight.delete(key);
      this.itemsDone++;
      this.report();
    }
  }
}

/** Runs `fn` over `items` with at most `width` in flight; the first failure stops new work and is rethrown. */
export async function forEachConcurrent<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  const lane = async () => {
    while (failure === null && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  if (failure !== null) throw failure;
}
