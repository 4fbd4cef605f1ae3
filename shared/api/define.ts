import type { z } from 'zod';

/**
 * One API method: validated input, validated output, and whether it is long-running.
 * A long method accepts an optional `jobId` in its input; the core reports progress for it as
 * `job` events and `jobs.cancel` aborts it.
 */
export interface MethodDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  description: string;
  long?: boolean;
}

export function defineMethods<const T extends Record<string, MethodDef>>(defs: T): T {
  return defs;
}
