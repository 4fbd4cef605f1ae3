// Caps how many findings one rule raises for one unit: a crafted file with a million bad entries
// gets twenty precise findings and one summary, not a million rows.
import type { LocalFinding, ScanContext } from '../../types.ts';

export class CappedReporter {
  private readonly counts = new Map<string, number>();
  private readonly overflow = new Map<string, LocalFinding>();

  constructor(private readonly ctx: Pick<ScanContext, 'report'>, private readonly perRule = 20) {}

  report(f: LocalFinding): void {
    const n = (this.counts.get(f.ruleId) ?? 0) + 1;
    this.counts.set(f.ruleId, n);
    if (n <= this.perRule) this.ctx.report(f);
    else if (!this.overflow.has(f.ruleId)) this.overflow.set(f.ruleId, f);
  }

  /** Reports one summary per rule that went over the cap. Call once at the end. */
  flush(): void {
    for (const [ruleId, first] of this.overflow) {
      const extra = (this.counts.get(ruleId) ?? 0) - this.perRule;
      this.ctx.report({ ruleId, severity: first.severity, message: `${extra} more findings of this kind were not listed (first: ${first.message})` });
    }
    this.overflow.clear();
  }
}
