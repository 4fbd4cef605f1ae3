// Reports Keras config issues found in a JSON document or an HDF5 attribute, and hands embedded
// payloads (a TorchModuleWrapper's pickled module) to the engine as nested units.
import type { FindingLocation } from '../../../../../shared/findings.ts';
import { BufferSource } from '../../../io/byte-source.ts';
import type { ScanContext } from '../../types.ts';
import { CappedReporter } from '../common/capped-report.ts';
import { checkKerasConfig } from './config.ts';

export async function reportKerasConfig(
  ctx: Pick<ScanContext, 'report' | 'scanNested'>, doc: unknown, base: Omit<FindingLocation, 'members' | 'jsonPath'> = {}, root = '$',
): Promise<number> {
  const issues = checkKerasConfig(doc, root);
  const out = new CappedReporter(ctx);
  for (const issue of issues) {
    out.report({
      ruleId: issue.ruleId, severity: issue.severity, message: issue.message,
      location: { ...base, jsonPath: issue.jsonPath },
      ...(issue.evidence ? { evidence: issue.evidence } : {}),
    });
  }
  out.flush();
  for (const issue of issues) {
    if (issue.embedded) await ctx.scanNested(issue.embedded.name, new BufferSource(issue.embedded.bytes));
  }
  return issues.length;
}
