// Events the core pushes to every face: job progress and "something changed" hints.
import { z } from 'zod';
import { IdSchema, JobProgressSchema } from './schemas.ts';

export const AppEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('job'), job: JobProgressSchema }),
  z.object({ type: z.literal('changed'), caseId: IdSchema.nullable(), what: z.string() }),
]);
export type AppEvent = z.infer<typeof AppEventSchema>;
