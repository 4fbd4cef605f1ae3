import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CHECKLIST, type ChecklistStatus, type PointId } from '../../shared/checklist/points.ts';
import { checkDecision, decisionCustodyDetails, evaluatePolicy, type PolicyFinding, type PolicyInput } from '../../main/core/trust/policy/evaluate.ts';
import { defaultPolicy, defaultPolicyPath, loadPolicyFile, parsePolicy, PolicyError } from '../../main/core/trust/policy/load.ts';
import { DEFAULT_POLICY_TEXT } from '../../main/core/trust/policy/default-policy.ts';
import type { IntakePolicy, Waiver } from '../../main/core/trust/policy/schema.ts';

const policy = async (): Promise<IntakePolicy> => (await loadPolicyFile()).policy;

function input(status: Partial<Record<PointId, ChecklistStatus>> = {}, findings: PolicyFinding[] = [], waivers: Waiver[] = []): PolicyInput {
  return { checklist: CHECKLIST.map((p) => ({ pointId: p.id, status: status[p.id] ?? 'pass' })), findings, waivers };
}
const finding = (severity: PolicyFinding['severity'], points: PointId[], status: PolicyFinding['status'] = 'open'): PolicyFinding => ({
  id: `f${severity}${points.join('')}`, ruleId: 'scan.script-payload', severity, status, checklist: points, message: 'a finding',
});
const waiver = (pointId: PointId, justification = 'Reviewed by the security team on site; risk accepted.'): Waiver => ({ pointId, justification, grantedBy: 'bob', grantedAt: '2025-03-02T10:00:00.000Z' });

test('the shipped policy file parses, documents its fields, and is what the loader reads', async () => {
  const text = await readFile(defaultPolicyPath(), 'utf8');
  const p = parsePolicy(text, 'intake-policy.json');
  assert.deepEqual(p.policy.approval.mustPass, ['P08', 'P10', 'P11']);
  assert.deepEqual(p.policy.approval.blockingSeverities, ['critical', 'high']);
  assert.equal(p.sha256.length, 64);
  for (const section of ['approval', 'waivers', 'decision'] as const) {
    const documented = JSON.stringify(p.policy[section].$comment);
    for (const field of Object.keys(p.policy[section]).filter((k) => k !== '$comment')) assert.ok(documented.includes(field), `${section}.${field} is documented`);
  }
  // The embedded copy every face uses is the shipped file byte for byte (same SHA-256).
  assert.equal(DEFAULT_POLICY_TEXT, text);
  assert.equal(defaultPolicy().sha256, createHash('sha256').update(text).digest('hex'));
  assert.throws(() => parsePolicy('{"format":"assay-intake-policy","version":1}'), PolicyError);
  assert.throws(() => parsePolicy(text.replace('"requireAllPointsReviewed": true', '"requireAllPointsReviewed": "yes"')), /approval.requireAllPointsReviewed/);
});

test('a fully passed case with only low findings may be approved', async () => {
  const e = evaluatePolicy(await policy(), input({}, [finding('low', ['P10']), finding('critical', ['P10'], 'accepted')]));
  assert.deepEqual(e.allowedOutcomes, ['approved', 'approved-with-conditions', 'rejected']);
  assert.equal(e.blockers.length, 0);
});

test('an open high finding, an unreviewed point or a non-passing P08/P10/P11 allow only rejection', async () => {
  const p = await policy();
  for (const i of [
    input({}, [finding('high', ['P10'])]),
    input({ P05: 'not_reviewed' }),
    input({ P11: 'partial' }),
    input({ P08: 'not_applicable' }),
    input({ P03: 'fail' }),
  ]) {
    assert.deepEqual(evaluatePolicy(p, i).allowedOutcomes, ['rejected']);
  }
  const e = evaluatePolicy(p, input({ P11: 'fail' }, [finding('critical', ['P10'])]));
  assert.deepEqual(e.blockers.map((b) => b.kind).sort(), ['must-pass', 'open-finding']);
});

test('a partial point needs conditions; a justified waiver lifts a point and its findings, a short one does not', async () => {
  const p = await policy();
  assert.deepEqual(evaluatePolicy(p, input({ P17: 'partial' })).allowedOutcomes, ['approved-with-conditions', 'rejected']);
  const waived = evaluatePolicy(p, input({ P11: 'fail' }, [finding('high', ['P11'])], [waiver('P11')]));
  assert.deepEqual(waived.allowedOutcomes, ['approved', 'approved-with-conditions', 'rejected']);
  assert.ok(waived.blockers.every((b) => b.waivedBy?.pointId === 'P11'));
  const short = evaluatePolicy(p, input({ P11: 'fail' }, [], [waiver('P11', 'ok')]));
  assert.deepEqual(short.allowedOutcomes, ['rejected']);
  assert.match(short.rejectedWaivers[0]!.reason, /shorter than 20/);
  // A finding on two points is waived only when both are.
  const half = evaluatePolicy(p, input({}, [finding('high', ['P08', 'P10'])], [waiver('P08')]));
  assert.deepEqual(half.allowedOutcomes, ['rejected']);
  const strict = { ...p, waivers: { ...p.waivers, notWaivable: ['P10' as PointId] } };
  assert.deepEqual(evaluatePolicy(strict, input({ P10: 'fail' }, [], [waiver('P10')])).allowedOutcomes, ['rejected']);
});

test('decisions are checked: outcome allowed, justification, conditions', async () => {
  const p = await policy();
  const blocked = input({}, [finding('critical', ['P10'])]);
  const approve = checkDecision(p, blocked, { outcome: 'approved', conditions: [], justification: 'Looks fine to me.' });
  assert.equal(approve.allowed, false);
  assert.match(approve.problems[0]!, /does not allow "approved": open critical finding/);
  assert.equal(checkDecision(p, blocked, { outcome: 'rejected', conditions: [], justification: 'Pickle payload found.' }).allowed, true);
  assert.match(checkDecision(p, blocked, { outcome: 'rejected', conditions: [], justification: 'no' }).problems.join(), /at least 10 characters/);
  const partial = input({ P17: 'partial' });
  assert.match(checkDecision(p, partial, { outcome: 'approved-with-conditions', conditions: [], justification: 'Monitoring is pending.' }).problems.join(), /at least one condition/);
  assert.equal(checkDecision(p, partial, { outcome: 'approved-with-conditions', conditions: ['Drift monitoring live before go-live'], justification: 'Monitoring is pending.' }).allowed, true);
  assert.match(checkDecision(p, input(), { outcome: 'approved', conditions: ['x'], justification: 'All good here.' }).problems.join(), /cannot carry conditions/);
  const details = decisionCustodyDetails({ outcome: 'rejected', conditions: [], justification: 'Pickle payload found.', decidedBy: 'alice', decidedAt: '2025-03-02T10:00:00.000Z' }, { name: p.name, sha256: 'a'.repeat(64) }, [waiver('P05')]);
  assert.deepEqual(Object.keys(details).sort(), ['conditions', 'decidedAt', 'decidedBy', 'justification', 'outcome', 'policy', 'waivers']);
});
