// Validators for what callers pass in from outside (a CLI `--probes` file, an API request): a
// probe specification and resource limits. The types they produce are the engine's own.
import { z } from 'zod';
import type { ProbeSpec } from './probe-spec.ts';
import type { SandboxLimits } from './types.ts';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const positiveInt = z.number().int().positive();

const distribution = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('uniform'), min: finite, max: finite }).refine((d) => d.min <= d.max, 'min must not exceed max'),
  z.object({ kind: z.literal('normal'), mean: finite, std: finite.refine((s) => s >= 0, 'std must be >= 0'), min: finite.optional(), max: finite.optional() }),
  z.object({ kind: z.literal('integers'), min: z.number().int(), max: z.number().int() }).refine((d) => d.min <= d.max, 'min must not exceed max'),
  z.object({ kind: z.literal('constant'), value: finite }),
]);

export const probeSpecSchema = z.object({
  seed: z.number().int().nonnegative().max(0xffff_ffff).optional(),
  rows: positiveInt.max(10_000_000).optional(),
  batchSize: positiveInt.max(65_536).optional(),
  dims: z.record(z.string(), positiveInt).optional(),
  inputs: z.record(z.string(), z.object({
    distribution: distribution.optional(),
    rowShape: z.array(positiveInt).max(16).optional(),
    layout: z.enum(['NCHW', 'NHWC', 'HW', 'none']).optional(),
  }).strict()).optional(),
}).strict();

export const limitsSchema = z.object({
  timeoutMs: positiveInt.max(24 * 3600_000).optional(),
  lifetimeMs: positiveInt.max(7 * 24 * 3600_000).optional(),
  addressSpaceBytes: z.union([positiveInt.min(1024 ** 3), z.literal('auto'), z.null()]).optional(),
  heapMegabytes: positiveInt.min(64).optional(),
  maxOutputBytes: positiveInt.optional(),
  maxResultBytes: positiveInt.optional(),
  threads: positiveInt.max(64).optional(),
}).strict();

export function parseProbeSpec(value: unknown): ProbeSpec {
  return probeSpecSchema.parse(value) as ProbeSpec;
}

export function parseLimits(value: unknown): Partial<SandboxLimits> {
  return limitsSchema.parse(value) as Partial<SandboxLimits>;
}
