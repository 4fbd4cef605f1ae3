// The runtime a face gives the sandbox: its Node (ctx.capabilities.nodeRuntime: the current Node
// in the CLI and host, the app's own binary with ELECTRON_RUN_AS_NODE=1 in the desktop app) and
// the worker bundle to run on it (never a stale one: see worker-bundle.ts).
import { join } from 'node:path';
import { ApiError } from '../../../shared/api/errors.ts';
import type { CoreContext } from '../context.ts';
import type { RuntimePaths } from './launcher.ts';
import { ensureWorkerBundle, type WorkerBundle } from './worker-bundle.ts';

export interface SandboxRuntime {
  runtime: Partial<RuntimePaths>;
  bundle: WorkerBundle;
}

export async function sandboxRuntime(ctx: CoreContext): Promise<SandboxRuntime> {
  const node = ctx.capabilities.nodeRuntime;
  if (!node) throw new ApiError('conflict', 'this face of Assay cannot start sandboxed workers (it was given no Node runtime); use the desktop app or the assay command');
  const bundle = await ensureWorkerBundle({ cacheDir: join(ctx.dataDir, 'cache') });
  return { runtime: { nodePath: node.execPath, env: { ...node.env }, workerPath: bundle.path }, bundle };
}
