// Dataset auditing (issue 6): provenance records (P01), dataset scans with PII by column (P03)
// and poisoning indicators (P02), the auditor's row reviews and exclusion list, masked exports,
// and the case-less `assay data scan`.
import { z } from 'zod';
import { defineMethods } from '../define.ts';
import {
  ArtifactSchema, FindingRecordSchema, IdSchema, IsoTimeSchema, PathSchema, PointIdSchema, Sha256Schema,
  SeverityCountsSchema, SeveritySchema, type Artifact,
} from '../schemas.ts';

const JobId = z.string().max(64).optional();

/** Formats read as tables; images are datasets as a folder (artifact set) of class subfolders. */
export const TABULAR_DATASET_FORMATS: ReadonlySet<string> = new Set(['csv', 'tsv', 'jsonl', 'json', 'parquet', 'text']);
export const IMAGE_DATASET_FORMATS: ReadonlySet<string> = new Set(['png', 'jpeg', 'gif', 'bmp', 'webp']);

/**
 * The dataset an artifact belongs to: itself for a dataset file, its folder for an image inside a
 * folder; null when it is not a dataset.
 */
export function datasetIdOf(a: Pick<Artifact, 'id' | 'kind' | 'format' | 'setId'>): string | null {
  if (a.kind !== 'dataset') return null;
  if (TABULAR_DATASET_FORMATS.has(a.format)) return a.id;
  if (IMAGE_DATASET_FORMATS.has(a.format) && a.setId !== null) return a.setId;
  return null;
}

export const MASK_MODES = ['redact', 'pseudonym'] as const;
export const ROW_REVIEW_ACTIONS = ['reviewed', 'excluded', 'open'] as const;

/** Statistics over parsed values can be non-finite; they cross the API as null. */
const Stat = z.number().nullable();
const DateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is written YYYY-MM-DD');

export const ProvenanceSchema = z.object({
  source: z.string().trim().max(2000),
  licence: z.string().trim().max(500),
  collector: z.string().trim().max(500),
  labeller: z.string().trim().max(500),
  collectedFrom: DateSchema.nullable(),
  collectedTo: DateSchema.nullable(),
  accessNotes: z.string().trim().max(10_000),
});
export type Provenance = z.infer<typeof ProvenanceSchema>;
export const PROVENANCE_FIELDS = ['source', 'licence', 'collector', 'labeller', 'collectedFrom', 'collectedTo', 'accessNotes'] as const;

export const FileDigestSchema = z.object({ path: z.string(), sha256: Sha256Schema, size: z.number().int() });

export const ColumnSchemaSchema = z.looseObject({
  name: z.string(),
  index: z.number().int(),
  type: z.string(),
  count: z.number().int(),
  nullCount: z.number().int(),
  nullRate: z.number(),
  distinctCount: z.number().int(),
  distinctApprox: z.boolean(),
  /** Masked where a detector fired. */
  examples: z.array(z.string()),
  length: z.looseObject({ min: Stat, max: Stat, mean: Stat }).optional(),
  numeric: z.looseObject({ min: Stat, max: Stat, mean: Stat }).optional(),
  role: z.string(),
  pii: z.array(z.string()),
});

export const DatasetSchemaSchema = z.looseObject({
  name: z.string(),
  format: z.string(),
  formatDetail: z.string(),
  encoding: z.string().optional(),
  delimiter: z.string().optional(),
  hasHeader: z.boolean().optional(),
  rowCount: z.number().int(),
  size: z.number().int(),
  sha256: Sha256Schema,
  columns: z.array(ColumnSchemaSchema),
  label: z.looseObject({ column: z.number().int().nullable(), name: z.string().nullable(), guessed: z.boolean(), reason: z.string() }),
  files: z.array(z.looseObject({ path: z.string(), label: z.string().nullable(), size: z.number().int(), sha256: Sha256Schema })).optional(),
});

export const PiiColumnSummarySchema = z.looseObject({
  column: z.string(),
  detector: z.string(),
  ruleId: z.string(),
  label: z.string(),
  count: z.number().int(),
  rows: z.number().int(),
  confidence: z.number(),
  maxConfidence: z.number(),
  withContext: z.number().int(),
  rejectedLookAlikes: z.number().int(),
  /** Masked; never the raw value. */
  samples: z.array(z.string()),
  kinds: z.record(z.string(), z.number()),
  likelyChance: z.boolean(),
});

const LabelCountSchema = z.object({ label: z.string(), count: z.number().int() });
export const DatasetChartsSchema = z.looseObject({
  labelDistribution: z.array(LabelCountSchema),
  classBalance: z.looseObject({
    classes: z.number().int(),
    majority: LabelCountSchema.nullable(),
    minority: LabelCountSchema.nullable(),
    imbalanceRatio: Stat,
    normalisedEntropy: Stat,
    unlabelled: z.number().int(),
  }),
  outlierScores: z.looseObject({ bins: z.array(z.object({ from: z.number(), to: z.number(), count: z.number().int() })), threshold: z.number() }).nullable(),
});

export const IndicatorCoverageSchema = z.looseObject({ name: z.string(), ran: z.boolean(), examined: z.number().int(), note: z.string() });

/** What a dataset scan learnt, as stored with the case (its findings are stored as findings). */
export const DatasetScanReportSchema = z.object({
  dataset: DatasetSchemaSchema,
  pii: z.array(PiiColumnSummarySchema),
  charts: DatasetChartsSchema,
  indicators: z.array(IndicatorCoverageSchema),
  durationMs: z.number(),
});
export type DatasetScanReport = z.infer<typeof DatasetScanReportSchema>;

export const DatasetScanInfoSchema = z.object({
  scannedAt: IsoTimeSchema,
  scannedBy: z.string(),
  toolVersion: z.string(),
  sha256: Sha256Schema,
  rowCount: z.number().int(),
  label: z.string().nullable(),
  labelGuessed: z.boolean(),
  /** Label column the auditor asked for (the next scan uses it again). */
  labelRequested: z.string().nullable(),
  phoneRegion: z.string().nullable(),
  findings: SeverityCountsSchema,
  piiColumns: z.number().int(),
});

export const DatasetSummarySchema = z.object({
  /** The dataset file's artifact id, or the image folder's artifact-set id. */
  id: IdSchema,
  caseId: IdSchema,
  kind: z.enum(['file', 'image-folder']),
  /** The artifact whose view shows the dataset (for an image folder: its first image). */
  artifactId: IdSchema,
  setId: IdSchema.nullable(),
  name: z.string(),
  format: z.string(),
  size: z.number().int(),
  /** The file's SHA-256; for an image folder its root digest. */
  sha256: Sha256Schema,
  fileCount: z.number().int(),
  provenance: ProvenanceSchema,
  recordUpdatedAt: IsoTimeSchema.nullable(),
  recordUpdatedBy: z.string().nullable(),
  completeness: z.object({ filled: z.number().int(), total: z.number().int(), missing: z.array(z.string()) }),
  derivedFrom: z.object({ id: IdSchema, name: z.string(), artifactId: IdSchema.nullable() }).nullable(),
  transformation: z.record(z.string(), z.unknown()).nullable(),
  /** Masked exports made from this dataset. */
  derived: z.array(z.object({ id: IdSchema, name: z.string(), artifactId: IdSchema.nullable() })),
  scan: DatasetScanInfoSchema.nullable(),
  reviews: z.object({ reviewed: z.number().int(), excluded: z.number().int() }),
});
export type DatasetSummary = z.infer<typeof DatasetSummarySchema>;

export const RowReviewSchema = z.object({
  row: z.number().int(),
  status: z.enum(['reviewed', 'excluded']),
  ruleIds: z.array(z.string()),
  note: z.string(),
  reviewedBy: z.string(),
  reviewedAt: IsoTimeSchema,
});
export type RowReview = z.infer<typeof RowReviewSchema>;

export const DetectorInfoSchema = z.object({ id: z.string(), label: z.string(), ruleId: z.string() });

export const DatasetDetailSchema = z.object({
  summary: DatasetSummarySchema,
  report: DatasetScanReportSchema.nullable(),
  /** The dataset's findings (rule ids `dataset.*`), with their review state. */
  findings: z.array(FindingRecordSchema),
  reviews: z.array(RowReviewSchema),
  digests: z.array(FileDigestSchema),
  /** Every PII and secret detector, for choosing what a masked export replaces. */
  detectors: z.array(DetectorInfoSchema),
});
export type DatasetDetail = z.infer<typeof DatasetDetailSchema>;

export const DatasetRowsSchema = z.object({
  columns: z.array(z.string()),
  rows: z.array(z.object({
    row: z.number().int(),
    /** Cell text with detected PII and secrets masked and invisible characters made visible. */
    cells: z.array(z.string().nullable()),
    /** Image folders: the file behind the row. */
    file: z.object({ path: z.string(), label: z.string().nullable(), size: z.number().int(), sha256: Sha256Schema }).optional(),
  })),
  /** Requested rows the dataset does not have. */
  missing: z.array(z.number().int()),
});

export const MaskedExportResultSchema = z.object({
  path: z.string(),
  rows: z.number().int(),
  replaced: z.number().int(),
  byDetector: z.record(z.string(), z.number().int()),
  excluded: z.number().int(),
  format: z.string(),
  inputSha256: Sha256Schema,
  outputSha256: Sha256Schema,
});

export const CliDatasetDocumentSchema = z.object({
  dataset: DatasetSchemaSchema.extend({ pii: z.array(PiiColumnSummarySchema), charts: DatasetChartsSchema }),
  findings: z.array(z.object({
    ruleId: z.string(),
    severity: SeveritySchema,
    message: z.string(),
    column: z.string().nullable(),
    rows: z.array(z.number().int()),
    checklist: z.array(PointIdSchema),
  })),
});

const DatasetRef = { datasetId: IdSchema };
const Detectors = z.union([z.literal('all'), z.array(z.string().max(64)).min(1).max(100)]);

export const datasetMethods = defineMethods({
  'datasets.list': {
    description: 'The datasets of a case (dataset files, image folders), with provenance completeness, scan state and reviews.',
    input: z.object({ caseId: IdSchema }),
    output: z.array(DatasetSummarySchema),
  },
  'datasets.get': {
    description: 'One dataset: provenance, digests, the latest scan report (schema, PII by column, charts, indicators), findings and row reviews. Accepts the id of any image of an image folder.',
    input: z.object(DatasetRef),
    output: DatasetDetailSchema,
  },
  'datasets.scan': {
    description: 'Scans a dataset of a case in a worker thread (schema, PII and secrets, poisoning indicators) and stores the report, findings and checklist evidence (P01, P02, P03).',
    long: true,
    input: z.object({
      ...DatasetRef,
      /** Label column; omitted: the one asked for last time, else guessed; null: guess. */
      label: z.string().max(500).nullable().optional(),
      phoneRegion: z.string().regex(/^[A-Za-z]{2}$/, 'a region is a two-letter country code').optional(),
      jobId: JobId,
    }),
    output: DatasetDetailSchema,
  },
  'datasets.setRecord': {
    description: 'Records the provenance of a dataset (source, licence, collector, labeller, collection dates, access notes); custody-logged.',
    input: z.object({ ...DatasetRef, ...ProvenanceSchema.shape }),
    output: DatasetSummarySchema,
  },
  'datasets.rows': {
    description: 'Rows of a scanned dataset by 0-based index, with detected PII and secrets masked and invisible characters shown.',
    long: true,
    input: z.object({ ...DatasetRef, rows: z.array(z.number().int().nonnegative()).min(1).max(200), jobId: JobId }),
    output: DatasetRowsSchema,
  },
  'datasets.reviewRows': {
    description: 'Marks rows of a scanned dataset reviewed or excluded (or open again), with the rules that flagged them; custody-logged.',
    input: z.object({
      ...DatasetRef,
      rows: z.array(z.number().int().nonnegative()).min(1).max(10_000),
      status: z.enum(ROW_REVIEW_ACTIONS),
      ruleIds: z.array(z.string().max(100)).max(50).default([]),
      note: z.string().trim().max(2000).default(''),
    }),
    output: z.object({ updated: z.number().int(), reviews: z.object({ reviewed: z.number().int(), excluded: z.number().int() }) }),
  },
  'datasets.exclusions': {
    description: 'The exclusion list of a dataset as CSV (row, rules, note), optionally written to a file; custody-logged as an export.',
    input: z.object({ ...DatasetRef, outPath: PathSchema.optional() }),
    output: z.object({ csv: z.string(), rows: z.number().int(), sha256: Sha256Schema, path: z.string().nullable() }),
  },
  'datasets.exportMasked': {
    description: 'Writes a copy of a dataset file with the chosen detectors\' values redacted or replaced by per-case pseudonyms, adds it to the case linked to its source, and logs the transformation with both digests.',
    long: true,
    input: z.object({
      ...DatasetRef,
      detectors: Detectors.default('all'),
      mode: z.enum(MASK_MODES).default('pseudonym'),
      /** Leave out the rows the auditor excluded. */
      leaveOutExcluded: z.boolean().default(true),
      /** Where to write the file; default: the data directory's exports folder. */
      outPath: PathSchema.optional(),
      jobId: JobId,
    }),
    output: MaskedExportResultSchema.extend({ datasetId: IdSchema, artifact: ArtifactSchema }),
  },
  'datasets.scanPath': {
    description: 'Scans a dataset file or image folder outside any case (`assay data scan`), optionally writing a masked copy; nothing is stored but the custody event of the masked export.',
    long: true,
    input: z.object({
      path: PathSchema,
      label: z.string().max(500).optional(),
      phoneRegion: z.string().regex(/^[A-Za-z]{2}$/, 'a region is a two-letter country code').optional(),
      maskedOut: PathSchema.optional(),
      mask: z.enum(MASK_MODES).default('pseudonym'),
      detectors: Detectors.default('all'),
      /** A file whose bytes are the pseudonym key (at least 16); default: the workstation's key. */
      keyFile: PathSchema.optional(),
      jobId: JobId,
    }),
    output: z.object({
      document: CliDatasetDocumentSchema,
      text: z.string(),
      /** 1 when a finding is high or critical. */
      exitCode: z.union([z.literal(0), z.literal(1)]),
      export: MaskedExportResultSchema.nullable(),
    }),
  },
});
