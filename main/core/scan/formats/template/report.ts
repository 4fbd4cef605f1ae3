// Reports the template checks of one chat template found inside another format (GGUF metadata,
// a tokenizer config, a .jinja file) at that template's location.
import type { FindingLocation } from '../../../../../shared/findings.ts';
import type { ScanContext } from '../../types.ts';
import { checkTemplate, type TemplateIssue } from './ssti.ts';

export interface TemplateSite {
  /** Where the template itself sits: a JSON path, a byte offset. Line and column are added. */
  location: Omit<FindingLocation, 'members' | 'line' | 'column'>;
  /** How to name the template in messages, e.g. `tokenizer.chat_template`. */
  label: string;
}

/** Checks a template and reports its issues; returns how many were reported. */
export function reportTemplate(ctx: Pick<ScanContext, 'report'>, template: string, site: TemplateSite): number {
  return reportTemplateIssues(ctx, checkTemplate(template), site);
}

export function reportTemplateIssues(ctx: Pick<ScanContext, 'report'>, issues: readonly TemplateIssue[], site: TemplateSite): number {
  for (const issue of issues) {
    const location: Omit<FindingLocation, 'members'> = { ...site.location };
    if (issue.line !== undefined) location.line = issue.line;
    if (issue.column !== undefined) location.column = issue.column;
    ctx.report({
      ruleId: issue.ruleId,
      severity: issue.severity,
      message: `${site.label}: ${issue.message}`,
      location,
      evidence: { ...issue.evidence, template: site.label },
    });
  }
  return issues.length;
}
