// What every behaviour operation of the API shares: the engine options built from the face's
// runtime, the auditor's limits and the operation's deadline; progress reported on the job; the
// run's metadata; and the engine's caller errors turned into API errors.
import type { z } from 'zod';
import { ApiError } from '../../../shared/api/errors.ts';
import type { LimitsInputSchema, RunKind } from '../../../shared/api/methods/behave-schemas.ts';
import type { CoreContext } from '../context.ts';
import type { Job } from '../jobs/registry.ts';
import { SandboxUnavailableError } from './launcher.ts';
import { NpyError } from './npy.ts';
import type { RunMeta } from './record.ts';
import { sandboxRuntime } from './runtime.ts';
import type { BehaveOptions } from './sandboxed.ts';
import type { Progress, SandboxLimits } from './types.ts';

/** A whole operation on a hostile model ends within this unless the caller says otherwise. */
export const DEFAULT_DEADLINE_MS = 60_000;

const STAGES: Record<Progress['stage'], string> = {
  validate: 'checking the model', launch: 'starting the sandbox', load: 'loading the model', probe: 'running probes',
  fingerprint: 'fingerprint', determinism: 'determinism check', graph: 'graph inspection', confirm: 'confirming graph triggers',
  sweep: 'trigger sweep', strip: 'STRIP', robustness: 'robustness curve', done: 'done',
};

export interface OperationInput {
  limits?: z.output<typeof LimitsInputSchema> | undefined;
  deadlineMs?: number | undefined;
}

export interface Operation {
  /** Engine options without the model name and external data. */
  options: Omit<BehaveOptions, 'name'>;
  deadlineMs: number;
  deadlineAt: number | undefined;
  startedAt: string;
  /** Metadata of a run of this operation, finished now. */
  meta(fields: Pick<RunMeta, 'kind' | 'modelName' | 'modelSha256'> & Partial<Pick<RunMeta, 'id' | 'caseId' | 'artifactId'>>): RunMeta;
}

export function engineLimits(limits: OperationInput['limits']): Partial<SandboxLimits> {
  const out: Partial<SandboxLimits> = {};
  if (limits?.timeoutMs !== undefined) out.timeoutMs = limits.timeoutMs;
  if (limits?.addressSpaceBytes !== undefined) out.addressSpaceBytes = limits.addressSpaceBytes;
  if (limits?.heapMegabytes !== undefined) out.heapMegabytes = limits.heapMegabytes;
  if (limits?.threads !== undefined) out.threads = limits.threads;
  return out;
}

/** Progress of the engine on a job: the stage as the current item, rows as items. */
export function progressOn(job: Job, prefix: string): NonNullable<BehaveOptions['onProgress']> {
  return (p) => job.update({ itemsDone: p.done, itemsTotal: p.total, currentItem: `${prefix}: ${STAGES[p.stage]}${p.total > 1 ? ` (${p.done}/${p.total})` : ''}` });
}

export async function startOperation(ctx: CoreContext, input: OperationInput, job: Job, label: string): Promise<Operation> {
  const deadlineMs = input.deadlineMs ?? DEFAULT_DEADLINE_MS;
  // The deadline counts from the start of the operation, model reading included.
  const deadlineAt = deadlineMs > 0 ? performance.now() + deadlineMs : undefined;
  const startedAt = ctx.now();
  const { runtime } = await wrapEngineErrors(() => sandboxRuntime(ctx));
  const options: Omit<BehaveOptions, 'name'> = {
    runtime,
    limits: engineLimits(input.limits),
    signal: job.signal,
    onProgress: progressOn(job, label),
    ...(deadlineAt !== undefined ? { deadline: deadlineAt } : {}),
  };
  return {
    options, deadlineMs, deadlineAt, startedAt,
    meta: (f) => ({
      id: f.id ?? null, caseId: f.caseId ?? null, artifactId: f.artifactId ?? null, kind: f.kind as RunKind,
      modelName: f.modelName, modelSha256: f.modelSha256, startedAt, finishedAt: ctx.now(), actor: ctx.actor(),
      deadlineMs, deadlineAt,
    }),
  };
}

/**
 * Runs engine code, mapping what it throws for the caller's input to invalid_input and an
 * environment that cannot start a worker to internal; cancellation passes through.
 */
export async function wrapEngineErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof ApiError) throw e;
    if (e instanceof RangeError || e instanceof NpyError || (e instanceof Error && e.name === 'ZodError')) throw new ApiError('invalid_input', e.message);
    if (e instanceof SandboxUnavailableError) throw new ApiError('internal', `the sandbox could not start: ${e.message}`);
    throw e;
  }
}
