import { z } from 'zod';
import { defineMethods } from '../define.ts';
import {
  ArtifactKindSchema, ArtifactSchema, ArtifactSetSchema, FindingRecordSchema, IdSchema, PageSchema,
  PathSchema, STORAGE_MODES,
} from '../schemas.ts';

export const AddErrorSchema = z.object({ path: z.string(), message: z.string() });

export const artifactMethods = defineMethods({
  'artifacts.add': {
    description: 'Adds files and folders (a folder becomes one artifact set) to a case: hashes, detects formats, records custody.',
    long: true,
    input: z.object({
      caseId: IdSchema,
      paths: z.array(PathSchema).min(1).max(10_000),
      /** `reference` records the path; `import` also copies the bytes into the data directory. */
      storage: z.enum(STORAGE_MODES).default('reference'),
      kind: z.union([ArtifactKindSchema, z.literal('auto')]).default('auto'),
      jobId: z.string().max(64).optional(),
    }),
    output: z.object({
      added: z.array(ArtifactSchema),
      /** Already in the case with the same content: adding again changes nothing. */
      existing: z.array(ArtifactSchema),
      sets: z.array(ArtifactSetSchema),
      /** Paths that could not be added, each with the reason; nothing was stored for them. */
      errors: z.array(AddErrorSchema),
    }),
  },
  'artifacts.list': {
    description: 'The artifacts of a case, in the order they were added.',
    input: z.object({ caseId: IdSchema }).extend(PageSchema.shape),
    output: z.object({ total: z.number().int(), items: z.array(ArtifactSchema), sets: z.array(ArtifactSetSchema) }),
  },
  'artifacts.get': {
    description: 'One artifact with its findings.',
    input: z.object({ artifactId: IdSchema }),
    output: z.object({ artifact: ArtifactSchema, findings: z.array(FindingRecordSchema) }),
  },
});
