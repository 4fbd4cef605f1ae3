// Worker side of a parallel CSV scan: reads one byte range of the file with column roles decided
// by the main thread, and posts back everything it learnt. Then, if asked, it runs the
// isolation forest and the nearest-neighbour indicator over the merged numeric features while
// the main thread runs the other indicators (the worker would otherwise sit idle through the
// end of the scan).
import { parentPort } from 'node:worker_threads';
import type { ColumnRoles } from './profile/roles.ts';
import type { DetectorId } from './pii/types.ts';
import { featureView, type FeatureState } from './poison/feature-store.ts';
import { analyseMultivariate } from './poison/numeric.ts';
import { CsvReader } from './read/csv.ts';
import type { Delimiter } from './read/sniff-csv.ts';
import { TableAnalysis } from './table-analysis.ts';
import type { DatasetLimits } from './types.ts';

export interface WorkerJob {
  path: string;
  start: number;
  end: number;
  delimiter: Delimiter;
  names: string[];
  roles: ColumnRoles;
  limits: DatasetLimits;
  phoneRegion?: string;
  detectors?: DetectorId[];
}

/**
 * Second message: the whole table's numeric features, already merged by the main thread; the
 * answer holds the isolation forest and nearest-neighbour results (`analyseMultivariate`).
 */
export interface KnnJob {
  type: 'knn';
  dims: number;
  features: FeatureState;
  labelled: boolean;
}

async function run(job: WorkerJob): Promise<void> {
  const analysis = new TableAnalysis(job.limits, undefined, {
    ...(job.phoneRegion ? { phoneRegion: job.phoneRegion } : {}),
    ...(job.detectors ? { detectors: job.detectors } : {}),
  });
  analysis.presetRoles(job.names, job.roles);
  let last = 0;
  // The main thread hashes the whole file; this part needs no digest of its own.
  const summary = await new CsvReader(job.path, { range: { start: job.start, end: job.end, noHash: true }, columns: job.names, delimiter: job.delimiter })
    .read(analysis, {
      onProgress: (done) => {
        analysis.expectBytes(done, job.end - job.start);
        if (done - last >= 4 * 1024 * 1024) { last = done; parentPort!.postMessage({ type: 'progress', done }); }
      },
    });
  const state = analysis.exportState();
  const done = { type: 'done', rows: summary.rows, state };
  // The typed arrays move to the main thread rather than being copied; this part needs them no more.
  try {
    parentPort!.postMessage(done, TableAnalysis.transferables(state));
  } catch {
    parentPort!.postMessage(done);
  }
}

// The job arrives by message, so the thread can start (and load its modules) while the main
// thread is still deciding column roles.
if (parentPort) {
  const port = parentPort;
  const fail = (e: unknown) => port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  port.once('message', (job: WorkerJob) => {
    run(job).catch(fail);
    port.once('message', (k: KnnJob) => {
      try {
        port.postMessage({ type: 'knn', ...analyseMultivariate(featureView(k.dims, k.features), k.labelled) });
      } catch (e) {
        fail(e);
      }
    });
  });
  port.postMessage({ type: 'ready' });
}
