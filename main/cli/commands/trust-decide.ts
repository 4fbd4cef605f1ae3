// `assay decide CASE`: the intake decision under the policy in force, with waivers per point.
// Without --outcome it shows what the policy allows and why.
import { DECISION_OUTCOMES, type DecisionOutcome } from '../../../shared/api/methods/trust-schemas.ts';
import { isPointId, type PointId } from '../../../shared/checklist/points.ts';
import { printJson } from '../output.ts';
import { resolveCase } from '../resolve.ts';
import { EXIT, UsageError, type Command } from '../types.ts';

/** `P08=justification text` (the quotes belong to the shell). */
function parseWaiver(text: string): { pointId: PointId; justification: string } {
  const m = /^\s*(P\d{2})\s*=(.*)$/s.exec(text);
  if (!m || !isPointId(m[1]!)) throw new UsageError(`--waive takes POINT="justification", e.g. --waive P08="the publisher ships no digests; verified by signature"; got "${text}"`);
  return { pointId: m[1] as PointId, justification: m[2]!.trim() };
}

const decide: Command = {
  path: ['decide'],
  usage: 'assay decide CASE [--outcome approved|approved-with-conditions|rejected --justification TEXT [--condition TEXT]... [--waive P08="TEXT"]...]',
  summary: 'Record the intake decision if the policy in force allows it (the case becomes decided); without --outcome, show what the policy allows and what blocks approval.',
  options: {
    outcome: { type: 'string' }, justification: { type: 'string' },
    condition: { type: 'string', multiple: true }, waive: { type: 'string', multiple: true },
  },
  async run(ctx, args) {
    const c = await resolveCase(ctx, args.positionals[0]);
    const outcome = args.values.outcome as string | undefined;
    const core = ctx.core();
    if (outcome === undefined) {
      const s = await core.invoke('decision.get', { caseId: c.id }, { face: 'cli' });
      if (ctx.json) {
        printJson(ctx, s);
        return EXIT.ok;
      }
      const lines = [
        `policy: ${s.policy.policy.name} (${s.policy.path ?? s.policy.source}, sha256 ${s.policy.sha256})`,
        `allowed outcomes now: ${s.evaluation.allowedOutcomes.join(', ')}`,
        ...s.evaluation.blockers.map((b) => `  ${b.waivedBy ? 'waived' : b.level === 'block' ? 'blocks' : 'needs conditions'}: ${b.message}`),
        ...s.evaluation.rejectedWaivers.map((r) => `  waiver on ${r.waiver.pointId} not applied: ${r.reason}`),
        s.decision ? `current decision: ${s.decision.outcome} by ${s.decision.decidedBy} at ${s.decision.decidedAt}` : 'no decision recorded yet',
      ];
      ctx.io.out(`${lines.join('\n')}\n`);
      return EXIT.ok;
    }
    if (!(DECISION_OUTCOMES as readonly string[]).includes(outcome)) throw new UsageError(`--outcome is one of ${DECISION_OUTCOMES.join(', ')}`);
    const justification = (args.values.justification as string | undefined)?.trim();
    if (!justification) throw new UsageError('--justification is required: say why');
    const r = await core.invoke('decision.record', {
      caseId: c.id, outcome: outcome as DecisionOutcome, justification,
      conditions: (args.values.condition as string[] | undefined) ?? [],
      waivers: ((args.values.waive as string[] | undefined) ?? []).map(parseWaiver),
    }, { face: 'cli' });
    if (ctx.json) printJson(ctx, r);
    else {
      ctx.io.out(`case ${c.id} decided: ${r.decision.outcome} by ${r.decision.decidedBy} at ${r.decision.decidedAt}\n`);
      for (const cond of r.decision.conditions) ctx.io.out(`  condition: ${cond}\n`);
    }
    return EXIT.ok;
  },
};

export const DECIDE_COMMANDS: Command[] = [decide];
