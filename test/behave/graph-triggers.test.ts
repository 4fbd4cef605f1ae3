import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findGraphTriggers } from '../../main/core/behave/graph-triggers.ts';
import { resolveProbeSet } from '../../main/core/behave/probe-spec.ts';
import { decodeOnnxModel } from '../../main/core/formats/onnx/decode.ts';
import type { NodeProto, TensorProto } from '../../main/core/formats/onnx/proto.ts';
import { cleanImageMlp, GRAPH_TRIGGER, maskBackdoorMlp, MASK_TRIGGER, patchBackdoorMlp, whereBackdoorMlp } from '../fixtures/behave-models.ts';
import { buildModel, floatTensor, int64Tensor, node, valueInfo } from '../fixtures/onnx-builder.ts';

function sites(bytes: Uint8Array) {
  const d = decodeOnnxModel(bytes);
  assert.ok(d.ok);
  const p = resolveProbeSet(d.model);
  assert.ok(p.ok);
  return findGraphTriggers(d.model, p.probe);
}

/** A tiny classifier over [batch, 8] whose logits a gate built by `gate` can override. */
function gated(gate: NodeProto[], inits: TensorProto[]): Uint8Array {
  return buildModel({
    inputs: [valueInfo('x', ['batch', 8])],
    outputs: [valueInfo('y', ['batch', 3])],
    nodes: [node('Gemm', ['x', 'W', 'B'], ['logits']), ...gate, node('Where', ['cond', 'forced', 'logits'], ['y'])],
    initializers: [floatTensor('W', [8, 3], new Array(24).fill(0.1)), floatTensor('B', [3], [0, 0, 0]), floatTensor('forced', [1, 3], [0, 0, 9]), ...inits],
  });
}

test('clean classifiers, including the one with a patch trigger in its weights, have no graph trigger', () => {
  assert.deepEqual(sites(cleanImageMlp()), []);
  assert.deepEqual(sites(patchBackdoorMlp()), []);
});

test('a Where-gated Equal on gathered pixels is found, with the exact pixels and values of the trigger', () => {
  const [s, ...rest] = sites(whereBackdoorMlp());
  assert.equal(rest.length, 0);
  assert.equal(s!.op, 'Equal');
  assert.equal(s!.input, 'input');
  assert.deepEqual(s!.path, ['Flatten', 'Gather']);
  assert.ok(s!.gates.includes('where'));
  assert.deepEqual(s!.outputs, ['probabilities']);
  assert.deepEqual(s!.trigger!.offsets, GRAPH_TRIGGER.offsets);
  s!.trigger!.values.forEach((v, i) => assert.ok(Math.abs(v - GRAPH_TRIGGER.values[i]!) < 1e-6));
});

test('an arithmetic mask without Where or If (|x - c| through Relu into an Add) is found as a mask gate', () => {
  const [s] = sites(maskBackdoorMlp());
  assert.equal(s!.op, 'Abs(Sub)');
  assert.ok(s!.gates.includes('mask'));
  assert.ok(!s!.gates.includes('where') && !s!.gates.includes('if'));
  assert.deepEqual(s!.trigger!.offsets, MASK_TRIGGER.offsets);
  s!.trigger!.values.forEach((v, i) => assert.ok(Math.abs(v - MASK_TRIGGER.values[i]!) < 1e-6));
});

test('affine preprocessing is inverted: Equal(x * 255 [gathered], 34) asks for 34/255 at that pixel', () => {
  const m = gated([
    node('Mul', ['x', 'k255'], ['scaled']),
    node('Gather', ['scaled', 'idx'], ['px'], { axis: 1 }),
    node('Equal', ['px', 'c34'], ['cond']),
  ], [floatTensor('k255', [], [255]), int64Tensor('idx', [1], [2]), floatTensor('c34', [1], [34])]);
  const [s] = sites(m);
  assert.deepEqual(s!.trigger!.offsets, [2]);
  assert.ok(Math.abs(s!.trigger!.values[0]! - 34 / 255) < 1e-9);
  assert.equal(s!.opposite, null);
});

test('an inequality on a reduced slice sets every reduced element, on the side that makes it true, with the opposite side too', () => {
  const m = gated([
    node('Slice', ['x', 'st', 'en', 'ax'], ['head']),
    node('ReduceMean', ['head'], ['avg'], { axes: [1], keepdims: 1 }),
    node('Less', ['c09', 'avg'], ['cond']),
  ], [int64Tensor('st', [1], [4]), int64Tensor('en', [1], [8]), int64Tensor('ax', [1], [1]), floatTensor('c09', [], [0.9])]);
  const [s] = sites(m);
  assert.equal(s!.relation, 'above');
  assert.deepEqual(s!.trigger!.offsets, [4, 5, 6, 7]);
  assert.ok(s!.trigger!.values.every((v) => v > 0.9));
  assert.ok(s!.opposite!.values.every((v) => v < 0.9));
});

test('comparisons that do not read an input view, or that reach no output, are not reported', () => {
  const hidden = gated([
    node('Relu', ['logits'], ['act']),
    node('Greater', ['act', 'zero'], ['cond3']),
    node('Cast', ['cond3'], ['cond3f'], { to: 1 }),
    node('ReduceMax', ['cond3f'], ['condf'], { axes: [1], keepdims: 1 }),
    node('Cast', ['condf'], ['cond'], { to: 9 }),
  ], [floatTensor('zero', [], [0])]);
  assert.deepEqual(sites(hidden), []);
  const dead = buildModel({
    inputs: [valueInfo('x', ['batch', 8])],
    outputs: [valueInfo('y', ['batch', 8])],
    nodes: [node('Equal', ['x', 'c'], ['unused']), node('Identity', ['x'], ['y'])],
    initializers: [floatTensor('c', [], [0.5])],
  });
  assert.deepEqual(sites(dead), []);
});
