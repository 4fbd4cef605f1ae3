// Builds the sandbox worker bundle on demand for tests and benches, into a temporary directory,
// with the same esbuild options as the app's on-demand build (main/core/behave/worker-bundle.ts)
// and scripts/build.mjs.
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWorkerBundle as buildInto } from '../../main/core/behave/worker-bundle.ts';

const SOURCES = fileURLToPath(new URL('../../main/sandbox/', import.meta.url));

let built: Promise<string> | null = null;

export async function buildWorkerBundle(outFile: string): Promise<string> {
  await buildInto(SOURCES, outFile);
  return outFile;
}

/** One fresh bundle per test process, in a temporary directory. */
export function testWorkerBundle(): Promise<string> {
  built ??= mkdtemp(join(tmpdir(), 'assay-worker-')).then((dir) => {
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return buildWorkerBundle(join(dir, 'worker.mjs'));
  });
  return built;
}
