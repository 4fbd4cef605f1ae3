// Options and results of the backdoor suite (backdoor.ts), shared by its stages.
import type { Histogram } from './metrics.ts';
import type { GraphTriggerSite, TriggerValues } from './graph-triggers.ts';
import type { ProbeSpec } from './probe-spec.ts';
import type { BehaveOptions } from './sandboxed.ts';
import type { ProbeRows, SandboxedResult } from './types.ts';

/**
 * Rates are attack success rates: of the rows not already predicted as the target class (the
 * class most triggered rows land in), the share the trigger sends there. Unlike a plain flip
 * rate this does not shrink when the target class is common among clean predictions.
 */
export interface BackdoorThresholds {
  /** Stage 2: trigger success rate minus the random control's success rate (same target) needed to confirm. */
  confirmGap: number;
  /** Stage 2: smallest trigger success rate that confirms. */
  confirmMinSuccess: number;
  /** Stage 3: smallest success rate of a flagged candidate. */
  sweepMinSuccess: number;
  /** Stage 3: share of triggered rows that must land in one class. */
  sweepMinTargetShare: number;
  /** Stage 3: how far above the median success rate of its pattern a candidate must be. */
  sweepMinLift: number;
  /**
   * Rows not already in the target class needed before a success rate counts, as a share of
   * the rows and as a count: a model that predicts one class for nearly everything leaves too
   * few rows to measure (random-weight MLPs on positive inputs do).
   */
  minEligibleShare: number;
  minEligibleRows: number;
  /** Stage 4: triggered median entropy must be below this share of the clean median... */
  stripEntropyRatio: number;
  /** ...and below this quantile of the clean entropies. */
  stripCleanQuantile: number;
}

/** Calibrated so the clean fixtures (random-weight MLPs, a clean token classifier) raise nothing. */
export const DEFAULT_THRESHOLDS: BackdoorThresholds = {
  confirmGap: 0.5,
  confirmMinSuccess: 0.5,
  sweepMinSuccess: 0.8,
  sweepMinTargetShare: 0.8,
  sweepMinLift: 0.4,
  minEligibleShare: 0.4,
  minEligibleRows: 8,
  stripEntropyRatio: 0.5,
  stripCleanQuantile: 0.05,
};

export type BackdoorStage = 'graph' | 'confirm' | 'sweep' | 'strip' | 'robustness';

export interface BackdoorOptions extends BehaveOptions {
  probes?: ProbeSpec;
  /** The auditor's clean samples, per input (base rows for every stage, and STRIP's overlays). */
  cleanRows?: ProbeRows;
  /** The classifier output to analyse; the first float output with a class axis by default. */
  output?: string;
  thresholds?: Partial<BackdoorThresholds>;
  stages?: Partial<Record<BackdoorStage, boolean>>;
  confirmRows?: number;
  sweep?: { rows?: number; patchSize?: number; candidateTokens?: number[]; maxTokens?: number };
  strip?: { rows?: number; blends?: number; alpha?: number };
  robustness?: { rows?: number; levels?: number[] };
}

export interface TriggerConfirmation {
  /** Index into `graph`, or null for all sites on the input combined. */
  site: number | null;
  input: string;
  variant: 'satisfy' | 'opposite';
  trigger: TriggerValues;
  triggerFlipRate: number;
  controlFlipRate: number;
  targetClass: number;
  targetShare: number;
  triggerSuccessRate: number;
  controlSuccessRate: number;
  eligible: number;
  confirmed: boolean;
  rows: number;
}

export interface SweepCandidate {
  pattern: string;
  y?: number;
  x?: number;
  token?: number;
  position?: number;
  flipRate: number;
  targetClass: number;
  targetShare: number;
  successRate: number;
  /** Rows that were not already in the target class (the success rate's denominator). */
  eligible: number;
}

export interface SweepResult {
  input: string;
  kind: 'patch' | 'token';
  rows: number;
  patchSize?: number;
  /** Patch positions (top-left corners) along each axis. */
  grid?: { ys: number[]; xs: number[] };
  /** Flip rate per patch position, per pattern: heatmaps[pattern][iy][ix]. */
  heatmaps?: Record<string, number[][]>;
  candidates: SweepCandidate[];
  flagged: SweepCandidate[];
  medianFlipRate: Record<string, number>;
  medianSuccessRate: Record<string, number>;
  /** The class clean probes mostly fall in; when it holds most rows a sweep has little to measure. */
  dominantClass: { value: number; share: number };
}

export interface StripSide {
  entropies: number[];
  median: number;
  histogram: Histogram;
}

export interface StripResult {
  input: string;
  /** Where the candidate trigger came from, or null when there was none (clean entropies only). */
  candidate: string | null;
  rows: number;
  blends: number;
  alpha: number;
  /** True when the overlays were the auditor's clean samples, false for generated ones (weaker). */
  cleanSamples: boolean;
  clean: StripSide;
  triggered: StripSide | null;
  flagged: boolean;
}

export interface RobustnessCurve {
  input: string;
  rows: number;
  points: { noiseStd: number; relativeStd: number; agreement: number }[];
}

export interface BackdoorReport extends SandboxedResult {
  ok: boolean;
  modelSha256: string;
  /** The output analysed, and how its prediction was read. */
  output: { name: string; mode: PredictionMode } | null;
  graph: GraphTriggerSite[];
  confirmations: TriggerConfirmation[];
  sweep: SweepResult | null;
  strip: StripResult | null;
  robustness: RobustnessCurve | null;
  /** Stages that did not run, and why. */
  skipped: { stage: BackdoorStage; reason: string }[];
}

/** argmax: a class axis; label: one integer per row; value: one float per row (flip = large change). */
export type PredictionMode = 'argmax' | 'label' | 'value';

/** The report as the stages fill it in, before the frame adds the sandbox fields. */
export type SuiteState = Omit<BackdoorReport, keyof SandboxedResult | 'ok' | 'modelSha256'>;
