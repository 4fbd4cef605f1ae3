import { z } from 'zod';
import { defineMethods } from '../define.ts';
import { CaseSchema, CaseSummarySchema, IdSchema, NameSchema, shortText } from '../schemas.ts';

export const caseMethods = defineMethods({
  'cases.list': {
    description: 'All cases, newest first, with artifact, finding and checklist counts.',
    input: z.object({}),
    output: z.array(CaseSummarySchema),
  },
  'cases.create': {
    description: 'Creates an audit case with all 20 checklist points not reviewed.',
    input: z.object({
      name: NameSchema,
      description: z.string().max(5000).default(''),
      auditor: shortText().optional(),
    }),
    output: CaseSchema,
  },
  'cases.get': {
    description: 'One case with its counts.',
    input: z.object({ caseId: IdSchema }),
    output: CaseSummarySchema,
  },
  'cases.update': {
    description: 'Renames a case or changes its description.',
    input: z.object({ caseId: IdSchema, name: NameSchema.optional(), description: z.string().max(5000).optional() }),
    output: CaseSchema,
  },
});
