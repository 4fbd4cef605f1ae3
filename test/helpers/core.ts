// Test helpers: a core on a fresh temporary data directory, removed afterwards.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, type Core, type CoreOptions } from '../../main/core/create-core.ts';

export async function tempDir(prefix = 'assay-test-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export async function withCore<T>(fn: (core: Core, dir: string) => Promise<T>, options: Partial<CoreOptions> = {}): Promise<T> {
  const dir = await tempDir();
  const core = createCore({ dataDir: join(dir.path, 'data'), defaultActor: 'test-auditor', ...options });
  try {
    return await fn(core, dir.path);
  } finally {
    await core.close();
    await dir.remove();
  }
}
