// The intake decision of a case under the policy in force (`<dataDir>/intake-policy.json` when the
// organisation provides one, else the shipped default), with waivers per point. A decision sets
// the case state to `decided`; it, the policy's digest and the waivers go into the custody log.
import { ApiError } from '../../../../shared/api/errors.ts';
import type {
  DecisionOutcome, IntakeDecision, PolicyEvaluation, PolicyInForce, Waiver,
} from '../../../../shared/api/methods/trust-schemas.ts';
import type { PointId } from '../../../../shared/checklist/points.ts';
import { updateCase } from '../../../store/repos/cases.ts';
import { getChecklist } from '../../../store/repos/checklist.ts';
import { listFindings } from '../../../store/repos/findings.ts';
import {
  currentDecision, deleteWaiver, getWaiver, insertDecision, listDecisions, listWaivers, upsertWaiver,
} from '../../../store/repos/trust.ts';
import { newId } from '../../../store/ids.ts';
import { requireCase } from '../../cases/service.ts';
import type { CoreContext } from '../../context.ts';
import { recordCustody } from '../../custody/log.ts';
import { checkDecision, decisionCustodyDetails, evaluatePolicy, type PolicyInput } from '../policy/evaluate.ts';
import { policyForDataDir } from '../policy/load.ts';
import { apiErrors } from './errors.ts';

export type PolicyFile = PolicyInForce & { path: string | null };

export function loadPolicy(ctx: CoreContext): Promise<PolicyFile> {
  return apiErrors(() => policyForDataDir(ctx.dataDir));
}

/** What the policy is evaluated on: the case's checklist statuses, findings and waivers, from the store. */
export function casePolicyInput(ctx: CoreContext, caseId: string, waivers: readonly Waiver[] = listWaivers(ctx.db, caseId)): PolicyInput {
  return {
    checklist: getChecklist(ctx.db, caseId).map((r) => ({ pointId: r.pointId, status: r.status })),
    findings: listFindings(ctx.db, caseId).map((f) => ({ id: f.id, ruleId: f.ruleId, severity: f.severity, status: f.status, checklist: f.checklist, message: f.message })),
    waivers,
  };
}

export interface DecisionState {
  policy: PolicyFile;
  evaluation: PolicyEvaluation;
  waivers: Waiver[];
  decision: IntakeDecision | null;
  /** The policy the current decision was taken under (it may differ from today's). */
  decisionPolicy: PolicyInForce | null;
  /** Earlier decisions, oldest first. */
  history: IntakeDecision[];
}

export async function decisionState(ctx: CoreContext, caseId: string): Promise<DecisionState> {
  requireCase(ctx, caseId);
  const policy = await loadPolicy(ctx);
  const waivers = listWaivers(ctx.db, caseId);
  const current = currentDecision(ctx.db, caseId);
  const history = listDecisions(ctx.db, caseId).map((d) => d.decision);
  return {
    policy, waivers,
    evaluation: evaluatePolicy(policy.policy, casePolicyInput(ctx, caseId, waivers)),
    decision: current?.decision ?? null,
    decisionPolicy: current?.policy ?? null,
    history: history.slice(0, -1),
  };
}

function checkWaiver(policy: PolicyInForce, pointId: PointId, justification: string): void {
  const p = policy.policy.waivers;
  if (!p.allowed) throw new ApiError('rule_violation', `the policy "${policy.policy.name}" allows no waivers`);
  if (p.notWaivable.includes(pointId)) throw new ApiError('rule_violation', `${pointId} cannot be waived under the policy "${policy.policy.name}"`);
  if (justification.trim().length < p.minJustificationLength) {
    throw new ApiError('rule_violation', `a waiver needs a justification of at least ${p.minJustificationLength} characters`);
  }
}

/** Adds or replaces the waiver of one point; call inside a transaction. */
function putWaiver(ctx: CoreContext, caseId: string, pointId: PointId, justification: string): Waiver {
  const before = getWaiver(ctx.db, caseId, pointId);
  const w: Waiver = { pointId, justification: justification.trim(), grantedBy: ctx.actor(), grantedAt: ctx.now() };
  upsertWaiver(ctx.db, caseId, w);
  recordCustody(ctx, {
    caseId, action: before ? 'waiver.replaced' : 'waiver.granted', subject: pointId,
    details: { justification: w.justification, grantedBy: w.grantedBy, ...(before ? { previousJustification: before.justification } : {}) },
  });
  return w;
}

export async function setWaiver(ctx: CoreContext, input: { caseId: string; pointId: PointId; justification: string }): Promise<Waiver> {
  requireCase(ctx, input.caseId);
  const policy = await loadPolicy(ctx);
  checkWaiver(policy, input.pointId, input.justification);
  const w = ctx.db.transaction(() => putWaiver(ctx, input.caseId, input.pointId, input.justification)).immediate();
  ctx.events.emit({ type: 'changed', caseId: input.caseId, what: 'decision' });
  return w;
}

export function removeWaiver(ctx: CoreContext, input: { caseId: string; pointId: PointId }): { removed: boolean } {
  requireCase(ctx, input.caseId);
  const removed = ctx.db.transaction(() => {
    const before = getWaiver(ctx.db, input.caseId, input.pointId);
    if (!before || !deleteWaiver(ctx.db, input.caseId, input.pointId)) return false;
    recordCustody(ctx, { caseId: input.caseId, action: 'waiver.removed', subject: input.pointId, details: { justification: before.justification } });
    return true;
  }).immediate();
  if (removed) ctx.events.emit({ type: 'changed', caseId: input.caseId, what: 'decision' });
  return { removed };
}

export interface DecideInput {
  caseId: string;
  outcome: DecisionOutcome;
  justification: string;
  conditions: string[];
  /** Waivers to record with the decision (same transaction: refused together). */
  waivers: { pointId: PointId; justification: string }[];
}

/** Records the intake decision if the policy allows it; the case becomes `decided`. */
export async function recordDecision(ctx: CoreContext, input: DecideInput): Promise<{ decision: IntakeDecision; evaluation: PolicyEvaluation; policy: PolicyFile }> {
  requireCase(ctx, input.caseId);
  const policy = await loadPolicy(ctx);
  for (const w of input.waivers) checkWaiver(policy, w.pointId, w.justification);
  const decision: IntakeDecision = {
    outcome: input.outcome,
    conditions: input.conditions.map((c) => c.trim()),
    justification: input.justification.trim(),
    decidedBy: ctx.actor(),
    decidedAt: ctx.now(),
  };
  const policyInForce: PolicyInForce = { policy: policy.policy, sha256: policy.sha256, source: policy.source };
  const evaluation = ctx.db.transaction(() => {
    for (const w of input.waivers) putWaiver(ctx, input.caseId, w.pointId, w.justification);
    const waivers = listWaivers(ctx.db, input.caseId);
    const check = checkDecision(policy.policy, casePolicyInput(ctx, input.caseId, waivers), decision);
    if (!check.allowed) throw new ApiError('rule_violation', `The decision was not recorded: ${check.problems.join('; ')}.`, { evaluation: check.evaluation });
    const previous = currentDecision(ctx.db, input.caseId);
    insertDecision(ctx.db, { id: newId(), caseId: input.caseId, decision, policy: policyInForce, waivers });
    updateCase(ctx.db, input.caseId, { state: 'decided' });
    recordCustody(ctx, {
      caseId: input.caseId, action: 'decision.recorded', subject: input.caseId,
      details: { ...decisionCustodyDetails(decision, { name: policy.policy.name, sha256: policy.sha256 }, waivers), policySource: policy.source, previousOutcome: previous?.decision.outcome ?? null },
    });
    return check.evaluation;
  }).immediate();
  ctx.events.emit({ type: 'changed', caseId: input.caseId, what: 'decision' });
  return { decision, evaluation, policy };
}
