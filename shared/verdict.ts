import type { Finding, Verdict } from './findings.ts';
import type { Rule } from './rules/types.ts';

type RuleLookup = (id: string) => Rule | undefined;

/**
 * The artifact verdict from its findings, in precedence order:
 * malicious (a critical finding, or a high one whose rule means code execution),
 * suspicious (another high or medium finding), malformed (a structural finding),
 * unsupported (nothing could be analysed), clean.
 */
export function verdictOf(findings: readonly Finding[], lookup: RuleLookup): Verdict {
  let suspicious = false;
  let malformed = false;
  let unsupported = false;
  for (const f of findings) {
    const rule = lookup(f.ruleId);
    if (f.severity === 'critical') return 'malicious';
    if (f.severity === 'high' && rule?.codeExecution) return 'malicious';
    if (rule?.structural) malformed = true;
    else if (rule?.unsupported) unsupported = true;
    else if (f.severity === 'high' || f.severity === 'medium') suspicious = true;
  }
  if (suspicious) return 'suspicious';
  if (malformed) return 'malformed';
  if (unsupported) return 'unsupported';
  return 'clean';
}
