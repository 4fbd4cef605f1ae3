// Running dataset work in the core's worker pool as a job: progress in bytes, cancellation
// through the job's signal, and worker failures turned into errors an auditor can act on.
import { ApiError } from '../../../../shared/api/errors.ts';
import type { CoreContext } from '../../context.ts';
import type { Job } from '../../jobs/registry.ts';
import type { TaskInput, TaskName, TaskOutput } from '../../work/tasks.ts';
import type { DetectorInfo } from './worker-tasks.ts';

export async function runInWorker<T extends TaskName>(ctx: CoreContext, job: Job, task: T, input: TaskInput<T>): Promise<TaskOutput<T>> {
  try {
    return await ctx.pool.run(task, input, {
      signal: job.signal,
      onProgress: (bytesDone, bytesTotal) => job.update({ bytesDone, bytesTotal }),
    });
  } catch (e) {
    if (job.signal.aborted) throw e;
    throw workerError(e);
  }
}

/** A worker's error as an ApiError: a wrong label column is the auditor's input; I/O is I/O. */
function workerError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  const name = e instanceof Error ? e.name : 'Error';
  const message = e instanceof Error ? e.message : String(e);
  if (name === 'LabelNotFoundError') return new ApiError('invalid_input', `label column: ${message}`);
  if (/\b(ENOENT|EACCES|EPERM|EISDIR|ENOTDIR|EEXIST)\b|already exists/.test(message)) return new ApiError('io_error', message);
  return new ApiError('internal', message);
}

let detectorCache: Promise<DetectorInfo[]> | null = null;

/** The engine's detectors (read once, in a worker: the engine is not loaded on this thread). */
export function detectorList(ctx: CoreContext): Promise<DetectorInfo[]> {
  detectorCache ??= ctx.pool.run('dataset-detectors', undefined).catch((e: unknown) => {
    detectorCache = null;
    throw e;
  });
  return detectorCache;
}
