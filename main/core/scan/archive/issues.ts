// Anomalies found by the container parsers, before they become findings. Parsers collect issues
// (they know nothing of the scan context); analyzers report them with the rule's severity.
import type { Severity } from '../../../../shared/findings.ts';
import { ruleOrThrow } from '../../../../shared/rules/catalogue.ts';
import type { ScanContext } from '../types.ts';

export type ArchiveRuleId =
  | 'scan.archive.path-traversal'
  | 'scan.archive.symlink-member'
  | 'scan.archive.special-member'
  | 'scan.archive.duplicate-member'
  | 'scan.archive.header-mismatch'
  | 'scan.archive.crc-mismatch'
  | 'scan.archive.size-mismatch'
  | 'scan.archive.encryption-flag-cleartext'
  | 'scan.archive.encrypted-member'
  | 'scan.archive.unsupported-method'
  | 'scan.archive.compression-bomb'
  | 'scan.archive.overlapping-members'
  | 'scan.archive.data-outside-file'
  | 'scan.archive.unaccounted-data'
  | 'scan.archive.hidden-member'
  | 'scan.archive.malformed-directory'
  | 'scan.archive.malformed-header'
  | 'scan.archive.malformed-stream'
  | 'scan.archive.suspicious-name'
  | 'scan.pytorch.layout-anomaly'
  | 'scan.pytorch.missing-storage'
  | 'scan.pytorch.unexpected-member'
  | 'scan.pytorch.storage-not-tensor'
  | 'scan.pytorch.storage-size-mismatch'
  | 'scan.pytorch.persistent-id-malformed'
  | 'scan.pytorch.torchscript-unsafe-call'
  | 'scan.pytorch.torchscript-custom-op';

export interface ArchiveIssue {
  ruleId: ArchiveRuleId;
  message: string;
  byteOffset?: number;
  line?: number;
  column?: number;
  evidence?: Record<string, unknown>;
  /** Only when this occurrence deserves another severity than the rule's default. */
  severity?: Severity;
}

/** At most this many issues of one rule are reported per unit; the rest are summarised. */
export const MAX_ISSUES_PER_RULE = 50;

/** Reports issues through the scan context, capping repeats of one rule so a hostile archive cannot flood the report. */
export class IssueSink {
  private readonly counts = new Map<string, number>();
  constructor(private readonly ctx: ScanContext) {}

  add(issue: ArchiveIssue): void {
    const n = (this.counts.get(issue.ruleId) ?? 0) + 1;
    this.counts.set(issue.ruleId, n);
    if (n > MAX_ISSUES_PER_RULE) return;
    const location: { byteOffset?: number; line?: number; column?: number } = {};
    if (issue.byteOffset !== undefined) location.byteOffset = issue.byteOffset;
    if (issue.line !== undefined) location.line = issue.line;
    if (issue.column !== undefined) location.column = issue.column;
    this.ctx.report({
      ruleId: issue.ruleId,
      severity: issue.severity ?? ruleOrThrow(issue.ruleId).severity,
      message: issue.message,
      location,
      ...(issue.evidence ? { evidence: issue.evidence } : {}),
    });
  }

  addAll(issues: readonly ArchiveIssue[]): void {
    for (const i of issues) this.add(i);
  }

  /** Reports how many issues were left out per rule; call once at the end of a unit. */
  flush(): void {
    for (const [ruleId, n] of this.counts) {
      if (n <= MAX_ISSUES_PER_RULE) continue;
      this.ctx.report({
        ruleId,
        severity: ruleOrThrow(ruleId).severity,
        message: `${n - MAX_ISSUES_PER_RULE} more occurrences of this anomaly were not listed (${n} in all)`,
        location: {},
        evidence: { total: n },
      });
    }
  }
}
