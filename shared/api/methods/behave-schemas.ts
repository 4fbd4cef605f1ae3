// Shapes of the behaviour tests as they cross the API (sandboxed probe runs, backdoor suites,
// baselines, side-by-side comparisons) and as they are stored. Numbers a run cannot compute
// (a difference between outputs that do not match, an entropy of no rows) travel as null.
import { z } from 'zod';
import { FindingSchema, IdSchema, IsoTimeSchema, Sha256Schema } from '../schemas.ts';

/** A number that may be unknown or not finite (JSON has no Infinity or NaN). */
const num = z.number().nullable();
const int = z.number().int();

export const DistributionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('uniform'), min: z.number(), max: z.number() }),
  z.object({ kind: z.literal('normal'), mean: z.number(), std: z.number(), min: z.number().optional(), max: z.number().optional() }),
  z.object({ kind: z.literal('integers'), min: z.number(), max: z.number() }),
  z.object({ kind: z.literal('constant'), value: z.number() }),
]);

/** What the auditor may ask of generated probes (the engine validates it further). */
export const ProbeSpecInputSchema = z.object({
  seed: z.number().int().nonnegative().max(0xffff_ffff).optional(),
  rows: z.number().int().positive().max(1_000_000).optional(),
  batchSize: z.number().int().positive().max(65_536).optional(),
  dims: z.record(z.string(), z.number().int().positive()).optional(),
  inputs: z.record(z.string(), z.object({
    distribution: DistributionSchema.optional(),
    rowShape: z.array(z.number().int().positive()).max(16).optional(),
    layout: z.enum(['NCHW', 'NHWC', 'HW', 'none']).optional(),
  }).strict()).optional(),
}).strict();

/** Sandbox limits the auditor may change for one run. */
export const LimitsInputSchema = z.object({
  /** Watchdog: kill the worker after this long without progress. */
  timeoutMs: z.number().int().min(1000).max(24 * 3600_000).optional(),
  addressSpaceBytes: z.number().int().min(1024 ** 3).optional(),
  heapMegabytes: z.number().int().min(64).max(64 * 1024).optional(),
  threads: z.number().int().positive().max(64).optional(),
}).strict();

/** Rows of a dataset in the case used as probes (CSV, TSV, JSON Lines or .npy). */
export const ProbeDataInputSchema = z.object({
  artifactId: IdSchema,
  /** The model input the rows feed; the first floating-point input by default. */
  input: z.string().max(500).optional(),
  /** Table columns whose values make up one row, in order; every numeric column by default. */
  columns: z.array(z.string().max(500)).max(100_000).optional(),
  maxRows: z.number().int().positive().max(100_000).optional(),
}).strict();

export const TensorSignatureSchema = z.object({
  name: z.string(),
  elementType: z.string(),
  shape: z.array(z.union([z.number(), z.string(), z.null()])).nullable(),
});

export const IoMetaSchema = z.object({
  name: z.string(),
  dtype: z.string(),
  shape: z.array(z.union([z.number(), z.string(), z.null()])).nullable(),
});

export const SelfTestCheckSchema = z.object({ id: z.string(), attempted: z.string(), denied: z.boolean(), detail: z.string() });

export const IsolationReportSchema = z.object({
  level: z.enum(['bubblewrap', 'unshare', 'plain']),
  wanted: z.string(),
  fallbacks: z.array(z.object({ level: z.string(), reason: z.string() })),
  layers: z.array(z.string()),
  limits: z.object({
    timeoutMs: num, lifetimeMs: num, addressSpaceBytes: num, heapMegabytes: num, maxOutputBytes: num,
    maxResultBytes: num, threads: num, fileSizeBytes: num, openFiles: num,
  }),
  checks: z.array(SelfTestCheckSchema),
  runtime: z.object({ node: z.string(), platform: z.string(), workerPath: z.string(), onnxruntime: z.string() }),
  command: z.array(z.string()),
});
export type IsolationReportRecord = z.infer<typeof IsolationReportSchema>;

export const FailureSchema = z.object({
  kind: z.string(),
  message: z.string(),
  phase: z.string(),
  exit: z.object({ code: num, signal: z.string().nullable() }).nullable(),
  stderrTail: z.string(),
  elapsedMs: num,
});

export const TimingsSchema = z.object({ validateMs: num, launchMs: num, loadMs: num, firstResultMs: num, totalMs: num });

export const ProbeSetSchema = z.object({
  seed: int,
  rows: int,
  batchSize: int,
  inputs: z.array(z.object({
    name: z.string(),
    dtype: z.string(),
    rowShape: z.array(int),
    distribution: DistributionSchema,
    kind: z.string(),
    layout: z.string().nullable(),
    vocab: num,
  })),
  /** Where the rows came from: generated from the seed, or a dataset of the case (or a file). */
  source: z.enum(['generated', 'dataset']),
  dataset: z.object({
    artifactId: IdSchema.nullable(),
    name: z.string(),
    input: z.string(),
    columns: z.array(z.string()).nullable(),
    rows: int,
    digest: z.string(),
  }).nullable(),
});

export const FingerprintSummarySchema = z.object({ scheme: z.string(), digest: Sha256Schema, seed: int, rows: int });

export const OutputSummarySchema = z.object({
  name: z.string(),
  dtype: z.string(),
  rowShape: z.array(int),
  rows: int,
  min: num,
  max: num,
  mean: num,
  /** Rows predicted as each class (argmax over the last axis), when rows hold several values. */
  classCounts: z.array(int).nullable(),
});

export const OutputComparisonSchema = z.object({
  name: z.string(),
  comparable: z.boolean(),
  maxAbsDiff: num,
  meanAbsDiff: num,
  top1Agreement: num,
  note: z.string().optional(),
});

export const OutputsComparisonSchema = z.object({
  outputs: z.array(OutputComparisonSchema),
  maxAbsDiff: num,
  top1Agreement: num,
  comparable: z.boolean(),
});

export const FingerprintComparisonSchema = z.object({
  verdict: z.enum(['identical', 'equivalent', 'different']),
  differingShare: num,
  detail: z.string(),
});

export const ToleranceSchema = z.object({ maxAbsDiff: z.number(), minTop1Agreement: z.number() });

const TriggerValuesSchema = z.object({ offsets: z.array(int), values: z.array(num) });

export const GraphTriggerSiteSchema = z.object({
  node: z.string(),
  op: z.string(),
  input: z.string(),
  path: z.array(z.string()),
  constant: z.object({ name: z.string(), dims: z.array(int), values: z.array(num), count: int }),
  relation: z.string(),
  gates: z.array(z.string()),
  outputs: z.array(z.string()),
  subgraph: z.array(z.string()),
  trigger: TriggerValuesSchema.nullable(),
  opposite: TriggerValuesSchema.nullable(),
  unresolved: z.string().optional(),
});

export const ConfirmationSchema = z.object({
  site: int.nullable(),
  input: z.string(),
  variant: z.string(),
  trigger: TriggerValuesSchema,
  triggerFlipRate: num,
  controlFlipRate: num,
  targetClass: int,
  targetShare: num,
  triggerSuccessRate: num,
  controlSuccessRate: num,
  eligible: int,
  confirmed: z.boolean(),
  rows: int,
});

export const SweepCandidateSchema = z.object({
  pattern: z.string(),
  y: int.optional(),
  x: int.optional(),
  token: int.optional(),
  position: int.optional(),
  flipRate: num,
  targetClass: int,
  targetShare: num,
  successRate: num,
  eligible: int,
});

export const SweepSchema = z.object({
  input: z.string(),
  kind: z.enum(['patch', 'token']),
  rows: int,
  patchSize: int.optional(),
  grid: z.object({ ys: z.array(int), xs: z.array(int) }).optional(),
  /** Flip rate per patch position, per pattern: heatmaps[pattern][iy][ix]. */
  heatmaps: z.record(z.string(), z.array(z.array(num))).optional(),
  candidates: z.array(SweepCandidateSchema),
  flagged: z.array(SweepCandidateSchema),
  medianFlipRate: z.record(z.string(), num),
  medianSuccessRate: z.record(z.string(), num),
  dominantClass: z.object({ value: int, share: num }),
});

export const HistogramSchema = z.object({ min: num, max: num, counts: z.array(int) });
const StripSideSchema = z.object({ entropies: z.array(num), median: num, histogram: HistogramSchema });

export const StripSchema = z.object({
  input: z.string(),
  candidate: z.string().nullable(),
  rows: int,
  blends: int,
  alpha: num,
  cleanSamples: z.boolean(),
  clean: StripSideSchema,
  triggered: StripSideSchema.nullable(),
  flagged: z.boolean(),
});

export const RobustnessSchema = z.object({
  input: z.string(),
  rows: int,
  points: z.array(z.object({ noiseStd: num, relativeStd: num, agreement: num })),
});

export const BackdoorResultSchema = z.object({
  output: z.object({ name: z.string(), mode: z.string() }).nullable(),
  graph: z.array(GraphTriggerSiteSchema),
  confirmations: z.array(ConfirmationSchema),
  sweep: SweepSchema.nullable(),
  strip: StripSchema.nullable(),
  robustness: RobustnessSchema.nullable(),
  skipped: z.array(z.object({ stage: z.string(), reason: z.string() })),
});
export type BackdoorResult = z.infer<typeof BackdoorResultSchema>;

export const BASELINE_SCOPES = ['artifact', 'case', 'library'] as const;

/** A recorded baseline, without its outputs. */
export const BaselineInfoSchema = z.object({
  id: IdSchema,
  name: z.string(),
  /** artifact: recorded on this artifact; case: on another artifact of the case; library: the workstation's model library. */
  scope: z.enum(BASELINE_SCOPES),
  caseId: IdSchema.nullable(),
  artifactId: IdSchema.nullable(),
  artifactName: z.string().nullable(),
  modelSha256: Sha256Schema,
  createdAt: IsoTimeSchema,
  createdBy: z.string(),
  rows: int,
  outputs: z.array(z.string()),
  fingerprint: Sha256Schema.nullable(),
  probeSource: z.enum(['generated', 'dataset']),
});
export type BaselineInfo = z.infer<typeof BaselineInfoSchema>;

export const ComparisonSchema = z.object({
  baseline: BaselineInfoSchema,
  sameModelDigest: z.boolean(),
  outputs: OutputsComparisonSchema,
  fingerprint: FingerprintComparisonSchema.nullable(),
  tolerance: ToleranceSchema,
  withinTolerance: z.boolean(),
});

const SideSchema = z.object({
  artifactId: IdSchema.nullable(),
  name: z.string(),
  modelSha256: Sha256Schema,
  ok: z.boolean(),
  signature: z.object({ inputs: z.array(IoMetaSchema), outputs: z.array(IoMetaSchema) }).nullable(),
  fingerprint: FingerprintSummarySchema.nullable(),
  outputs: z.array(OutputSummarySchema),
  findings: z.array(FindingSchema),
  failure: FailureSchema.nullable(),
});

export const SideBySideSchema = z.object({
  a: SideSchema,
  b: SideSchema,
  outputs: OutputsComparisonSchema,
  fingerprint: FingerprintComparisonSchema.nullable(),
  withinTolerance: z.boolean(),
  /** Probe rows (up to 20) whose top-1 prediction differs: row index and both predictions. */
  disagreements: z.array(z.object({ output: z.string(), row: int, a: int, b: int })),
});

export const RUN_KINDS = ['probe', 'backdoor', 'baseline', 'compare', 'side-by-side'] as const;
export const RunKindSchema = z.enum(RUN_KINDS);
export type RunKind = z.infer<typeof RunKindSchema>;

/** One sandboxed behaviour run as stored (case runs) or returned (runs on a file). */
export const BehaveRunSchema = z.object({
  /** null for runs on a file outside any case (nothing is stored but baselines). */
  id: IdSchema.nullable(),
  caseId: IdSchema.nullable(),
  artifactId: IdSchema.nullable(),
  kind: RunKindSchema,
  modelName: z.string(),
  modelSha256: Sha256Schema,
  startedAt: IsoTimeSchema,
  finishedAt: IsoTimeSchema,
  actor: z.string(),
  /** The operation completed (a model that crashed or was refused did not). */
  ok: z.boolean(),
  findings: z.array(FindingSchema),
  isolation: IsolationReportSchema.nullable(),
  failure: FailureSchema.nullable(),
  timings: TimingsSchema,
  /** The whole-operation time limit and whether it ended the run. */
  deadline: z.object({ ms: int, hit: z.boolean() }),
  signature: z.object({ inputs: z.array(IoMetaSchema), outputs: z.array(IoMetaSchema) }).nullable(),
  probe: ProbeSetSchema.nullable(),
  fingerprint: FingerprintSummarySchema.nullable(),
  determinism: z.object({ deterministic: z.boolean(), maxAbsDiff: num, tolerance: num }).nullable(),
  /** Rows per second of the main probe run, worker-side generation included. */
  throughput: num,
  outputs: z.array(OutputSummarySchema),
  backdoor: BackdoorResultSchema.nullable(),
  /** The baseline this run recorded (kind 'baseline'). */
  baseline: BaselineInfoSchema.nullable(),
  /** The comparison with a recorded baseline (kind 'compare'). */
  comparison: ComparisonSchema.nullable(),
  sideBySide: SideBySideSchema.nullable(),
});
export type BehaveRun = z.infer<typeof BehaveRunSchema>;

/** Static introspection of an ONNX model (nothing runs). */
export const InspectionSchema = z.object({
  ok: z.boolean(),
  error: z.string().nullable(),
  modelSha256: Sha256Schema,
  inputs: z.array(TensorSignatureSchema),
  outputs: z.array(TensorSignatureSchema),
  probes: ProbeSetSchema.omit({ source: true, dataset: true }).nullable(),
  probeError: z.string().nullable(),
  graphTriggers: z.array(GraphTriggerSiteSchema),
  externalData: z.array(z.string()),
});
export type Inspection = z.infer<typeof InspectionSchema>;
