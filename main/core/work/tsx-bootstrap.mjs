// Development and test entry for worker threads: registers tsx in this thread, then loads the
// TypeScript entry named in workerData. The packaged app loads the esbuild bundle instead.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.tsEntry);
