// Public types of the behaviour engine: limits, isolation report, progress, run results.
import type { Finding } from '../../../shared/findings.ts';
import type { IoMeta, SelfTestCheck } from '../../sandbox/protocol.ts';

export type IsolationLevel = 'bubblewrap' | 'unshare' | 'plain';
/** 'auto' takes the strongest level that works here; naming a level is for tests and diagnostics. */
export type IsolationChoice = 'auto' | IsolationLevel;

export interface SandboxLimits {
  /**
   * Watchdog: the worker is killed when this long passes without progress (start-up, the model
   * loaded, a batch of results). A hung model never makes progress; a slow one does.
   */
  timeoutMs: number;
  /** The worker is killed this long after launch whatever it is doing. */
  lifetimeMs: number;
  /** Address-space limit of the worker (RLIMIT_AS via prlimit); 'auto' sizes it from the model; null for none. */
  addressSpaceBytes: number | 'auto' | null;
  /** V8 old-space limit of the worker. */
  heapMegabytes: number;
  /** Largest set of outputs one batch may return. */
  maxOutputBytes: number;
  /** Largest total of outputs one run may accumulate on the host. */
  maxResultBytes: number;
  /** onnxruntime intra-op threads. */
  threads: number;
}

export interface IsolationReport {
  level: IsolationLevel;
  wanted: IsolationChoice;
  /** Stronger levels that were not used, and why. */
  fallbacks: { level: IsolationLevel; reason: string }[];
  /** What was in force, one line per layer, for the P16 evidence. */
  layers: string[];
  limits: {
    timeoutMs: number;
    lifetimeMs: number;
    addressSpaceBytes: number | null;
    heapMegabytes: number;
    maxOutputBytes: number;
    maxResultBytes: number;
    threads: number;
    /** RLIMIT_FSIZE: 0 means the worker cannot put a byte into any regular file. */
    fileSizeBytes: number | null;
    openFiles: number | null;
  };
  /** Operations the worker attempted at start-up, and whether each was denied. */
  checks: SelfTestCheck[];
  runtime: { node: string; platform: string; workerPath: string; onnxruntime: string };
  /** The command line as launched (model bytes travel over the pipe, never on it). */
  command: string[];
}

export interface Progress {
  stage: 'validate' | 'launch' | 'load' | 'probe' | 'fingerprint' | 'determinism' | 'graph' | 'confirm' | 'sweep' | 'strip' | 'robustness' | 'done';
  done: number;
  total: number;
  message?: string;
}

export type ProgressCallback = (p: Progress) => void;

/** A numeric table of probe rows for one input (rows taken from a dataset in the case). */
export interface NumericMatrix {
  rows: number;
  /** Shape of one row; the input's row shape when omitted. */
  rowShape?: number[];
  values: ArrayLike<number>;
}

/** Probe rows per model input name. */
export type ProbeRows = Record<string, NumericMatrix>;

/** One output of a run, as numbers, row by row. */
export interface OutputTable {
  name: string;
  dtype: string;
  /** Shape of one row (batch dimension removed). */
  rowShape: number[];
  perRow: number;
  rows: number;
  values: Float64Array;
}

export interface ModelSignature {
  inputs: IoMeta[];
  outputs: IoMeta[];
}

export interface SandboxFailureInfo {
  kind: 'refused' | 'timeout' | 'crash' | 'out-of-memory' | 'output-limit' | 'load-failed' | 'inference-failed' | 'protocol';
  message: string;
  phase: 'validate' | 'launch' | 'load' | 'run';
  exit: { code: number | null; signal: string | null } | null;
  /** Last lines the worker printed on stderr (the runtime's own diagnostics). */
  stderrTail: string;
  elapsedMs: number;
}

export interface Timings {
  validateMs: number;
  launchMs: number;
  loadMs: number;
  /** From the start of the launch to the first batch of results on the host. */
  firstResultMs: number | null;
  totalMs: number;
}

/** Common result fields of every sandboxed operation. */
export interface SandboxedResult {
  findings: Finding[];
  /** null when the model was refused before any worker started. */
  isolation: IsolationReport | null;
  failure: SandboxFailureInfo | null;
  timings: Timings;
}
