// Builds findings of the behave.* rules with the catalogue's defaults filled in.
import type { Finding, FindingLocation, Severity } from '../../../shared/findings.ts';
import { ruleOrThrow } from '../../../shared/rules/catalogue.ts';

export function behaveFinding(
  ruleId: string,
  message: string,
  extra: { severity?: Severity; location?: FindingLocation; evidence?: Record<string, unknown> } = {},
): Finding {
  const rule = ruleOrThrow(ruleId);
  const f: Finding = {
    ruleId,
    severity: extra.severity ?? rule.severity,
    message,
    location: extra.location ?? {},
    checklist: [...rule.checklist],
  };
  if (extra.evidence) f.evidence = extra.evidence;
  return f;
}
