// Messages between the pool (main thread) and a worker thread.
import type { TaskName } from './tasks.ts';

export type ToWorker =
  | { type: 'run'; id: number; task: TaskName; input: unknown }
  | { type: 'cancel'; id: number };

export type FromWorker =
  | { type: 'progress'; id: number; bytesDone: number; bytesTotal: number }
  | { type: 'result'; id: number; output: unknown }
  | { type: 'error'; id: number; name: string; message: string };
