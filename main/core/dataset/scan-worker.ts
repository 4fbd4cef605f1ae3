// Worker side of a parallel CSV scan: reads one byte range of the file with column roles decided
// by the main thread, and posts back everything it learnt.
import { parentPort } from 'node:worker_threads';
import type { ColumnRoles } from './profile/roles.ts';
import type { DetectorId } from './pii/types.ts';
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

async function run(job: WorkerJob): Promise<void> {
  const analysis = new TableAnalysis(job.limits, undefined, {
    ...(job.phoneRegion ? { phoneRegion: job.phoneRegion } : {}),
    ...(job.detectors ? { detectors: job.detectors } : {}),
  });
  analysis.presetRoles(job.names, job.roles);
  let last = 0;
  const summary = await new CsvReader(job.path, { range: { start: job.start, end: job.end }, columns: job.names, delimiter: job.delimiter })
    .read(analysis, { onProgress: (done) => { if (done - last >= 4 * 1024 * 1024) { last = done; parentPort!.postMessage({ type: 'progress', done }); } } });
  parentPort!.postMessage({ type: 'done', rows: summary.rows, state: analysis.exportState() });
}

// The job arrives by message, so the thread can start (and load its modules) while the main
// thread is still deciding column roles.
if (parentPort) {
  const port = parentPort;
  port.once('message', (job: WorkerJob) => {
    run(job).catch((e: unknown) => port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) }));
  });
  port.postMessage({ type: 'ready' });
}
