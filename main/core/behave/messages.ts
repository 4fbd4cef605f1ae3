// Validates what the worker sends. The worker is untrusted once a model is loaded: every message
// is checked against these schemas before the host acts on it.
import { z } from 'zod';
import { DTYPES, type WorkerMessage } from '../../sandbox/protocol.ts';

const count = z.number().int().nonnegative();
const dims = z.array(count).max(16);
const shape = z.array(z.union([z.number(), z.string(), z.null()])).max(64).nullable();
const ioMeta = z.object({ name: z.string().max(4096), dtype: z.string().max(64), shape });
const check = z.object({
  id: z.enum(['fs-write', 'fs-read', 'child-process', 'worker-thread', 'network', 'native-write', 'memory']),
  attempted: z.string().max(1000),
  denied: z.boolean(),
  detail: z.string().max(2000),
});

const schema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), protocol: z.number(), pid: count, node: z.string().max(64), uid: z.number().nullable(), cwd: z.string().max(4096) }),
  z.object({ type: z.literal('self-test'), checks: z.array(check).max(16) }),
  z.object({ type: z.literal('ready'), inputs: z.array(ioMeta).max(4096), outputs: z.array(ioMeta).max(4096), loadMs: z.number() }),
  z.object({
    type: z.literal('batch'), id: count, first: count, rows: count,
    outputs: z.array(z.object({ name: z.string().max(4096), dtype: z.enum(DTYPES), dims, data: z.instanceof(Uint8Array) })).max(4096),
  }),
  z.object({ type: z.literal('done'), id: count, rows: count, generateMs: z.number(), inferMs: z.number(), totalMs: z.number() }),
  z.object({
    type: z.literal('error'), id: count.nullable(),
    phase: z.enum(['init', 'load', 'dataset', 'run', 'internal']),
    kind: z.enum(['ort', 'allocation', 'output-limit', 'plan', 'internal']),
    message: z.string().max(8000),
  }),
]);

export function parseWorkerMessage(value: unknown): WorkerMessage | null {
  const r = schema.safeParse(value);
  return r.success ? (r.data as WorkerMessage) : null;
}
