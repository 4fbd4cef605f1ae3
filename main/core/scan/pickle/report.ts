// Turns a walk into findings: one per distinct global that is not allowlisted (severity from its
// class and from whether it is called or only imported), the issues the machine raised, broken
// streams (raised when calls came before the break), scanner bounds and trailing bytes.
import type { Severity } from '../../../../shared/findings.ts';
import type { LocalFinding } from '../types.ts';
import type { StreamOutcome } from './machine.ts';
import { SPECIAL_BYTE_LOADER, type Classification } from './policy.ts';
import type { GlobalSummary, Loc } from './recorder.ts';
import type { PickleWalkResult } from './walk.ts';

export interface ReportTarget {
  report(f: LocalFinding): void;
  /** Added to every byte offset (the walked source is a slice of the analysed one). */
  offsetBase?: number;
  /** Put before every message, e.g. `object array data: `. */
  prefix?: string;
}

const KIND_OPCODE: Readonly<Record<string, string>> = {
  reduce: 'REDUCE', newobj: 'NEWOBJ', newobj_ex: 'NEWOBJ_EX', obj: 'OBJ', inst: 'INST', build: 'BUILD', argument: 'a helper that calls its argument',
};

/** Severity of one global: what it is, and whether the pickle calls it or only imports it. */
export function globalSeverity(c: Classification, called: boolean): Severity {
  if (c.ruleId === 'scan.pickle.common-callable') return 'info';
  if (c.ruleId === 'scan.pickle.unresolved-call') return 'high';
  if (c.tier === 'unknown') return 'medium';
  switch (c.category) {
    case 'dunder': return 'critical';
    case 'gadget': return 'high';
    case 'exec': case 'loader': case 'system': return called ? 'critical' : 'high';
    default: return 'medium';
  }
}

function streamLabel(s: { stream: number }, total: number): string {
  return total > 1 ? `stream ${s.stream}: ` : '';
}

function globalFinding(s: GlobalSummary, streams: number): LocalFinding | null {
  const c = s.classification;
  if (c.tier === 'allowed' || c.ruleId === null) return null;
  const use = s.use;
  // A byte loader applied only to bytes embedded in the file: noted with the nested scan instead.
  if (c.special & SPECIAL_BYTE_LOADER && use.calls === 0 && use.embeddedCalls > 0) return null;
  const called = use.calls > 0;
  const name = s.module ? `${s.module}.${s.name}` : s.name;
  const at: Loc = called && use.firstCall ? use.firstCall : s.firstReference;
  const notes: string[] = [];
  if (c.matched) notes.push(`resolves to \`${c.matched}\``);
  if (s.via) notes.push(`reached through \`${s.via}\``);
  const extra = notes.length > 0 ? ` (${notes.join('; ')})` : '';
  const times = use.calls > 1 ? ` ${use.calls} calls in all.` : '';
  let message: string;
  if (c.ruleId === 'scan.pickle.common-callable') {
    message = `\`${name}\`${extra} is rebuilt while loading: ${c.reason}.`;
  } else if (called) {
    const how = KIND_OPCODE[use.firstCall?.kind ?? ''] ?? (use.firstCall?.kind ?? 'a call').toUpperCase();
    message = `Loading calls \`${use.firstCallText ?? name}\` (${how})${extra}: \`${name}\` ${c.reason}.${times}`;
  } else {
    message = `Loading imports \`${name}\` (${s.op})${extra}, which ${c.reason}; the pickle does not call it directly.`;
  }
  return {
    ruleId: c.ruleId,
    severity: globalSeverity(c, called),
    message: `${streamLabel(at, streams)}${message}`,
    location: { byteOffset: at.byteOffset, opcodeIndex: at.opcodeIndex },
    evidence: {
      callable: name, resolvedAs: c.matched, via: s.via, tier: c.tier, category: c.category,
      calls: use.calls, references: use.references, firstCall: use.firstCallText, stream: at.stream,
    },
  };
}

function streamFindings(s: StreamOutcome, total: number, dataEnd: number): LocalFinding[] {
  const out: LocalFinding[] = [];
  const label = total > 1 ? `stream ${s.index}${s.nestedIn !== null ? ` (inside stream ${s.nestedIn})` : ''}: ` : '';
  if (s.error) {
    const rest = dataEnd - s.error.byteOffset;
    out.push({
      ruleId: s.error.ruleId,
      severity: 'medium',
      message: `${label}${s.error.message}${rest > 0 ? `; the ${rest} bytes from here on were not analysed` : ''}`,
      location: { byteOffset: s.error.byteOffset, opcodeIndex: s.error.opcodeIndex },
      evidence: { stream: s.index, protocol: s.protocol, opcodes: s.opcodeCount },
    });
    if (s.calls > 0) {
      out.push({
        ruleId: 'scan.pickle.error-after-call',
        severity: 'high',
        message: `${label}the stream made ${s.calls} call${s.calls === 1 ? '' : 's'} (${s.firstCalls.slice(0, 5).map((c) => `\`${c}\``).join(', ')}${s.calls > 5 ? ', …' : ''}) before it broke; they run when the file is loaded`,
        location: { byteOffset: s.error.byteOffset, opcodeIndex: s.error.opcodeIndex },
        evidence: { stream: s.index, calls: s.calls, firstCalls: s.firstCalls },
      });
    }
  }
  if (s.limit) {
    out.push({
      ruleId: 'scan.budget-exceeded',
      severity: 'medium',
      message: `${label}${s.limit}; the rest of the stream was not analysed`,
      location: { byteOffset: s.end },
    });
  }
  return out;
}

/** Reports everything a walk found through `target`. */
export function reportWalk(result: PickleWalkResult, target: ReportTarget): void {
  const base = target.offsetBase ?? 0;
  const prefix = target.prefix ?? '';
  const emit = (f: LocalFinding): void => {
    const location = f.location ? { ...f.location } : {};
    if (location.byteOffset !== undefined) location.byteOffset += base;
    target.report({ ...f, message: `${prefix}${f.message}`, location });
  };
  const total = result.streams.length;
  for (const s of result.globals) {
    const f = globalFinding(s, total);
    if (f) emit(f);
  }
  for (const i of result.issues) {
    emit({
      ruleId: i.ruleId,
      severity: i.severity,
      message: `${i.message}${i.count > 1 ? ` (${i.count} times)` : ''}`,
      location: { byteOffset: i.at.byteOffset, opcodeIndex: i.at.opcodeIndex },
      evidence: { ...i.evidence, stream: i.at.stream, count: i.count },
    });
  }
  const dataEnd = Math.max(result.end, ...result.streams.map((s) => s.end));
  for (const s of result.streams) for (const f of streamFindings(s, total, result.trailing ? result.trailing.byteOffset + result.trailing.length : dataEnd)) emit(f);
  if (result.limit && !result.streams.some((s) => s.limit)) {
    emit({ ruleId: 'scan.budget-exceeded', severity: 'medium', message: `${result.limit}; the rest was not analysed`, location: { byteOffset: result.end } });
  }
  if (result.trailing) {
    emit({
      ruleId: 'scan.pickle.trailing-data',
      severity: 'low',
      message: `${result.trailing.length} bytes after the last pickle stream are not a pickle`,
      location: { byteOffset: result.trailing.byteOffset },
      evidence: { length: result.trailing.length },
    });
  }
}
