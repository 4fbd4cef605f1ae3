// Sandboxed behaviour tests of ONNX models (P07, P08, P16, P19): probe runs with a behavioural
// fingerprint, baselines recorded and compared, two versions side by side, and the backdoor
// suite. Runs on an artifact are stored with the case (findings, evidence, custody); runs on a
// file outside any case (`assay behave FILE`) return their result and keep only baselines, in
// the workstation's model library.
import { z } from 'zod';
import { defineMethods } from '../define.ts';
import { IdSchema, PathSchema } from '../schemas.ts';
import {
  BaselineInfoSchema, BehaveRunSchema, InspectionSchema, LimitsInputSchema, ProbeDataInputSchema, ProbeSpecInputSchema,
  RunKindSchema,
} from './behave-schemas.ts';

const JobId = z.string().max(64).optional();
/**
 * Time limit of the whole operation in milliseconds (default 60 000; 0 for none beyond the
 * worker's own lifetime). When it passes the worker is killed and the run ends as a finding.
 */
const Deadline = z.number().int().min(0).max(24 * 3600_000).optional();
const BaselineName = z.string().trim().min(1, 'a baseline needs a name').max(100).regex(/^[^@\n\r\t]+$/, 'a baseline name cannot contain @ or line breaks');
const ToleranceInput = z.object({
  maxAbsDiff: z.number().nonnegative().optional(),
  minTop1Agreement: z.number().min(0).max(1).optional(),
}).strict();

const RunOptions = {
  limits: LimitsInputSchema.optional(),
  deadlineMs: Deadline,
  jobId: JobId,
};

/** Rows of a file used as probes (runs outside a case). */
const ProbeFileSchema = z.object({
  path: PathSchema,
  input: z.string().max(500).optional(),
  columns: z.array(z.string().max(500)).max(100_000).optional(),
  maxRows: z.number().int().positive().max(100_000).optional(),
}).strict();

export const behaveMethods = defineMethods({
  'behave.inspect': {
    description: 'I/O signature (symbolic dimensions named), the probes a run would generate, and static graph trigger sites of an ONNX artifact; nothing runs.',
    input: z.object({ artifactId: IdSchema, probes: ProbeSpecInputSchema.optional() }),
    output: InspectionSchema,
  },
  'behave.probe': {
    description: 'Runs probes through the model in the sandbox (generated from a seed, or rows of a dataset in the case): outputs, determinism, behavioural fingerprint, isolation report.',
    long: true,
    input: z.object({ artifactId: IdSchema, probes: ProbeSpecInputSchema.optional(), probeData: ProbeDataInputSchema.optional(), ...RunOptions }),
    output: BehaveRunSchema,
  },
  'behave.backdoor': {
    description: 'Runs the backdoor suite in the sandbox: graph trigger inspection and confirmation, trigger sweeps, STRIP, robustness curve.',
    long: true,
    input: z.object({ artifactId: IdSchema, probes: ProbeSpecInputSchema.optional(), cleanData: ProbeDataInputSchema.optional(), ...RunOptions }),
    output: BehaveRunSchema,
  },
  'behave.baselines.record': {
    description: 'Records the outputs of a probe run on an artifact as a named baseline.',
    long: true,
    input: z.object({ artifactId: IdSchema, name: BaselineName, probes: ProbeSpecInputSchema.optional(), probeData: ProbeDataInputSchema.optional(), ...RunOptions }),
    output: BehaveRunSchema,
  },
  'behave.baselines.compare': {
    description: 'Re-runs a baseline\'s probe set on an artifact and compares the outputs with the recorded ones (max |difference|, top-1 agreement, fingerprint).',
    long: true,
    input: z.object({ artifactId: IdSchema, baselineId: IdSchema, tolerance: ToleranceInput.optional(), ...RunOptions }),
    output: BehaveRunSchema,
  },
  'behave.baselines.list': {
    description: 'Baselines an artifact can be compared with (its own, other artifacts of its case, the model library); without an artifact, the model library.',
    input: z.object({ artifactId: IdSchema.optional() }),
    output: z.array(BaselineInfoSchema),
  },
  'behave.compareVersions': {
    description: 'Runs two model versions of a case on the same probe set and shows them side by side.',
    long: true,
    input: z.object({ artifactId: IdSchema, otherArtifactId: IdSchema, probes: ProbeSpecInputSchema.optional(), tolerance: ToleranceInput.optional(), ...RunOptions }),
    output: BehaveRunSchema,
  },
  'behave.runs': {
    description: 'Stored behaviour runs of an artifact, newest first.',
    input: z.object({ artifactId: IdSchema, kind: RunKindSchema.optional(), limit: z.number().int().positive().max(200).default(20) }),
    output: z.array(BehaveRunSchema),
  },
  'behave.file': {
    description: 'Behaviour tests on an ONNX file outside any case (the CLI): a probe run (optionally recording or comparing a baseline in the model library) or the backdoor suite.',
    long: true,
    input: z.object({
      path: PathSchema,
      mode: z.enum(['probe', 'backdoor']).default('probe'),
      probes: ProbeSpecInputSchema.optional(),
      probeData: ProbeFileSchema.optional(),
      /** Record the run as a baseline in the model library. */
      baseline: z.object({ name: BaselineName, replace: z.boolean().default(false) }).optional(),
      /** Compare with a library baseline: NAME, or NAME@SHA256-PREFIX when several models have one. */
      compare: z.string().trim().min(1).max(200).optional(),
      tolerance: ToleranceInput.optional(),
      ...RunOptions,
    }).refine((v) => !(v.baseline && v.compare), 'record a baseline or compare with one, not both')
      .refine((v) => v.mode === 'probe' || (!v.baseline && !v.compare), 'baselines go with probe runs, not the backdoor suite'),
    output: BehaveRunSchema,
  },
});
