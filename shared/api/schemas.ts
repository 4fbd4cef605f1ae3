// Entity shapes as they cross the API, with their runtime validators. Types are inferred from
// the validators so the two can never drift apart.
import { z } from 'zod';
import { CHECKLIST_STATUSES, POINT_IDS } from '../checklist/points.ts';
import { SEVERITIES, VERDICTS } from '../findings.ts';

export const IdSchema = z.string().regex(/^[a-z0-9]{4,40}$/, 'ids are lower-case letters and digits');
export const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 digest is 64 lower-case hex digits');
export const IsoTimeSchema = z.string().min(20).max(40);
export const PointIdSchema = z.enum(POINT_IDS);
export const ChecklistStatusSchema = z.enum(CHECKLIST_STATUSES);
export const SeveritySchema = z.enum(SEVERITIES);
export const VerdictSchema = z.enum(VERDICTS);

/** Free text typed by an auditor: bounded so a paste accident cannot bloat the store. */
export const shortText = (max = 200) => z.string().trim().max(max);
export const NameSchema = z.string().trim().min(1, 'a name is required').max(200);
export const NotesSchema = z.string().max(20_000);
export const PathSchema = z.string().min(1, 'a path is required').max(4096);

export const SeverityCountsSchema = z.object({
  critical: z.number().int(), high: z.number().int(), medium: z.number().int(),
  low: z.number().int(), info: z.number().int(),
});
export type SeverityCounts = z.infer<typeof SeverityCountsSchema>;

export const CASE_STATES = ['open', 'decided', 'archived'] as const;
export const CaseSchema = z.object({
  id: IdSchema,
  name: z.string(),
  description: z.string(),
  auditor: z.string(),
  createdAt: IsoTimeSchema,
  state: z.enum(CASE_STATES),
});
export type Case = z.infer<typeof CaseSchema>;

export const ChecklistTallySchema = z.object({
  total: z.number().int(),
  reviewed: z.number().int(),
  pass: z.number().int(),
  fail: z.number().int(),
  partial: z.number().int(),
  notApplicable: z.number().int(),
});
export type ChecklistTally = z.infer<typeof ChecklistTallySchema>;

export const CaseSummarySchema = CaseSchema.extend({
  artifactCount: z.number().int(),
  findingCounts: SeverityCountsSchema,
  checklist: ChecklistTallySchema,
});
export type CaseSummary = z.infer<typeof CaseSummarySchema>;

export const ARTIFACT_KINDS = ['model', 'dataset', 'other'] as const;
export const ArtifactKindSchema = z.enum(ARTIFACT_KINDS);
export type ArtifactKind = z.infer<typeof ArtifactKindSchema>;
export const STORAGE_MODES = ['reference', 'import'] as const;

export const ArtifactSchema = z.object({
  id: IdSchema,
  caseId: IdSchema,
  setId: IdSchema.nullable(),
  /** Path inside the artifact set (model folder), `/`-separated; null for a loose file. */
  relPath: z.string().nullable(),
  displayName: z.string(),
  originalPath: z.string(),
  size: z.number().int().nonnegative(),
  sha256: Sha256Schema,
  /** Format detected from content (see main/core/formats). */
  format: z.string(),
  formatLabel: z.string(),
  /** Format the file name's extension claims, when it names one. */
  extensionClaim: z.string().nullable(),
  extensionMismatch: z.boolean(),
  kind: ArtifactKindSchema,
  storage: z.enum(STORAGE_MODES),
  addedAt: IsoTimeSchema,
  addedBy: z.string(),
  verdict: VerdictSchema.nullable(),
  findingCounts: SeverityCountsSchema,
});
export type Artifact = z.infer<typeof ArtifactSchema>;

export const ArtifactSetSchema = z.object({
  id: IdSchema,
  caseId: IdSchema,
  name: z.string(),
  rootPath: z.string(),
  /** SHA-256 over the sorted (path, file digest) list; see main/core/intake/folder-digest.ts. */
  rootDigest: Sha256Schema,
  fileCount: z.number().int(),
  totalSize: z.number().int(),
  addedAt: IsoTimeSchema,
});
export type ArtifactSet = z.infer<typeof ArtifactSetSchema>;

export const FINDING_STATUSES = ['open', 'accepted', 'false_positive'] as const;
export const FindingStatusSchema = z.enum(FINDING_STATUSES);
export type FindingStatus = z.infer<typeof FindingStatusSchema>;

export const FindingLocationSchema = z.object({
  members: z.array(z.string()).optional(),
  byteOffset: z.number().int().optional(),
  opcodeIndex: z.number().int().optional(),
  jsonPath: z.string().optional(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
  field: z.string().optional(),
  rows: z.array(z.number().int()).optional(),
  node: z.string().optional(),
});

/** A finding as analyzers produce it (before it is stored against a case). */
export const FindingSchema = z.object({
  ruleId: z.string(),
  severity: SeveritySchema,
  message: z.string(),
  location: FindingLocationSchema,
  checklist: z.array(PointIdSchema),
  evidence: z.record(z.string(), z.unknown()).optional(),
});

export const FindingRecordSchema = z.object({
  id: IdSchema,
  caseId: IdSchema,
  artifactId: IdSchema.nullable(),
  ruleId: z.string(),
  severity: SeveritySchema,
  message: z.string(),
  location: FindingLocationSchema,
  checklist: z.array(PointIdSchema),
  evidence: z.record(z.string(), z.unknown()).nullable(),
  status: FindingStatusSchema,
  justification: z.string().nullable(),
  reviewedBy: z.string().nullable(),
  reviewedAt: IsoTimeSchema.nullable(),
  createdAt: IsoTimeSchema,
});
export type FindingRecord = z.infer<typeof FindingRecordSchema>;

export const EVIDENCE_SOURCES = ['intake', 'scan', 'trust', 'behave', 'dataset', 'custody'] as const;
export const EvidenceSchema = z.object({
  id: IdSchema,
  caseId: IdSchema,
  pointId: PointIdSchema,
  source: z.enum(EVIDENCE_SOURCES),
  title: z.string(),
  summary: z.string(),
  artifactId: IdSchema.nullable(),
  data: z.unknown(),
  suggestedStatus: ChecklistStatusSchema.nullable(),
  createdAt: IsoTimeSchema,
});
export type Evidence = z.infer<typeof EvidenceSchema>;

export const AttachmentSchema = z.object({
  id: IdSchema,
  caseId: IdSchema,
  pointId: PointIdSchema.nullable(),
  name: z.string(),
  size: z.number().int(),
  sha256: Sha256Schema,
  addedAt: IsoTimeSchema,
  addedBy: z.string(),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

export const ChecklistEntrySchema = z.object({
  pointId: PointIdSchema,
  status: ChecklistStatusSchema,
  notes: z.string(),
  auditor: z.string().nullable(),
  updatedAt: IsoTimeSchema.nullable(),
  evidence: z.array(EvidenceSchema),
  attachments: z.array(AttachmentSchema),
  /** Findings linked to this point, open ones first. */
  findings: z.array(FindingRecordSchema),
  /** Open high or critical findings linked to the point: while > 0 it cannot pass. */
  blockingFindings: z.number().int(),
  suggestedStatus: ChecklistStatusSchema.nullable(),
});
export type ChecklistEntry = z.infer<typeof ChecklistEntrySchema>;

export const PhaseProgressSchema = z.object({
  phase: z.number().int(),
  title: z.string(),
  tally: ChecklistTallySchema,
  /** Share of applicable points that pass (partial counts half), 0..1. */
  strength: z.number(),
});
export type PhaseProgress = z.infer<typeof PhaseProgressSchema>;

export const ChecklistViewSchema = z.object({
  caseId: IdSchema,
  entries: z.array(ChecklistEntrySchema),
  phases: z.array(PhaseProgressSchema),
  overall: ChecklistTallySchema,
  weakestPhase: z.number().int().nullable(),
});
export type ChecklistView = z.infer<typeof ChecklistViewSchema>;

export const CustodyEventSchema = z.object({
  seq: z.number().int(),
  caseId: IdSchema.nullable(),
  at: IsoTimeSchema,
  actor: z.string(),
  action: z.string(),
  subject: z.string(),
  details: z.record(z.string(), z.unknown()),
  prevHash: Sha256Schema,
  hash: Sha256Schema,
});
export type CustodyEvent = z.infer<typeof CustodyEventSchema>;

export const ChainStatusSchema = z.object({
  ok: z.boolean(),
  events: z.number().int(),
  head: Sha256Schema,
  firstBroken: z.object({ seq: z.number().int(), reason: z.string() }).nullable(),
});
export type ChainStatus = z.infer<typeof ChainStatusSchema>;

export const JOB_STATES = ['running', 'done', 'failed', 'cancelled'] as const;
export const JobProgressSchema = z.object({
  jobId: z.string(),
  label: z.string(),
  state: z.enum(JOB_STATES),
  bytesDone: z.number(),
  bytesTotal: z.number(),
  itemsDone: z.number().int(),
  itemsTotal: z.number().int(),
  currentItem: z.string().nullable(),
  startedAt: IsoTimeSchema,
  /** Bytes per second over the recent window; 0 before the first sample. */
  rate: z.number(),
  /** Seconds left at the current rate, or null when unknown. */
  etaSeconds: z.number().nullable(),
  error: z.string().nullable(),
});
export type JobProgress = z.infer<typeof JobProgressSchema>;

export const PageSchema = z.object({
  offset: z.number().int().nonnegative().default(0),
  limit: z.number().int().positive().max(10_000).default(500),
});
