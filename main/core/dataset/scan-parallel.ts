// Large UTF-8 CSV files are scanned in two halves at once: the main thread reads the first half
// while a worker thread reads the second, with the same column roles (decided from the first
// rows); the worker's findings are then merged as if one pass had read the whole file. Any
// obstacle (stray quotes, no worker support in a bundled app, a worker failure) falls back to
// the ordinary one-pass scan.
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { decideRoles } from './profile/roles.ts';
import { CsvReader } from './read/csv.ts';
import { readFileChunks } from './read/file-chunks.ts';
import { findSplit } from './read/split.ts';
import { sampleRows } from './read/sample.ts';
import type { KnnJob, WorkerJob } from './scan-worker.ts';
import { analyseMultivariate, analyseNumeric, type NumericAnalysis } from './poison/numeric.ts';
import { buildTableReport } from './scan-table.ts';
import { TableAnalysis, type AnalysisState } from './table-analysis.ts';
import type { DatasetLimits, DatasetReport, ScanDatasetOptions } from './types.ts';
import { join } from 'node:path';
import { appRoot, runningFromSources } from '../util/app-root.ts';


interface WorkerResult { rows: number; state: AnalysisState }

/**
 * A worker running this module's sibling `scan-worker`. From TypeScript sources (development,
 * tests, benches) the worker first registers tsx, which workers do not inherit from `--import`;
 * a bundled build must ship `scan-worker.js` beside this module. Null when neither is possible.
 */
function spawnWorker(): Worker | null {
  try {
    if (!runningFromSources()) return new Worker(join(appRoot(), 'dist', 'workers', 'dataset-scan-worker.mjs'));
    const tsx = import.meta.resolve('tsx/esm/api');
    const target = new URL('./scan-worker.ts', import.meta.url).href;
    const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(target)}); });`;
    return new Worker(bootstrap, { eval: true });
  } catch {
    return null;
  }
}

type Multivariate = Pick<NumericAnalysis, 'forest' | 'knn'>;

interface RunningWorker {
  /** Sends the job; resolves with the worker's part of the analysis. */
  run(job: WorkerJob, onProgress: (done: number) => void, signal?: AbortSignal): Promise<WorkerResult>;
  /** After `run`: the isolation forest and nearest-neighbour indicator over the merged features, on the worker. */
  multivariate(job: KnnJob): Promise<Multivariate>;
  stop(): void;
}

function startWorker(): RunningWorker | null {
  const worker = spawnWorker();
  if (!worker) return null;
  const stop = () => { void worker.terminate(); };
  let failed: Error | null = null;
  worker.on('error', (e) => { failed = e; });
  worker.on('exit', (code) => { failed ??= new Error(`scan worker exited with code ${code}`); });
  let knnWaiter: { resolve(k: Multivariate): void; reject(e: Error): void } | null = null;
  return {
    stop,
    run(job, onProgress, signal) {
      return new Promise<WorkerResult>((resolve, reject) => {
        if (failed) { reject(failed); return; }
        const fail = (e: Error) => { reject(e); knnWaiter?.reject(e); };
        signal?.addEventListener('abort', () => { stop(); fail(signal.reason ?? new Error('cancelled')); }, { once: true });
        worker.on('message', (m: { type: string; done?: number; rows?: number; state?: AnalysisState; message?: string } & Partial<Multivariate>) => {
          if (m.type === 'progress') onProgress(m.done ?? 0);
          else if (m.type === 'done') resolve({ rows: m.rows!, state: m.state! });
          else if (m.type === 'knn') knnWaiter?.resolve({ forest: m.forest ?? null, knn: m.knn ?? null });
          else if (m.type === 'error') { fail(new Error(m.message)); stop(); }
        });
        worker.on('error', fail);
        worker.on('exit', (code) => fail(new Error(`scan worker exited with code ${code}`)));
        worker.postMessage(job);
      });
    },
    multivariate(job) {
      return new Promise<Multivariate>((resolve, reject) => {
        if (failed) { reject(failed); return; }
        knnWaiter = { resolve, reject };
        worker.postMessage(job);
      });
    },
  };
}

/** Feeds bytes [start, end) of the file to `hash`. */
async function hashRange(path: string, start: number, end: number, hash: ReturnType<typeof createHash>, signal?: AbortSignal): Promise<void> {
  const rest = await readFileChunks(path, signal ? { signal } : {}, { start, end, hash });
  for await (const chunk of rest.chunks) void chunk;
}

/** The report of a two-part scan, or null when the file should be scanned in one pass. */
export async function scanCsvInParallel(path: string, name: string, options: ScanDatasetOptions, limits: DatasetLimits): Promise<DatasetReport | null> {
  const started = Date.now();
  const size = (await stat(path)).size;
  if (size < limits.parallelMinBytes) return null;
  const sniff = await new CsvReader(path).sniff();
  if (sniff.encoding.encoding !== 'utf-8') return null;
  const split = await findSplit(path, sniff.delimiter, size);
  if (split === null) return null;
  // The worker loads its modules while this thread samples the head and decides column roles.
  const worker = startWorker();
  if (!worker) return null;
  let head;
  let roles;
  try {
    head = await sampleRows(new CsvReader(path), limits.sampleRows);
    if (head.rows.length < limits.sampleRows) { worker.stop(); return null; }
    roles = decideRoles(head.names, head.rows, options.label);
  } catch (e) {
    worker.stop();
    throw e;
  }

  // Each half spends half of the language-analysis budget (compromise loads only if needed).
  const half: DatasetLimits = { ...limits, nlpCalls: Math.ceil(limits.nlpCalls / 2) };
  let doneA = 0;
  let doneB = 0;
  const progress = () => options.onProgress?.(Math.min(size, doneA + doneB), size);
  const job: WorkerJob = {
    path, start: split, end: size, delimiter: sniff.delimiter, names: head.names, roles, limits: half,
    ...(options.phoneRegion ? { phoneRegion: options.phoneRegion } : {}),
    ...(options.detectors ? { detectors: [...options.detectors] } : {}),
  };
  const result = worker.run(job, (d) => { doneB = d; progress(); }, options.signal);
  result.catch(() => undefined); // observed below; avoid an unhandled rejection meanwhile

  const a = new TableAnalysis(half, options.label, {
    ...(options.phoneRegion ? { phoneRegion: options.phoneRegion } : {}),
    ...(options.detectors ? { detectors: options.detectors } : {}),
  });
  a.presetRoles(head.names, roles);
  const hash = createHash('sha256');
  let summary;
  try {
    summary = await new CsvReader(path, { range: { start: 0, end: split, hash }, delimiter: sniff.delimiter })
      .read(a, { ...(options.signal ? { signal: options.signal } : {}), onProgress: (d) => { doneA = d; a.expectBytes(d, split, size); progress(); } });
  } catch (e) {
    worker.stop();
    throw e;
  }
  // The digest covers the whole file: the second half is hashed whenever this thread waits
  // (for the worker's part, then for its last indicators), not before the merge, which would
  // hold back the work handed to the worker. Awaited before the report.
  const hashing = hashRange(path, split, size, hash, options.signal);
  hashing.catch(() => undefined); // observed below
  let b: WorkerResult;
  try {
    b = await result;
  } catch (e) {
    worker.stop();
    await hashing.catch(() => undefined);
    if (options.signal?.aborted) throw e;
    return null; // the worker failed: the caller scans in one pass
  }
  // The isolation forest and the nearest-neighbour indicator run on the worker (otherwise idle
  // by now) while this thread merges the rest and runs the per-column and text indicators; on
  // any failure they run here.
  const labelled = a.roles!.label.column !== null;
  let multivariate: Promise<Multivariate> = Promise.resolve({ forest: null, knn: null });
  a.absorb(b.state, summary.rows, () => {
    if (a.features) multivariate = worker.multivariate({ type: 'knn', dims: a.features.dims, features: a.features.exportState(), labelled });
    multivariate.catch(() => undefined); // observed below
  });
  let numeric: NumericAnalysis | undefined;
  if (a.features) numeric = analyseNumeric(a.features, roles.numericFeatures.map((i) => a.names[i]!), labelled, { forest: false });
  // The text indicators' final passes too, before waiting for the worker's answer.
  if (labelled && roles.textColumns.length > 0) {
    a.nearDuplicateClusters();
    a.triggerCandidates();
  }
  if (a.features && numeric) {
    const features = a.features;
    let m: Multivariate;
    try {
      m = await multivariate;
    } catch (e) {
      if (options.signal?.aborted) { worker.stop(); throw e; }
      m = analyseMultivariate(features, labelled);
    }
    numeric.forest = m.forest;
    numeric.knn = m.knn;
  }
  worker.stop();
  await hashing;
  const detail = `${summary.detail}; read in two parts on two threads`;
  const report = buildTableReport(a, { ...summary, detail, rows: summary.rows + b.rows, size, sha256: hash.digest('hex') }, name, limits, numeric);
  report.durationMs = Date.now() - started;
  return report;
}
