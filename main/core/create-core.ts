// Builds the core for one face: opens the data directory's database, starts the worker pool,
// and exposes `call(method, input)`, which validates the input against the contract, runs the
// handler, and validates the output. Every face goes through `call`; nothing else is exported
// to them.
import { mkdirSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { contract, isMethodName, type MethodName, type MethodOutput, type MethodInput } from '../../shared/api/contract.ts';
import { ApiError, type Envelope } from '../../shared/api/errors.ts';
import { openDatabase } from '../store/db.ts';
import { getSetting } from '../store/repos/settings.ts';
import { handlers } from './api/handlers.ts';
import type { CallContext } from './api/types.ts';
import type { CoreContext, FaceCapabilities } from './context.ts';
import { EventBus } from './events.ts';
import { CancelledError, JobRegistry } from './jobs/registry.ts';
import { appVersion } from './util/app-root.ts';
import { WorkerPool, defaultWorkerEntry, type WorkerEntry } from './work/pool.ts';

export interface CoreOptions {
  dataDir: string;
  /** Actor used until an auditor name is set in the store. */
  defaultActor?: string;
  /** Worker-thread entry (the bundled file in the packaged app). */
  workerEntry?: WorkerEntry;
  clock?: () => Date;
  /** The app's version (the packaged shell passes Electron's; otherwise package.json's). */
  version?: string;
  capabilities?: FaceCapabilities;
}

export interface Core {
  readonly context: CoreContext;
  readonly events: EventBus;
  /** Validated call of one API method; throws ApiError. */
  call(method: string, input: unknown, call: CallContext): Promise<unknown>;
  /** The same, as an envelope (what IPC and HTTP send). */
  callEnvelope(method: string, input: unknown, call: CallContext): Promise<Envelope<unknown>>;
  /** Typed in-process call (CLI, tests). */
  invoke<M extends MethodName>(method: M, input: MethodInput<M>, call?: CallContext): Promise<MethodOutput<M>>;
  close(): Promise<void>;
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ASSAY_HOME && env.ASSAY_HOME.length > 0 ? env.ASSAY_HOME : join(homedir(), '.assay');
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'auditor';
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'input'}: ${i.message}`).join('; ');
}

export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof CancelledError || (e instanceof Error && e.name === 'AbortError')) return new ApiError('cancelled', 'cancelled by the auditor');
  const message = e instanceof Error ? e.message : String(e);
  return new ApiError('internal', message);
}

export function createCore(options: CoreOptions): Core {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const db = openDatabase(join(options.dataDir, 'assay.db'));
  const events = new EventBus();
  const jobs = new JobRegistry(events);
  const pool = new WorkerPool(options.workerEntry ?? defaultWorkerEntry());
  const clock = options.clock ?? (() => new Date());
  const fallbackActor = options.defaultActor ?? osUser();
  const context: CoreContext = {
    db, dataDir: options.dataDir, version: options.version ?? appVersion(), events, jobs, pool,
    capabilities: { nodeRuntime: { execPath: process.execPath, env: {} }, ...options.capabilities },
    now: () => clock().toISOString(),
    actor: () => getSetting(db, 'auditor') ?? fallbackActor,
  };

  const call = async (method: string, input: unknown, callCtx: CallContext): Promise<unknown> => {
    if (!isMethodName(method)) throw new ApiError('not_found', `no API method named ${method}`);
    const def = contract[method];
    const parsed = def.input.safeParse(input ?? {});
    if (!parsed.success) throw new ApiError('invalid_input', describeIssues(parsed.error), parsed.error.issues);
    const handler = handlers[method] as (c: CoreContext, i: unknown, cc: CallContext) => unknown;
    let output: unknown;
    try {
      output = await handler(context, parsed.data, callCtx);
    } catch (e) {
      throw toApiError(e);
    }
    const checked = def.output.safeParse(output);
    if (!checked.success) throw new ApiError('internal', `${method} produced output outside the contract: ${describeIssues(checked.error)}`);
    return checked.data;
  };

  return {
    context,
    events,
    call,
    async callEnvelope(method, input, callCtx) {
      try {
        return { ok: true, value: await call(method, input, callCtx) };
      } catch (e) {
        return { ok: false, error: toApiError(e).toShape() };
      }
    },
    invoke: (method, input, callCtx = { face: 'test' }) => call(method, input, callCtx) as Promise<never>,
    async close() {
      await pool.close();
      db.close();
    },
  };
}
