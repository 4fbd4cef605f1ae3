import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareOutputs } from '../../main/core/behave/baseline.ts';
import { compareFingerprints, fingerprintOutputs } from '../../main/core/behave/fingerprint.ts';
import { rowEntropy } from '../../main/core/behave/metrics.ts';
import type { ResolvedProbeSet } from '../../main/core/behave/probe-spec.ts';
import type { OutputTable } from '../../main/core/behave/types.ts';

const probe = { seed: 1, rows: 2, batchSize: 2, inputs: [] } as unknown as ResolvedProbeSet;

function table(values: number[], perRow = 3): Record<string, OutputTable> {
  return { p: { name: 'p', dtype: 'float32', rowShape: [perRow], perRow, rows: values.length / perRow, values: Float64Array.from(values) } };
}

test('identical outputs give identical digests; a real change gives a different fingerprint', () => {
  const a = fingerprintOutputs(table([0.1, 0.7, 0.2, 0.3, 0.3, 0.4]), probe);
  const b = fingerprintOutputs(table([0.1, 0.7, 0.2, 0.3, 0.3, 0.4]), probe);
  assert.equal(a.digest, b.digest);
  const c = fingerprintOutputs(table([0.1, 0.2, 0.7, 0.3, 0.3, 0.4]), probe);
  const cmp = compareFingerprints(a, c);
  assert.equal(cmp.verdict, 'different');
  assert.ok(cmp.differingShare > 0.3);
});

test('rounding noise across a quantisation boundary is recognised as equivalent, not as a change', () => {
  // 1/1024 steps of a [0, 1) range: 0.5004882 and 0.5004883 straddle a step boundary.
  const boundary = 0.5 + 0.5 / 1024;
  const a = fingerprintOutputs(table([boundary - 1e-7, 0.2, 0.1, 0.3, 0.3, 0.4]), probe);
  const b = fingerprintOutputs(table([boundary + 1e-7, 0.2, 0.1, 0.3, 0.3, 0.4]), probe);
  assert.notEqual(a.digest, b.digest);
  assert.equal(compareFingerprints(a, b).verdict, 'equivalent');
});

test('fingerprints on different probe sets are never called equivalent', () => {
  const a = fingerprintOutputs(table([0.1, 0.7, 0.2, 0.3, 0.3, 0.4]), probe);
  const b = fingerprintOutputs(table([0.1, 0.7, 0.2, 0.3, 0.3, 0.4]), { ...probe, seed: 2 });
  assert.equal(compareFingerprints(a, b).verdict, 'different');
});

test('output comparison reports max and mean absolute differences and top-1 agreement', () => {
  const cmp = compareOutputs(table([0.1, 0.7, 0.2, 0.3, 0.3, 0.4]), table([0.1, 0.6, 0.3, 0.5, 0.3, 0.2]));
  assert.ok(Math.abs(cmp.maxAbsDiff - 0.2) < 1e-12);
  assert.equal(cmp.top1Agreement, 0.5);
  assert.ok(cmp.comparable);
  assert.ok(!compareOutputs(table([1, 2, 3]), table([1, 2], 2)).comparable);
});

test('entropy is zero for a certain prediction and log(C) for a uniform one, from probabilities or logits', () => {
  assert.equal(rowEntropy(Float64Array.from([0, 1, 0])), 0);
  assert.ok(Math.abs(rowEntropy(Float64Array.from([0.25, 0.25, 0.25, 0.25])) - Math.log(4)) < 1e-12);
  assert.ok(Math.abs(rowEntropy(Float64Array.from([3, 3, 3, 3])) - Math.log(4)) < 1e-12);
  assert.ok(rowEntropy(Float64Array.from([50, 0, 0])) < 1e-6);
});
