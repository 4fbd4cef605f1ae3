// The structured detail the pickle analyzer (main/core/scan/pickle) stores for views
// (`ctx.detail('pickle', ...)`): per stream an opcode listing (bounded) with the opcodes that take part in calls, every resolved call
// with its classification and reason, the globals, and the persistent ids. The renderer shows it
// ("a pickle view lists the opcodes with the resolved calls highlighted and the dangerous ones
// explained"). Plain JSON: numbers, strings, arrays.
import type { Severity } from './findings.ts';

/** How the pickle policy classified a callable (see main/core/scan/pickle/policy.ts). */
export type PickleTier = 'allowed' | 'common' | 'unknown' | 'denied';

export type PickleCallKind =
  | 'reduce' | 'newobj' | 'newobj_ex' | 'obj' | 'inst' | 'build' | 'persid'
  | 'setitem' | 'append' | 'additems' | 'argument';

/** How the UI should colour a call or global: the classification tier, or unresolved. */
export type PickleVerdictTier = PickleTier | 'unresolved';

export interface PickleLocationDetail {
  stream: number;
  opcodeIndex: number;
  byteOffset: number;
}

export interface PickleOpcodeEntry {
  index: number;
  byteOffset: number;
  op: string;
  /** The inline argument, rendered (strings quoted, long values shortened). */
  arg?: string;
  /** Index into `PickleDetail.calls` when this opcode makes or names a recorded call. */
  call?: number;
  /** Set on opcodes that take part in a call: the callable's tier. */
  tier?: PickleVerdictTier;
}

export interface PickleStreamDetail {
  index: number;
  byteOffset: number;
  length: number;
  protocol: number | null;
  opcodeCount: number;
  /** The first opcodes of the stream, then every later opcode that takes part in a call. */
  opcodes: PickleOpcodeEntry[];
  /** Opcodes of the stream not in the listing. */
  opcodesOmitted: number;
  error: { message: string; byteOffset: number; opcodeIndex: number; ruleId: string } | null;
  /** Stacked inside another stream (joblib object arrays) rather than following it. */
  nestedIn: number | null;
}

export interface PickleCallDetail {
  index: number;
  kind: PickleCallKind;
  /** The resolved callable, e.g. `posix.system`; for unresolved calls a description. */
  callable: string;
  /** The call as Python would read it, bounded: `posix.system('id')`. */
  text: string;
  tier: PickleVerdictTier;
  severity: Severity | null;
  ruleId: string | null;
  reason: string;
  at: PickleLocationDetail;
  /** Where the callable was named (GLOBAL, STACK_GLOBAL, INST, EXT) when known. */
  definedAt: PickleLocationDetail | null;
}

export interface PickleGlobalDetail {
  /** Dotted name as written in the pickle. */
  name: string;
  /** The name the decision rests on when different (Python 2 mapping, dotted route). */
  resolvedAs: string | null;
  /** How it was reached when not named directly (e.g. through `builtins.getattr`). */
  via: string | null;
  tier: PickleVerdictTier;
  ruleId: string | null;
  reason: string;
  references: number;
  calls: number;
  firstReference: PickleLocationDetail;
}

export interface PicklePersistentIdDetail {
  at: PickleLocationDetail;
  /** The persistent id rendered as Python. */
  text: string;
  /** PyTorch storage reference `('storage', type, key, location, numel)` when it has that shape. */
  storage: { type: string; key: string; location: string; numel: number | null } | null;
}

export interface PickleEmbeddedDetail {
  byteOffset: number;
  length: number;
  /** Name of the nested unit the bytes were scanned as, or null when they were not scanned. */
  unit: string | null;
  loader: string | null;
  note: string;
}

export interface PickleDetail {
  streams: PickleStreamDetail[];
  streamCount: number;
  calls: PickleCallDetail[];
  callCount: number;
  globals: PickleGlobalDetail[];
  persistentIds: PicklePersistentIdDetail[];
  persistentIdCount: number;
  embedded: PickleEmbeddedDetail[];
  /** Byte ranges the unpickler reads as raw data, not opcodes (joblib arrays, legacy storages). */
  rawRegions: Array<{ byteOffset: number; length: number; what: string }>;
  trailing: { byteOffset: number; length: number } | null;
}
