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
import { analyseKnn, analyseNumeric, type NumericAnalysis } from './poison/numeric.ts';
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

type Knn = NumericAnalysis['knn'];

interface RunningWorker {
  /** Sends the job; resolves with the worker's part of the analysis. */
  run(job: WorkerJob, onProgress: (done: number) => void, signal?: AbortSignal): Promise<WorkerResult>;
  /** After `run`: the nearest-neighbour indicator over the merged features, on the worker. */
  knn(job: KnnJob): Promise<Knn>;
  stop(): void;
}

function startWorker(): RunningWorker | null {
  const worker = spawnWorker();
  if (!worker) return null;
  const stop = () => { void worker.terminate(); };
  let failed: Error | null = null;
  worker.on('error', (e) => { failed = e; });
  worker.on('exit', (code) => { failed ??= new Error(`scan worker exited with code ${code}`); });
  let knnWaiter: { resolve(k: Knn): void; reject(e: Error): void } | null = null;
  return {
    stop,
    run(job, onProgress, signal) {
      return new Promise<WorkerResult>((resolve, reject) => {
        if (failed) { reject(failed); return; }
        const fail = (e: Error) => { reject(e); knnWaiter?.reject(e); };
        signal?.addEventListener('abort', () => { stop(); fail(signal.reason ?? new Error('cancelled')); }, { once: true });
        worker.on('message', (m: { type: string; done?: number; rows?: number; state?: AnalysisState; message?: string; knn?: Knn }) => {
          if (m.type === 'progress') onProgress(m.done ?? 0);
          else if (m.type === 'done') resolve({ rows: m.rows!, state: m.state! });
          else if (m.type === 'knn') knnWaiter?.resolve(m.knn ?? null);
          else if (m.type === 'error') { fail(new Error(m.message)); stop(); }
        });
        worker.on('error', fail);
        worker.on('exit', (code) => fail(new Error(`scan worker exited with code ${code}`)));
        worker.postMessage(job);
      });
    },
    knn(job) {
      return new Promise<Knn>((resolve, reject) => {
        if (failed) { reject(failed); return; }
        knnWaiter = { resolve, reject };
        worker.postMessage(job);
      });
    },
  };
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
      .read(a, { ...(options.signal ? { signal: options.signal } : {}), onProgress: (d) => { doneA = d; progress(); } });
    // The digest covers the whole file: hash the second half too while the worker finishes.
    const rest = await readFileChunks(path, options.signal ? { signal: options.signal } : {}, { start: split, end: size, hash });
    for await (const chunk of rest.chunks) void chunk;
  } catch (e) {
    worker.stop();
    throw e;
  }
  let b: WorkerResult;
  try {
    b = await result;
  } catch (e) {
    worker.stop();
    if (options.signal?.aborted) throw e;
    return null; // the worker failed: the caller scans in one pass
  }
  // The nearest-neighbour indicator runs on the worker (otherwise idle by now) while this
  // thread merges the rest and runs the other numeric indicators; on any failure it runs here.
  const labelled = a.roles!.label.column !== null;
  let knn: Promise<NumericAnalysis['knn']> = Promise.resolve(null);
  a.absorb(b.state, summary.rows, () => {
    if (a.features && labelled) knn = worker.knn({ type: 'knn', dims: a.features.dims, features: a.features.exportState(), labelled });
    knn.catch(() => undefined); // observed below
  });
  let numeric: NumericAnalysis | undefined;
  if (a.features) {
    const features = a.features;
    numeric = analyseNumeric(features, roles.numericFeatures.map((i) => a.names[i]!), labelled, { knn: false });
    try {
      numeric.knn = await knn;
    } catch (e) {
      if (options.signal?.aborted) { worker.stop(); throw e; }
      numeric.knn = analyseKnn(features, labelled);
    }
  }
  worker.stop();
  const detail = `${summary.detail}; read in two parts on two threads`;
  const report = buildTableReport(a, { ...summary, detail, rows: summary.rows + b.rows, size, sha256: hash.digest('hex') }, name, limits, numeric);
  report.durationMs = Date.now() - started;
  return report;
}
