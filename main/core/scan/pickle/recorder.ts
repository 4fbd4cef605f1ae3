// What one walk of a file collects: globals (aggregated by name, so millions of calls of the same
// class cost a counter each), a bounded list of calls for the view, persistent ids, byte strings
// to scan as nested units, and issues aggregated by kind. Every list is capped; counts stay exact.
import type { Severity } from '../../../../shared/findings.ts';
import type { PickleCallDetail, PicklePersistentIdDetail, PickleVerdictTier } from './detail.ts';
import type { StreamOutcome } from './machine.ts';
import type { Classification } from './policy.ts';
import { GlobalVal, type BytesVal, type GlobalUse } from './values.ts';

export interface Loc {
  stream: number;
  opcodeIndex: number;
  byteOffset: number;
}

export interface GlobalSummary {
  module: string;
  name: string;
  classification: Classification;
  via: string | null;
  /** Opcode that first named it: GLOBAL, STACK_GLOBAL, INST, EXT1... or a resolver. */
  op: string;
  firstReference: Loc;
  use: GlobalUse;
}

export interface Issue {
  ruleId: string;
  severity: Severity;
  message: string;
  at: Loc;
  evidence?: Record<string, unknown>;
}

interface AggregatedIssue extends Issue {
  count: number;
}

export interface EmbeddedBytes {
  bytes: BytesVal;
  at: Loc;
  /** Canonical loader name when the bytes are a loader's argument. */
  loader: string | null;
  benignLoader: boolean;
}

export interface RawRegion {
  byteOffset: number;
  length: number;
  what: string;
}

export const LIMITS = {
  calls: 5000,
  callsAllowedShown: 2000,
  globals: 10_000,
  issues: 1000,
  persistentIds: 100_000,
  embedded: 256,
  rawRegions: 10_000,
  /** Call opcodes listed per stream beyond the head of the listing. */
  callOpcodes: 5000,
  /** Streams whose opcodes the view lists. */
  listedStreams: 64,
};

export class Recorder {
  readonly globals = new Map<string, GlobalSummary>();
  globalsOverflow = 0;
  readonly calls: PickleCallDetail[] = [];
  callCount = 0;
  readonly issues = new Map<string, AggregatedIssue>();
  readonly persistentIds: PicklePersistentIdDetail[] = [];
  persistentIdCount = 0;
  readonly embedded: EmbeddedBytes[] = [];
  private readonly embeddedByKey = new Map<string, EmbeddedBytes>();
  embeddedOverflow = 0;
  readonly rawRegions: RawRegion[] = [];
  /** Streams run inside other streams (joblib object arrays), in the order they ended. */
  readonly nestedStreams: StreamOutcome[] = [];
  /** Opcodes (per stream) that take part in calls, for the listing: opcode index -> call index. */
  readonly callOpcodes = new Map<number, Map<number, { call: number; tier: PickleVerdictTier; byteOffset: number; op: string }>>();

  /** The shared summary (and usage counters) of a global, created on first reference. */
  /** The shared summary (and usage counters) of a global, created on first reference. */
  summaryFor(module: string, name: string, classification: Classification, op: string, at: Loc, via: string | null): GlobalSummary {
    let key = via ? `${module}\n${name}\n${via}` : `${module}\n${name}`;
    let s = this.globals.get(key);
    if (!s && this.globals.size >= LIMITS.globals) {
      // Past the bound, further names share one summary per rule, so no kind of finding is lost.
      this.globalsOverflow++;
      key = `\0overflow\n${classification.ruleId ?? 'allowed'}`;
      s = this.globals.get(key);
    }
    if (!s) {
      s = {
        module, name, classification, via, op, firstReference: at,
        use: { references: 0, calls: 0, firstCall: null, firstCallText: null, embeddedCalls: 0 },
      };
      this.globals.set(key, s);
    }
    s.use.references++;
    return s;
  }

  makeGlobal(module: string, name: string, classification: Classification, op: string, at: Loc, via: string | null): GlobalVal {
    const s = this.summaryFor(module, name, classification, op, at, via);
    return new GlobalVal(module, name, classification, at.opcodeIndex, at.byteOffset, at.stream, via, s.use);
  }

  /** Whether a call of this tier is still kept for the view (the count is kept regardless). */
  keepsCall(tier: PickleVerdictTier): boolean {
    return tier === 'allowed' ? this.calls.length < LIMITS.callsAllowedShown : this.calls.length < LIMITS.calls;
  }

  /** Records a call for the view; returns its index when kept. */
  recordCall(call: Omit<PickleCallDetail, 'index'>): number | undefined {
    this.callCount++;
    if (!this.keepsCall(call.tier)) return undefined;
    const index = this.calls.length;
    this.calls.push({ index, ...call });
    return index;
  }

  /** Counts a call that is not kept for the view (the cheap path for allowed calls). */
  countCall(): void {
    this.callCount++;
  }

  markCallOpcode(at: Loc, op: string, call: number | undefined, tier: PickleVerdictTier): void {
    if (at.stream >= LIMITS.listedStreams) return;
    let m = this.callOpcodes.get(at.stream);
    if (!m) {
      m = new Map();
      this.callOpcodes.set(at.stream, m);
    }
    if (m.size >= LIMITS.callOpcodes) return;
    m.set(at.opcodeIndex, { call: call ?? -1, tier, byteOffset: at.byteOffset, op });
  }

  /** Adds an issue; issues with the same key are counted once, at their first location. */
  issue(key: string, i: Issue): void {
    this.issueLazy(key, () => i);
  }

  /** Like issue(), building the issue (rendering values) only the first time its key is seen. */
  issueLazy(key: string, make: () => Issue): void {
    const prev = this.issues.get(key);
    if (prev) {
      prev.count++;
      return;
    }
    if (this.issues.size >= LIMITS.issues) return;
    this.issues.set(key, { ...make(), count: 1 });
  }

  persistentId(p: PicklePersistentIdDetail): void {
    this.persistentIdCount++;
    if (this.persistentIds.length < LIMITS.persistentIds) this.persistentIds.push(p);
  }

  embed(e: EmbeddedBytes): void {
    const b = e.bytes;
    // Inline bytes have no file offset: they are told apart by where they were made.
    const key = b.offset >= 0 ? `${b.offset}:${b.length}:${b.encoding}` : `@${e.at.stream}:${e.at.opcodeIndex}`;
    const prev = this.embeddedByKey.get(key);
    if (prev) {
      // Same bytes seen again (through the memo): keep the loader information if this sighting has it.
      if (!prev.loader && e.loader) {
        prev.loader = e.loader;
        prev.benignLoader = e.benignLoader;
        prev.at = e.at;
      }
      return;
    }
    if (this.embedded.length < LIMITS.embedded) {
      this.embedded.push(e);
      this.embeddedByKey.set(key, e);
    } else {
      this.embeddedOverflow++;
    }
  }

  rawRegion(r: RawRegion): void {
    if (this.rawRegions.length < LIMITS.rawRegions) this.rawRegions.push(r);
  }

  allIssues(): AggregatedIssue[] {
    return [...this.issues.values()];
  }

  /**
   * Merges what another recorder collected (a trial stream that turned out to be one, or another
   * reading of a stream). `map` translates locations when the other walk ran over other bytes;
   * byte strings and raw regions found there are then not kept (their offsets mean nothing here).
   */
  absorb(other: Recorder, map?: (at: Loc) => Loc): void {
    const m = map ?? ((at: Loc): Loc => at);
    for (const [key, s] of other.globals) {
      if (map) {
        s.firstReference = m(s.firstReference);
        if (s.use.firstCall) s.use.firstCall = { ...s.use.firstCall, ...m(s.use.firstCall) };
      }
      const mine = this.globals.get(key);
      if (!mine) {
        if (this.globals.size < LIMITS.globals) this.globals.set(key, s);
        continue;
      }
      mine.use.references += s.use.references;
      mine.use.calls += s.use.calls;
      mine.use.embeddedCalls += s.use.embeddedCalls;
      if (!mine.use.firstCall && s.use.firstCall) {
        mine.use.firstCall = s.use.firstCall;
        mine.use.firstCallText = s.use.firstCallText;
      }
    }
    const renumber = new Map<number, number>();
    for (const c of other.calls) {
      if (!this.keepsCall(c.tier)) continue;
      renumber.set(c.index, this.calls.length);
      this.calls.push({ ...c, index: this.calls.length, at: m(c.at), definedAt: c.definedAt ? m(c.definedAt) : null });
    }
    this.callCount += other.callCount;
    for (const [key, i] of other.issues) {
      const mine = this.issues.get(key);
      if (mine) mine.count += i.count;
      else if (this.issues.size < LIMITS.issues) this.issues.set(key, { ...i, at: m(i.at) });
    }
    for (const p of other.persistentIds) if (this.persistentIds.length < LIMITS.persistentIds) this.persistentIds.push({ ...p, at: m(p.at) });
    this.persistentIdCount += other.persistentIdCount;
    if (map) return;
    for (const e of other.embedded) this.embed(e);
    for (const r of other.rawRegions) this.rawRegion(r);
    this.nestedStreams.push(...other.nestedStreams);
    for (const [stream, ops] of other.callOpcodes) {
      for (const entry of ops.values()) entry.call = entry.call >= 0 ? renumber.get(entry.call) ?? -1 : -1;
      this.callOpcodes.set(stream, ops);
    }
  }
}
