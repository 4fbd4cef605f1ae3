import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isContainedLocation, prepareModel } from '../../main/core/behave/validate.ts';
import { decodeOnnxModel } from '../../main/core/formats/onnx/decode.ts';
import { forEachTensor, isExternal } from '../../main/core/behave/onnx-tensors.ts';
import { addOneModel, cleanImageMlp, customOpModel, externalDataModel, truncatedModel } from '../fixtures/behave-models.ts';

const weights = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);

test('a clean model is accepted unchanged', async () => {
  const bytes = cleanImageMlp();
  const r = await prepareModel(bytes, { name: 'clean.onnx' });
  assert.ok(r.ok);
  assert.equal(r.prepared.bytes, bytes);
  assert.equal(r.prepared.summary.inputs[0]!.name, 'input');
});

test('a truncated protobuf is refused before any worker starts', async () => {
  const r = await prepareModel(truncatedModel(), { name: 'truncated.onnx' });
  assert.ok(!r.ok);
  assert.equal(r.findings[0]!.ruleId, 'behave.refused');
  assert.equal(r.findings[0]!.severity, 'high');
});

test('a custom operator domain is refused: it would need a native custom-op library', async () => {
  const r = await prepareModel(customOpModel(), { name: 'custom.onnx' });
  assert.ok(!r.ok);
  assert.match(r.findings[0]!.message, /com\.evil\.ops/);
});

test('external data that climbs out of the folder is refused, even when bytes are offered for it', async () => {
  for (const location of ['../../secret.bin', '/etc/passwd', 'C:\\\\secret.bin', 'a/../../b.bin']) {
    const r = await prepareModel(externalDataModel(location), { name: 'ext.onnx', externalData: { [location]: weights } });
    assert.ok(!r.ok, location);
    assert.equal(r.findings[0]!.ruleId, 'behave.refused');
  }
});

test('contained external data must be supplied as a buffer; supplied, it is inlined so no path reaches onnxruntime', async () => {
  const missing = await prepareModel(externalDataModel('weights.bin'), { name: 'ext.onnx' });
  assert.ok(!missing.ok);
  assert.match(missing.findings[0]!.message, /not supplied/);
  const short = await prepareModel(externalDataModel('weights.bin'), { name: 'ext.onnx', externalData: { 'weights.bin': weights.subarray(0, 8) } });
  assert.ok(!short.ok);
  const ok = await prepareModel(externalDataModel('weights.bin'), { name: 'ext.onnx', externalData: { 'weights.bin': weights } });
  assert.ok(ok.ok);
  assert.deepEqual(ok.prepared.inlined, ['weights.bin']);
  const d = decodeOnnxModel(ok.prepared.bytes);
  assert.ok(d.ok);
  let external = 0;
  forEachTensor(d.model, (t) => { if (isExternal(t)) external++; });
  assert.equal(external, 0);
});

test('content that is not ONNX is refused whatever its name', async () => {
  const r = await prepareModel(new TextEncoder().encode('#!/bin/sh\necho hi\n'), { name: 'model.onnx' });
  assert.ok(!r.ok);
  assert.ok(r.findings.some((f) => f.ruleId === 'behave.refused'));
  const fine = await prepareModel(addOneModel(), { name: 'add.onnx' });
  assert.ok(fine.ok);
});

test('contained locations are plain relative paths', () => {
  for (const ok of ['w.bin', 'weights/part-1.bin']) assert.ok(isContainedLocation(ok), ok);
  for (const bad of ['', '/abs', '../up', 'a/../b', './w.bin', 'c:w', 'a\\b', 'a//b', 'nul\0']) assert.ok(!isContainedLocation(bad), bad);
});

test('probe specifications and limits from outside are validated', async () => {
  const { parseLimits, parseProbeSpec } = await import('../../main/core/behave/spec-schema.ts');
  const spec = parseProbeSpec({ seed: 3, rows: 10, dims: { sequence: 32 }, inputs: { x: { distribution: { kind: 'normal', mean: 0, std: 1 }, layout: 'NHWC' } } });
  assert.equal(spec.inputs!.x!.layout, 'NHWC');
  assert.throws(() => parseProbeSpec({ rows: -1 }));
  assert.throws(() => parseProbeSpec({ inputs: { x: { distribution: { kind: 'uniform', min: 2, max: 1 } } } }));
  assert.throws(() => parseProbeSpec({ inputs: { x: { command: 'rm' } } }));
  assert.deepEqual(parseLimits({ timeoutMs: 5000, addressSpaceBytes: 'auto' }), { timeoutMs: 5000, addressSpaceBytes: 'auto' });
  assert.throws(() => parseLimits({ addressSpaceBytes: 1000 }));
});

test('onnxruntime contrib domains and calls to the model\'s own functions are not custom ops', async () => {
  const { buildModel, node, valueInfo } = await import('../fixtures/onnx-builder.ts');
  const { onnx } = await import('../../main/core/formats/onnx/proto.ts');
  const contrib = buildModel({
    inputs: [valueInfo('x', ['batch', 4])], outputs: [valueInfo('y', ['batch', 4])],
    nodes: [node('FastGelu', ['x'], ['y'], {}, 'com.microsoft')], extraOpsets: [{ domain: 'com.microsoft', version: 1 }],
  });
  assert.ok((await prepareModel(contrib, { name: 'contrib.onnx' })).ok);
  const decoded = decodeOnnxModel(buildModel({
    inputs: [valueInfo('x', ['batch', 4])], outputs: [valueInfo('y', ['batch', 4])],
    nodes: [node('Twice', ['x'], ['y'], {}, 'local.funcs')], extraOpsets: [{ domain: 'local.funcs', version: 1 }],
  }));
  assert.ok(decoded.ok);
  decoded.model.functions = [{ name: 'Twice', domain: 'local.funcs', input: ['a'], output: ['b'], node: [node('Add', ['a', 'a'], ['b'])], opsetImport: [{ domain: '', version: 17 }] }];
  const withFunction = onnx.ModelProto.encode(decoded.model).finish();
  assert.ok((await prepareModel(withFunction, { name: 'function.onnx' })).ok);
});
