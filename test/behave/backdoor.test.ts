// The backdoor suite on clean models and their backdoored neighbours: every detector has a
// malicious and a benign case, and the clean fixtures raise no backdoor finding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectBackdoors, type BackdoorReport } from '../../main/core/behave/backdoor.ts';
import { parseNpy } from '../../main/core/behave/npy.ts';
import {
  cleanImageMlp, cleanTokenClassifier, GRAPH_TRIGGER, maskBackdoorMlp, patchBackdoorMlp, PATCH_TRIGGER, TARGET_CLASS,
  TOKEN_TARGET, TOKEN_TRIGGER, tokenBackdoorClassifier, whereBackdoorMlp,
} from '../fixtures/behave-models.ts';
import { seededRandom } from '../fixtures/onnx-builder.ts';
import { npyBytes, runtime } from './helpers.ts';

const BACKDOOR_RULES = ['behave.graph-trigger', 'behave.graph-trigger-confirmed', 'behave.patch-trigger', 'behave.token-trigger', 'behave.strip-low-entropy'];

function backdoorFindings(r: BackdoorReport) {
  return r.findings.filter((f) => BACKDOOR_RULES.includes(f.ruleId));
}

async function run(bytes: Uint8Array, name: string, extra: Partial<Parameters<typeof detectBackdoors>[1]> = {}) {
  const r = await detectBackdoors(bytes, { name, runtime: await runtime(), ...extra });
  assert.ok(r.ok, `${name}: ${r.failure?.message}`);
  return r;
}

test('the clean image classifier raises no backdoor finding, and every stage ran with its data', async () => {
  const r = await run(cleanImageMlp(), 'clean.onnx');
  assert.deepEqual(backdoorFindings(r), []);
  assert.deepEqual(r.graph, []);
  assert.equal(r.sweep!.kind, 'patch');
  assert.equal(r.sweep!.patchSize, 2);
  assert.equal(r.sweep!.heatmaps!.max!.length, 8);
  assert.equal(r.sweep!.heatmaps!.max![0]!.length, 8);
  assert.ok(r.strip && !r.strip.flagged && r.strip.clean.histogram.counts.reduce((a, b) => a + b, 0) === r.strip.rows);
  const curve = r.robustness!.points;
  assert.equal(curve[0]!.agreement, 1);
  assert.ok(curve[curve.length - 1]!.agreement < 0.8, 'heavy noise changes predictions');
  assert.deepEqual(r.skipped, []);
});

test('a Where-gated exact-value trigger is found statically and confirmed against a random control', async () => {
  const r = await run(whereBackdoorMlp(), 'where.onnx', { stages: { sweep: false, robustness: false } });
  const f = r.findings.find((x) => x.ruleId === 'behave.graph-trigger-confirmed');
  assert.ok(f, JSON.stringify(r.findings.map((x) => x.ruleId)));
  assert.equal(f.severity, 'high');
  assert.deepEqual(f.checklist, ['P07', 'P08', 'P19']);
  const c = r.confirmations.find((x) => x.confirmed)!;
  assert.equal(c.targetClass, TARGET_CLASS);
  assert.deepEqual(c.trigger.offsets, GRAPH_TRIGGER.offsets);
  assert.ok(c.triggerSuccessRate > 0.9 && c.controlSuccessRate < 0.2);
  // The exact trigger does not survive superimposition: STRIP sees nothing (calibration note).
  assert.equal(r.strip!.candidate, 'confirmed graph trigger');
  assert.ok(!r.strip!.flagged);
});

test('an arithmetic-mask trigger without Where or If is confirmed too', async () => {
  const r = await run(maskBackdoorMlp(), 'mask.onnx', { stages: { sweep: false, strip: false, robustness: false } });
  const f = r.findings.find((x) => x.ruleId === 'behave.graph-trigger-confirmed');
  assert.ok(f);
  assert.deepEqual((f.evidence as { sites: { gates: string[] }[] }).sites[0]!.gates.sort(), ['mask', 'output']);
  assert.equal(r.confirmations.find((x) => x.confirmed)!.targetClass, TARGET_CLASS);
});

test('an unconfirmed comparison stays a medium static finding', async () => {
  const r = await run(whereBackdoorMlp(), 'where.onnx', { stages: { confirm: false, sweep: false, strip: false, robustness: false } });
  assert.deepEqual(r.findings.map((f) => [f.ruleId, f.severity]).filter(([id]) => id !== 'behave.isolation-degraded'), [['behave.graph-trigger', 'medium']]);
  assert.deepEqual(r.skipped.map((s) => s.stage), ['confirm', 'sweep', 'strip', 'robustness']);
});

test('a patch trigger trained into the weights is found by the sweep at its position, and STRIP agrees', async () => {
  const r = await run(patchBackdoorMlp(), 'patch.onnx');
  assert.deepEqual(r.graph, []);
  const f = r.findings.find((x) => x.ruleId === 'behave.patch-trigger');
  assert.ok(f, JSON.stringify(r.findings.map((x) => x.ruleId)));
  const best = r.sweep!.flagged[0]!;
  assert.deepEqual([best.pattern, best.y, best.x, best.targetClass], ['max', PATCH_TRIGGER.y, PATCH_TRIGGER.x, TARGET_CLASS]);
  assert.equal(r.sweep!.heatmaps!.max![7]![7], best.flipRate, 'heat map cell of the corner patch');
  assert.ok(r.strip!.flagged && r.strip!.triggered!.median < r.strip!.clean.median / 2);
  assert.ok(r.findings.some((x) => x.ruleId === 'behave.strip-low-entropy'));
});

test('STRIP with the auditor\'s clean samples: overlays come from the samples', async () => {
  const rand = seededRandom(8);
  const rows = 24;
  const samples = parseNpy(npyBytes('<f4', [rows, 1, 16, 16], Float32Array.from({ length: rows * 256 }, () => rand())));
  const r = await run(patchBackdoorMlp(), 'patch.onnx', { cleanRows: { input: samples }, stages: { graph: false, robustness: false } });
  assert.ok(r.strip!.cleanSamples);
  assert.equal(r.strip!.rows, rows);
  assert.ok(r.strip!.flagged);
  assert.equal(r.sweep!.rows, rows);
});

test('a trigger token is found by insertion; the clean token classifier raises nothing', async () => {
  const cleanReport = await run(cleanTokenClassifier(), 'tokens.onnx');
  assert.deepEqual(backdoorFindings(cleanReport), []);
  assert.equal(cleanReport.sweep!.kind, 'token');
  assert.equal(cleanReport.sweep!.candidates.length, 64 * 2);
  const r = await run(tokenBackdoorClassifier(), 'tokens-bd.onnx');
  const f = r.findings.find((x) => x.ruleId === 'behave.token-trigger');
  assert.ok(f);
  const best = r.sweep!.flagged[0]!;
  assert.equal(best.token, TOKEN_TRIGGER);
  assert.equal(best.targetClass, TOKEN_TARGET);
  assert.ok(r.sweep!.flagged.every((c) => c.token === TOKEN_TRIGGER));
});
