// The behaviour engine's public API (P08, P16, P19). The store, API handlers, CLI and UI call
// these; everything runs the model in a sandboxed worker process (launcher.ts) after the
// host's checks (validate.ts), and everything the model does wrong comes back as findings.
export { inspectModel, type ModelInspection } from './inspect.ts';
export { prepareModel, isContainedLocation, type PreparedModel, type Preparation, type PrepareOptions } from './validate.ts';
export { runProbes, behaviouralFingerprint, batchedOutputs, type RunProbesOptions, type ProbeRunResult, type DeterminismCheck } from './run.ts';
export {
  recordBaseline, compareToBaseline, compareRuns, compareOutputs, specOf, DEFAULT_TOLERANCE,
  type Baseline, type BaselineComparison, type SideBySide, type Tolerance, type OutputsComparison,
} from './baseline.ts';
export { fingerprintOutputs, compareFingerprints, canonicalProbeSpec, type Fingerprint, type FingerprintComparison } from './fingerprint.ts';
export {
  detectBackdoors, DEFAULT_THRESHOLDS,
  type BackdoorOptions, type BackdoorReport, type BackdoorThresholds, type SweepResult, type StripResult, type RobustnessCurve, type TriggerConfirmation,
} from './backdoor.ts';
export { findGraphTriggers, type GraphTriggerSite } from './graph-triggers.ts';
export { resolveProbeSet, type ProbeSpec, type InputProbeSpec, type ResolvedProbeSet, type ResolvedInput } from './probe-spec.ts';
export { parseNpy, NpyError, type NpyArray } from './npy.ts';
export { parseProbeSpec, parseLimits, probeSpecSchema, limitsSchema } from './spec-schema.ts';
export { SandboxSession, SandboxFailure, type SessionOptions, type RunResult } from './session.ts';
export { DEFAULT_LIMITS, SandboxUnavailableError, resolveRuntimePaths, chooseLevel, type RuntimePaths } from './launcher.ts';
export type { BehaveOptions } from './sandboxed.ts';
export type * from './types.ts';
