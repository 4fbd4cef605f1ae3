// Which sandbox worker bundle to run. `npm run build` puts it in dist/sandbox/worker.mjs (and the
// packaged app beside its asar archive). In a development checkout the bundle may be missing or
// older than main/sandbox/*; then a fresh one is built with esbuild into a cache directory,
// named by the digest of the sources, so a stale worker never runs and a built one is reused.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SandboxUnavailableError, workerBundleCandidates } from './launcher.ts';

export interface WorkerBundle {
  path: string;
  /** env: ASSAY_SANDBOX_WORKER; dist: the build's bundle (current); built: built here on demand; installed: a packaged app's. */
  origin: 'env' | 'dist' | 'built' | 'installed';
}

export interface BundleLocations {
  /** Where on-demand bundles are written (the data directory's cache). */
  cacheDir: string;
  /** main/sandbox of a development checkout; null when the sources are not here (packaged app). */
  sourcesDir?: string | null;
  /** The build's bundle, dist/sandbox/worker.mjs. */
  distBundle?: string | null;
}

function here(): string | null {
  try {
    return typeof import.meta.url === 'string' && import.meta.url.startsWith('file:') ? fileURLToPath(import.meta.url) : null;
  } catch {
    return null;
  }
}

/** Sources and build output of the checkout this module lives in, if it is one. */
function checkoutLocations(): { sourcesDir: string | null; distBundle: string | null } {
  const self = here();
  if (!self) return { sourcesDir: null, distBundle: null };
  const root = join(dirname(self), '../../..');
  const sourcesDir = join(root, 'main/sandbox');
  return {
    sourcesDir: existsSync(join(sourcesDir, 'worker.ts')) ? sourcesDir : null,
    distBundle: join(root, 'dist/sandbox/worker.mjs'),
  };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts')).sort().map((n) => join(dir, n));
}

/** Digest of the worker's sources (the worker bundles only main/sandbox/*). */
export function sourcesDigest(dir: string): string {
  const h = createHash('sha256');
  for (const f of sourceFiles(dir)) h.update(f.slice(dir.length)).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex');
}

function newestSourceMtime(dir: string): number {
  return Math.max(...sourceFiles(dir).map((f) => statSync(f).mtimeMs));
}

/** The same bundle options as scripts/build.mjs: ESM for Node 20, onnxruntime-node external. */
export async function buildWorkerBundle(sourcesDir: string, outFile: string): Promise<void> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new SandboxUnavailableError('the sandbox worker bundle is missing or out of date and esbuild is not installed to build it; run `npm run build`');
  }
  const result = await esbuild.build({
    entryPoints: [join(sourcesDir, 'worker.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['onnxruntime-node'],
    logLevel: 'silent',
    banner: { js: "import { createRequire as __assayCreateRequire } from 'node:module'; const require = __assayCreateRequire(import.meta.url);" },
  });
  const code = result.outputFiles.find((f) => f.path.endsWith('.js') || f.path.endsWith('.mjs')) ?? result.outputFiles[0];
  if (!code) throw new SandboxUnavailableError('esbuild produced no worker bundle');
  await mkdir(dirname(outFile), { recursive: true });
  // Written beside and renamed: a concurrent run never sees half a bundle.
  const tmp = `${outFile}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, code.contents);
    await rename(tmp, outFile);
  } finally {
    await rm(tmp, { force: true });
  }
}

const building = new Map<string, Promise<void>>();

/** The worker bundle to run; builds one when a development checkout's is missing or stale. */
export async function ensureWorkerBundle(locations: BundleLocations): Promise<WorkerBundle> {
  const fromEnv = process.env.ASSAY_SANDBOX_WORKER;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new SandboxUnavailableError(`ASSAY_SANDBOX_WORKER names ${fromEnv}, which does not exist`);
    return { path: fromEnv, origin: 'env' };
  }
  const checkout = checkoutLocations();
  const sourcesDir = locations.sourcesDir === undefined ? checkout.sourcesDir : locations.sourcesDir;
  const distBundle = locations.distBundle === undefined ? checkout.distBundle : locations.distBundle;
  if (!sourcesDir) {
    const installed = [...(distBundle ? [distBundle] : []), ...workerBundleCandidates()].find((p) => existsSync(p));
    if (!installed) throw new SandboxUnavailableError('the sandbox worker bundle is not installed (dist/sandbox/worker.mjs); rebuild or reinstall Assay');
    return { path: installed, origin: 'installed' };
  }
  if (distBundle && existsSync(distBundle) && statSync(distBundle).mtimeMs >= newestSourceMtime(sourcesDir)) {
    return { path: distBundle, origin: 'dist' };
  }
  const digest = sourcesDigest(sourcesDir);
  const out = join(locations.cacheDir, 'sandbox-worker', digest.slice(0, 24), 'worker.mjs');
  if (!existsSync(out)) {
    let job = building.get(out);
    if (!job) {
      job = buildWorkerBundle(sourcesDir, out).finally(() => building.delete(out));
      building.set(out, job);
    }
    await job;
  }
  return { path: out, origin: 'built' };
}
