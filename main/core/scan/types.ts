// The contract between the scan engine and the format analyzers. Analyzers are pure: they read
// bytes through a ByteSource, report findings and details, and never touch the store or disk.
import type { Finding, FindingLocation } from '../../../shared/findings.ts';
import type { FormatId } from '../formats/catalogue.ts';
import type { ByteSource } from '../io/byte-source.ts';

/** Limits shared by everything scanned under one top-level artifact (members, nested pickles...). */
export interface ScanLimits {
  /** Bytes all analyzers together may read or inflate. */
  maxBytes: number;
  /** Container nesting depth (the top file is depth 0). */
  maxDepth: number;
  /** Archive members, pickle streams and other units counted together. */
  maxEntries: number;
  /** Wall-clock budget in milliseconds for the whole artifact. */
  maxMillis: number;
}

export const DEFAULT_SCAN_LIMITS: ScanLimits = {
  maxBytes: 64 * 1024 * 1024 * 1024,
  maxDepth: 8,
  maxEntries: 100_000,
  maxMillis: 10 * 60 * 1000,
};

/** Raised when a budget runs out; the engine turns it into a finding and stops that branch. */
export class BudgetExceeded extends Error {
  constructor(readonly what: 'bytes' | 'depth' | 'entries' | 'time', message: string) {
    super(message);
    this.name = 'BudgetExceeded';
  }
}

export interface BudgetTracker {
  /** Counts bytes read or inflated; throws BudgetExceeded past the limit. */
  consumeBytes(n: number): void;
  /** Counts one member/stream; throws BudgetExceeded past the limit. */
  consumeEntry(): void;
  /** Throws BudgetExceeded once the deadline has passed. Cheap: call it in loops. */
  checkTime(): void;
}

/** A finding as an analyzer reports it: location relative to the source it was given. */
export type LocalFinding = Omit<Finding, 'location' | 'checklist'> & {
  location?: Omit<FindingLocation, 'members'>;
  /** Defaults to the rule's checklist points. */
  checklist?: Finding['checklist'];
};

export interface ScanContext {
  /** Member chain of the source being analysed, outermost first; [] for the top-level file. */
  readonly members: readonly string[];
  readonly depth: number;
  readonly format: FormatId;
  readonly signal: AbortSignal;
  readonly budget: BudgetTracker;
  /** Adds a finding; the engine prefixes the member chain and fills defaults from the rule. */
  report(finding: LocalFinding): void;
  /** Scans a nested unit (archive member, embedded pickle) with format detection from its content. */
  scanNested(name: string, source: ByteSource): Promise<void>;
  /** Stores a structured detail for views (pickle opcode listing, ONNX graph summary...). */
  detail(key: string, value: unknown): void;
}

export interface Analyzer {
  /** Formats (from content detection) this analyzer handles. */
  readonly formats: readonly FormatId[];
  analyze(source: ByteSource, ctx: ScanContext): Promise<void>;
}
