import { z } from 'zod';
import { defineMethods } from '../define.ts';
import {
  AttachmentSchema, ChecklistEntrySchema, ChecklistStatusSchema, ChecklistViewSchema, EvidenceSchema,
  FindingRecordSchema, FindingStatusSchema, IdSchema, NotesSchema, PathSchema, PointIdSchema,
} from '../schemas.ts';

export const checklistMethods = defineMethods({
  'checklist.get': {
    description: 'The 20 points of a case with status, notes, evidence, attachments, linked findings and phase progress.',
    input: z.object({ caseId: IdSchema }),
    output: ChecklistViewSchema,
  },
  'checklist.set': {
    description: 'Sets the status and/or notes of one point. Refused as `pass` while an open high or critical finding is linked to it.',
    input: z.object({
      caseId: IdSchema,
      pointId: PointIdSchema,
      status: ChecklistStatusSchema.optional(),
      notes: NotesSchema.optional(),
    }).refine((v) => v.status !== undefined || v.notes !== undefined, 'give a status, notes, or both'),
    output: ChecklistEntrySchema,
  },
  'attachments.add': {
    description: 'Stores an auditor evidence file by its SHA-256 in the data directory and links it to a point.',
    input: z.object({ caseId: IdSchema, pointId: PointIdSchema.nullable().default(null), path: PathSchema }),
    output: AttachmentSchema,
  },
  'attachments.list': {
    description: 'Evidence files of a case.',
    input: z.object({ caseId: IdSchema }),
    output: z.array(AttachmentSchema),
  },
  'evidence.list': {
    description: 'Automatic evidence gathered for a case, optionally for one point.',
    input: z.object({ caseId: IdSchema, pointId: PointIdSchema.optional() }),
    output: z.array(EvidenceSchema),
  },
  'findings.list': {
    description: 'Findings of a case, optionally of one artifact.',
    input: z.object({ caseId: IdSchema, artifactId: IdSchema.optional() }),
    output: z.array(FindingRecordSchema),
  },
  'findings.review': {
    description: 'Marks a finding accepted or false-positive (with a justification), or reopens it.',
    input: z.object({
      findingId: IdSchema,
      status: FindingStatusSchema,
      justification: z.string().trim().max(5000).default(''),
    }).refine((v) => v.status === 'open' || v.justification.length > 0, 'a justification is required to accept a finding or mark it a false positive'),
    output: FindingRecordSchema,
  },
});
