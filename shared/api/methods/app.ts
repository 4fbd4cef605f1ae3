import { z } from 'zod';
import { defineMethods } from '../define.ts';
import { CaseSchema, NameSchema } from '../schemas.ts';

export const appMethods = defineMethods({
  'app.info': {
    description: 'Version, data directory, schema version and the current auditor.',
    input: z.object({}),
    output: z.object({
      name: z.literal('Assay'),
      version: z.string(),
      dataDir: z.string(),
      schemaVersion: z.number().int(),
      auditor: z.string(),
    }),
  },
  'app.setAuditor': {
    description: 'Sets the name recorded as the actor of every change made from this workstation.',
    input: z.object({ auditor: NameSchema }),
    output: z.object({ auditor: z.string() }),
  },
  'demo.create': {
    description: 'Creates a demo case from sample artifacts generated on the spot.',
    long: true,
    input: z.object({ jobId: z.string().max(64).optional() }),
    output: CaseSchema,
  },
});
