// Applies an intake policy to a case: which outcomes it allows, and why. Every requirement that
// is not met is a blocker; a blocker is `block` (only rejection is allowed) or `condition`
// (approval only with conditions). A valid waiver on a point lifts the blockers of that point.
import type { ChecklistStatus, PointId } from '../../../../shared/checklist/points.ts';
import type { Severity } from '../../../../shared/findings.ts';
import type { FindingStatus } from '../../../../shared/api/schemas.ts';
import type { Blocker, PolicyEvaluation } from '../../../../shared/api/methods/trust-schemas.ts';
import type { DecisionOutcome, IntakeDecision, IntakePolicy, Waiver } from './schema.ts';

export interface PolicyFinding {
  id: string;
  ruleId: string;
  severity: Severity;
  status: FindingStatus;
  checklist: readonly PointId[];
  message: string;
}

export interface PolicyInput {
  checklist: readonly { pointId: PointId; status: ChecklistStatus }[];
  findings: readonly PolicyFinding[];
  waivers: readonly Waiver[];
}

export type { Blocker, PolicyEvaluation };

function validWaivers(policy: IntakePolicy, waivers: readonly Waiver[]): { byPoint: Map<PointId, Waiver>; rejected: PolicyEvaluation['rejectedWaivers'] } {
  const byPoint = new Map<PointId, Waiver>();
  const rejected: PolicyEvaluation['rejectedWaivers'] = [];
  for (const w of waivers) {
    if (!policy.waivers.allowed) rejected.push({ waiver: w, reason: 'the policy allows no waivers' });
    else if (policy.waivers.notWaivable.includes(w.pointId)) rejected.push({ waiver: w, reason: `${w.pointId} cannot be waived under this policy` });
    else if (w.justification.trim().length < policy.waivers.minJustificationLength) {
      rejected.push({ waiver: w, reason: `the justification is shorter than ${policy.waivers.minJustificationLength} characters` });
    } else byPoint.set(w.pointId, w);
  }
  return { byPoint, rejected };
}

export function evaluatePolicy(policy: IntakePolicy, input: PolicyInput): PolicyEvaluation {
  const { byPoint, rejected } = validWaivers(policy, input.waivers);
  const blockers: Blocker[] = [];
  const a = policy.approval;
  for (const f of input.findings) {
    if (f.status !== 'open' || !a.blockingSeverities.includes(f.severity)) continue;
    // A finding is waived only when every point it bears on is waived.
    const waivers = f.checklist.map((p) => byPoint.get(p));
    const waivedBy = f.checklist.length > 0 && waivers.every((w) => w) ? waivers[0]! : null;
    blockers.push({
      kind: 'open-finding', level: 'block', pointId: f.checklist[0] ?? null, findingId: f.id, waivedBy,
      message: `open ${f.severity} finding ${f.ruleId}: ${f.message}`,
    });
  }
  for (const e of input.checklist) {
    const waivedBy = byPoint.get(e.pointId) ?? null;
    if (a.requireAllPointsReviewed && e.status === 'not_reviewed') {
      blockers.push({ kind: 'not-reviewed', level: 'block', pointId: e.pointId, waivedBy, message: `${e.pointId} has not been reviewed` });
    }
    if (a.mustPass.includes(e.pointId) && e.status !== 'pass' && e.status !== 'not_reviewed') {
      blockers.push({ kind: 'must-pass', level: 'block', pointId: e.pointId, waivedBy, message: `${e.pointId} must pass; it is ${e.status.replace('_', ' ')}` });
    } else if (a.mustPass.includes(e.pointId) && e.status === 'not_reviewed' && !a.requireAllPointsReviewed) {
      blockers.push({ kind: 'must-pass', level: 'block', pointId: e.pointId, waivedBy, message: `${e.pointId} must pass; it has not been reviewed` });
    }
    if (a.failedPointBlocks && e.status === 'fail' && !a.mustPass.includes(e.pointId)) {
      blockers.push({ kind: 'failed-point', level: 'block', pointId: e.pointId, waivedBy, message: `${e.pointId} failed` });
    }
    if (a.partialPointNeedsConditions && e.status === 'partial' && !a.mustPass.includes(e.pointId)) {
      blockers.push({ kind: 'partial-point', level: 'condition', pointId: e.pointId, waivedBy, message: `${e.pointId} is only partially met` });
    }
  }
  for (const p of a.mustPass) {
    if (!input.checklist.some((e) => e.pointId === p)) {
      blockers.push({ kind: 'must-pass', level: 'block', pointId: p, waivedBy: byPoint.get(p) ?? null, message: `${p} must pass; it is missing from the checklist` });
    }
  }
  const open = blockers.filter((b) => !b.waivedBy);
  const allowedOutcomes: DecisionOutcome[] = [];
  if (!open.some((b) => b.level === 'block')) {
    if (!open.some((b) => b.level === 'condition')) allowedOutcomes.push('approved');
    allowedOutcomes.push('approved-with-conditions');
  }
  allowedOutcomes.push('rejected');
  return { policyName: policy.name, allowedOutcomes, blockers, rejectedWaivers: rejected };
}

export interface DecisionCheck {
  allowed: boolean;
  problems: string[];
  evaluation: PolicyEvaluation;
}

/** Whether a proposed decision is allowed by the policy for this case, and what is wrong if not. */
export function checkDecision(policy: IntakePolicy, input: PolicyInput, decision: Pick<IntakeDecision, 'outcome' | 'conditions' | 'justification'>): DecisionCheck {
  const evaluation = evaluatePolicy(policy, input);
  const problems: string[] = [];
  if (!evaluation.allowedOutcomes.includes(decision.outcome)) {
    const open = evaluation.blockers.filter((b) => !b.waivedBy && (b.level === 'block' || decision.outcome === 'approved'));
    problems.push(`the policy "${policy.name}" does not allow "${decision.outcome}": ${open.slice(0, 5).map((b) => b.message).join('; ')}${open.length > 5 ? `; and ${open.length - 5} more` : ''}`);
  }
  if (decision.justification.trim().length < policy.decision.minJustificationLength) {
    problems.push(`the justification must be at least ${policy.decision.minJustificationLength} characters`);
  }
  const conditions = decision.conditions.map((c) => c.trim()).filter((c) => c.length > 0);
  if (conditions.length !== decision.conditions.length) problems.push('conditions must not be empty');
  if (decision.outcome === 'approved-with-conditions' && policy.decision.conditionsRequired && conditions.length === 0) {
    problems.push('an approval with conditions must list at least one condition');
  }
  if (decision.outcome !== 'approved-with-conditions' && decision.conditions.length > 0) {
    problems.push(`a decision "${decision.outcome}" cannot carry conditions; use "approved-with-conditions"`);
  }
  return { allowed: problems.length === 0, problems, evaluation };
}

/** `details` for the custody event that records a decision (decision, policy digest, waivers). */
export function decisionCustodyDetails(decision: IntakeDecision, policy: { name: string; sha256: string }, waivers: readonly Waiver[]): Record<string, unknown> {
  return {
    outcome: decision.outcome,
    conditions: decision.conditions,
    justification: decision.justification,
    decidedBy: decision.decidedBy,
    decidedAt: decision.decidedAt,
    policy: { name: policy.name, sha256: policy.sha256 },
    waivers: waivers.map((w) => ({ pointId: w.pointId, justification: w.justification, grantedBy: w.grantedBy, grantedAt: w.grantedAt })),
  };
}
