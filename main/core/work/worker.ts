// Worker-thread entry: runs tasks from tasks.ts on request and reports progress and results.
import { parentPort } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './protocol.ts';
import { TASKS } from './tasks.ts';

const port = parentPort;
if (!port) throw new Error('worker.ts must run as a worker thread');

const running = new Map<number, AbortController>();
const send = (m: FromWorker) => port.postMessage(m);

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'cancel') {
    running.get(msg.id)?.abort(new Error('cancelled'));
    return;
  }
  const controller = new AbortController();
  running.set(msg.id, controller);
  let lastReport = 0;
  const task = TASKS[msg.task] as (input: unknown, io: { signal: AbortSignal; progress(d: number, t: number): void }) => Promise<unknown>;
  task(msg.input, {
    signal: controller.signal,
    progress: (bytesDone, bytesTotal) => {
      const now = Date.now();
      if (now - lastReport >= 50 || bytesDone === bytesTotal) {
        lastReport = now;
        send({ type: 'progress', id: msg.id, bytesDone, bytesTotal });
      }
    },
  }).then(
    (output) => send({ type: 'result', id: msg.id, output }),
    (e: unknown) => send({ type: 'error', id: msg.id, name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) }),
  ).finally(() => running.delete(msg.id));
});
