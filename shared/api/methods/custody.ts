import { z } from 'zod';
import { defineMethods } from '../define.ts';
import { ChainStatusSchema, CustodyEventSchema, IdSchema, JobProgressSchema, PageSchema } from '../schemas.ts';

export const custodyMethods = defineMethods({
  'custody.list': {
    description: 'Custody events of a case, oldest first.',
    input: z.object({ caseId: IdSchema }).extend(PageSchema.shape),
    output: z.object({ total: z.number().int(), events: z.array(CustodyEventSchema) }),
  },
  'custody.verify': {
    description: 'Recomputes the hash chain of a case and names the first broken event.',
    input: z.object({ caseId: IdSchema }),
    output: ChainStatusSchema,
  },
  'jobs.list': {
    description: 'Long operations running now (so a reloaded window can show their progress).',
    input: z.object({}),
    output: z.array(JobProgressSchema),
  },
  'jobs.cancel': {
    description: 'Cancels a long operation; what it already committed stays, what it was doing is rolled back.',
    input: z.object({ jobId: z.string().max(64) }),
    output: z.object({ cancelled: z.boolean() }),
  },
});
