// The scan engine: detects the format of a source from its content, runs every analyzer that
// handles it, recurses into nested units through the same path, enforces one budget per
// top-level artifact, and turns analyzer failures into findings. It never throws for bad input.
import { formatLocation, type Finding } from '../../../shared/findings.ts';
import { findRule } from '../../../shared/rules/catalogue.ts';
import { verdictOf } from '../../../shared/verdict.ts';
import type { Verdict } from '../../../shared/findings.ts';
import { checkExtension, FORMATS, type FormatId } from '../formats/catalogue.ts';
import { detectFormat } from '../formats/detect.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { ANALYZERS } from './analyzers.ts';
import {
  BudgetExceeded, DEFAULT_SCAN_LIMITS, type Analyzer, type BudgetTracker, type LocalFinding, type ScanContext,
  type ScanLimits,
} from './types.ts';

/** Formats that cannot run code when loaded and need no analyzer to be reported clean. */
const PASSIVE_FORMATS: ReadonlySet<FormatId> = new Set<FormatId>([
  'empty', 'text', 'csv', 'tsv', 'jsonl', 'png', 'jpeg', 'gif', 'bmp', 'webp', 'pdf', 'parquet',
]);

/** Formats that are findings by themselves, wherever they appear. */
const PAYLOAD_RULES: Partial<Record<FormatId, string>> = {
  elf: 'scan.executable-payload',
  pe: 'scan.executable-payload',
  macho: 'scan.executable-payload',
  script: 'scan.script-payload',
};

export interface UnitSummary {
  /** Member chain joined with `!`; '' for the top-level file. */
  path: string;
  format: FormatId;
  formatDetail: string;
  size: number;
  details: Record<string, unknown>;
}

export interface ScanReport {
  format: FormatId;
  formatDetail: string;
  verdict: Verdict;
  findings: Finding[];
  /** Every unit scanned (the file, archive members, embedded pickles), in scan order. */
  units: UnitSummary[];
  bytesRead: number;
  durationMs: number;
}

export interface ScanOptions {
  /** Display name of the top-level file; its extension is compared with the content. */
  name: string;
  limits?: Partial<ScanLimits>;
  signal?: AbortSignal;
  /** Analyzer table; defaults to all registered analyzers (tests pass their own). */
  analyzers?: readonly Analyzer[];
}

class Budget implements BudgetTracker {
  bytes = 0;
  entries = 0;
  private readonly deadline: number;
  constructor(private readonly limits: ScanLimits, private readonly signal: AbortSignal | undefined) {
    this.deadline = Date.now() + limits.maxMillis;
  }
  consumeBytes(n: number): void {
    this.bytes += n;
    if (this.bytes > this.limits.maxBytes) {
      throw new BudgetExceeded('bytes', `more than ${this.limits.maxBytes} bytes would be read or inflated`);
    }
  }
  consumeEntry(): void {
    this.entries++;
    if (this.entries > this.limits.maxEntries) {
      throw new BudgetExceeded('entries', `more than ${this.limits.maxEntries} members and streams`);
    }
  }
  checkTime(): void {
    if (this.signal?.aborted) throw this.signal.reason ?? new Error('cancelled');
    if (Date.now() > this.deadline) throw new BudgetExceeded('time', `scan took longer than ${this.limits.maxMillis} ms`);
  }
}

/** Counts what analyzers read, so the byte budget covers plain reads as well as inflation. */
class MeteredSource implements ByteSource {
  constructor(private readonly inner: ByteSource, private readonly budget: Budget) {}
  get size(): number { return this.inner.size; }
  async read(offset: number, length: number): Promise<Uint8Array> {
    const bytes = await this.inner.read(offset, length);
    this.budget.consumeBytes(bytes.length);
    return bytes;
  }
}

export async function scanSource(source: ByteSource, options: ScanOptions): Promise<ScanReport> {
  const started = Date.now();
  const limits: ScanLimits = { ...DEFAULT_SCAN_LIMITS, ...options.limits };
  const budget = new Budget(limits, options.signal);
  const analyzers = options.analyzers ?? ANALYZERS;
  const findings: Finding[] = [];
  const units: UnitSummary[] = [];
  const signal = options.signal ?? new AbortController().signal;
  let top: { format: FormatId; detail: string } | null = null;

  const add = (members: readonly string[], f: LocalFinding): void => {
    const rule = findRule(f.ruleId);
    if (!rule) throw new Error(`analyzer reported ${f.ruleId}, which is not in the rule catalogue`);
    const location = { ...f.location, ...(members.length > 0 ? { members: [...members] } : {}) };
    const finding: Finding = {
      ruleId: f.ruleId,
      severity: f.severity,
      message: f.message,
      location,
      checklist: f.checklist ?? [...rule.checklist],
    };
    if (f.evidence) finding.evidence = f.evidence;
    findings.push(finding);
  };

  const visit = async (src: ByteSource, name: string, members: readonly string[], depth: number): Promise<void> => {
    if (depth > limits.maxDepth) {
      add(members, { ruleId: 'scan.nesting-too-deep', severity: 'medium', message: `${name} is nested ${depth} containers deep (limit ${limits.maxDepth}); not scanned` });
      return;
    }
    // Only the top-level file is metered: nested sources either read through it (and are
    // counted there) or come from memory that the analyzer already charged when inflating it.
    const metered = depth === 0 ? new MeteredSource(src, budget) : src;
    let detection;
    try {
      budget.checkTime();
      detection = await detectFormat(metered);
    } catch (e) {
      if (e instanceof BudgetExceeded) {
        add(members, { ruleId: 'scan.budget-exceeded', severity: 'medium', message: `${name}: ${e.message}` });
        return;
      }
      if (signal.aborted) throw e;
      add(members, { ruleId: 'scan.analyzer-error', severity: 'medium', message: `${name}: could not read: ${errorText(e)}` });
      return;
    }
    const { format, detail } = detection;
    if (!top) top = { format, detail };
    const unit: UnitSummary = { path: members.join('!'), format, formatDetail: detail, size: src.size, details: {} };
    units.push(unit);

    const ext = checkExtension(name, format);
    if (ext.mismatch && ext.claim) {
      add(members, {
        ruleId: 'scan.extension-mismatch', severity: 'medium',
        message: `${name} is named like ${FORMATS[ext.claim].label} but its content is ${FORMATS[format].label}`,
        evidence: { claimed: ext.claim, detected: format },
      });
    }
    const payloadRule = PAYLOAD_RULES[format];
    if (payloadRule) {
      add(members, { ruleId: payloadRule, severity: findRule(payloadRule)!.severity, message: `${name} is ${FORMATS[format].label} (${detail})` });
      return;
    }

    const handlers = analyzers.filter((a) => a.formats.includes(format));
    if (handlers.length === 0) {
      if (!PASSIVE_FORMATS.has(format)) {
        add(members, { ruleId: 'scan.not-scanned', severity: 'info', message: `${name}: ${FORMATS[format].label} content is not analysed by Assay` });
      }
      return;
    }
    const ctx: ScanContext = {
      members,
      depth,
      format,
      signal,
      budget,
      report: (f) => add(members, f),
      scanNested: async (childName, child) => {
        budget.consumeEntry();
        await visit(child, childName, [...members, childName], depth + 1);
      },
      detail: (key, value) => { unit.details[key] = value; },
    };
    for (const analyzer of handlers) {
      try {
        await analyzer.analyze(metered, ctx);
      } catch (e) {
        if (signal.aborted) throw e;
        if (e instanceof BudgetExceeded) {
          add(members, { ruleId: 'scan.budget-exceeded', severity: 'medium', message: `${name}: ${e.message}; the rest was not scanned` });
          return;
        }
        add(members, { ruleId: 'scan.analyzer-error', severity: 'medium', message: `${name}: ${errorText(e)}` });
      }
    }
  };

  await visit(source, options.name, [], 0);
  const decided = top ?? { format: 'unknown' as FormatId, detail: 'unreadable' };
  return {
    format: decided.format,
    formatDetail: decided.detail,
    verdict: verdictOf(findings, findRule),
    findings,
    units,
    bytesRead: budget.bytes,
    durationMs: Date.now() - started,
  };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** One line per finding for logs and the CLI's text output. */
export function describeFinding(f: Finding, artifactName: string): string {
  const where = formatLocation(f.location);
  const loc = f.location.members?.length ? `${artifactName}!${where}` : where ? `${artifactName} @ ${where}` : artifactName;
  return `${f.severity.toUpperCase()} ${f.ruleId} ${loc}: ${f.message}`;
}
