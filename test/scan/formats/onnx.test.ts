import assert from 'node:assert/strict';
import { test } from 'node:test';
import { onnx, type TensorProto } from '../../../main/core/formats/onnx/proto.ts';
import { externalLocationProblem } from '../../../main/core/scan/formats/onnx.ts';
import { buildModel, floatTensor, mlpClassifier, node, valueInfo } from '../../fixtures/onnx-builder.ts';
import { only, scan } from './fixtures/scan.ts';

function externalTensor(name: string, location: string, dims = [2, 2]): TensorProto {
  return {
    name, dims, dataType: 1, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
    externalData: [{ key: 'location', value: location }, { key: 'offset', value: '0' }, { key: 'length', value: String(dims.reduce((a, b) => a * b, 1) * 4) }],
  };
}

function withInitializer(t: TensorProto): Uint8Array {
  return buildModel({
    inputs: [valueInfo('x', [2, 2])], outputs: [valueInfo('y', [2, 2])],
    nodes: [node('Add', ['x', t.name ?? 'w'], ['y'])], initializers: [t],
  });
}

test('an ordinary MLP classifier is clean and its graph summary is kept for the behaviour tests', async () => {
  const r = await scan(mlpClassifier([4, 8, 3]), 'model.onnx');
  assert.equal(r.format, 'onnx');
  assert.deepEqual(r.findings, []);
  assert.equal(r.verdict, 'clean');
  const summary = r.units[0]!.details.onnx as { nodeCount: number; operators: Record<string, number>; parameterCount: number };
  assert.equal(summary.operators.Gemm, 2);
  assert.equal(summary.parameterCount, 4 * 8 + 8 + 8 * 3 + 3);
});

test('custom operator domains need a native library; ONNX Runtime contrib ops are low', async () => {
  const model = (domain: string) => buildModel({
    inputs: [valueInfo('x', [1, 4])], outputs: [valueInfo('y', [1, 4])],
    nodes: [node('Relu', ['x'], ['h']), node('Backdoor', ['h'], ['y'], {}, domain)],
    extraOpsets: [{ domain, version: 1 }],
  });
  let r = await scan(model('com.evil.ops'), 'model.onnx');
  const [f] = only(r, 'scan.onnx.custom-domain');
  assert.equal(f!.severity, 'medium');
  assert.match(f!.message, /custom operator domain "com\.evil\.ops" \(Backdoor\); running them needs a native custom-op library/);
  assert.equal(f!.location.node, 'Backdoor_y');
  assert.equal(r.verdict, 'suspicious');

  r = await scan(model('com.microsoft'), 'model.onnx');
  assert.equal(only(r, 'scan.onnx.custom-domain')[0]!.severity, 'low');
  assert.equal(r.verdict, 'clean');
});

test('a node calling a model-local function is not a custom op', async () => {
  const proto = onnx.ModelProto.create({
    irVersion: 8, opsetImport: [{ domain: '', version: 17 }, { domain: 'local', version: 1 }],
    graph: { name: 'g', input: [valueInfo('x', [1])], output: [valueInfo('y', [1])], node: [node('Double', ['x'], ['y'], {}, 'local')] },
    functions: [{ name: 'Double', domain: 'local', input: ['a'], output: ['b'], node: [node('Add', ['a', 'a'], ['b'])], opsetImport: [{ domain: '', version: 17 }] }],
  });
  const r = await scan(onnx.ModelProto.encode(proto).finish(), 'model.onnx');
  assert.deepEqual(r.findings, []);
});

test('external data outside the model folder is high; beside the model it is listed', async () => {
  const escapes: [string, RegExp][] = [
    ['/etc/passwd', /is an absolute path/],
    ['../../home/user/.ssh/id_rsa', /climbs out of the model folder/],
    ['weights/../../secret.bin', /climbs out of the model folder/],
    ['C:\\Windows\\win.ini', /has a drive prefix/],
    ['\\\\fileserver\\share\\w.bin', /is a UNC network path/],
    ['file:///etc/shadow', /is a URL/],
  ];
  for (const [location, why] of escapes) {
    const r = await scan(withInitializer(externalTensor('w', location)), 'model.onnx');
    const [f] = only(r, 'scan.onnx.external-data-path');
    assert.ok(f, location);
    assert.match(f.message, why, location);
    assert.equal(f.severity, 'high');
    assert.equal(f.location.node, 'w');
    assert.equal(r.verdict, 'suspicious');
  }
  for (const location of ['weights.bin', 'data/weights.bin', './weights.bin', 'model.onnx_data']) {
    assert.equal(externalLocationProblem(location), null, location);
  }
  // `..` is reported even when it stays inside the folder: runtimes resolve it after symlinks.
  assert.equal(externalLocationProblem('a/../weights.bin'), 'contains ".."');
  const r = await scan(withInitializer(externalTensor('w', 'model.onnx.data')), 'model.onnx');
  assert.deepEqual(only(r, 'scan.onnx.external-data-path'), []);
  assert.equal(only(r, 'scan.onnx.external-data')[0]!.message, '1 tensor keeps its data in 1 external file: "model.onnx.data"');
  assert.equal(r.verdict, 'clean');
});

test('initializer data must match its declared shape', async () => {
  let r = await scan(withInitializer(floatTensor('w', [2, 2], [1, 2, 3])), 'model.onnx');
  let [f] = only(r, 'scan.onnx.tensor-size');
  assert.match(f!.message, /tensor "w" \(initializer\): raw_data holds 12 bytes but 4 elements of type 1 need 16/);
  assert.equal(r.verdict, 'malformed');

  r = await scan(withInitializer({ name: 'w', dims: [2, 2], dataType: 1, floatData: [1, 2] }), 'model.onnx');
  [f] = only(r, 'scan.onnx.tensor-size');
  assert.match(f!.message, /floatData holds 2 values but its shape needs 4/);

  r = await scan(withInitializer({ name: 'w', dims: [2, -2], dataType: 1, rawData: new Uint8Array(16) }), 'model.onnx');
  assert.match(only(r, 'scan.onnx.tensor-size')[0]!.message, /negative value/);

  r = await scan(withInitializer({ name: 'w', dims: [2, 2], dataType: 1, floatData: [1, 2, 3, 4] }), 'model.onnx');
  assert.deepEqual(r.findings, []);
});

test('opsets: a missing default-domain opset is malformed, an unknown version is low', async () => {
  const noDefault = onnx.ModelProto.create({
    irVersion: 8, opsetImport: [{ domain: 'ai.onnx.ml', version: 3 }],
    graph: { name: 'g', input: [valueInfo('x', [1])], output: [valueInfo('y', [1])], node: [node('Relu', ['x'], ['y'])] },
  });
  let r = await scan(onnx.ModelProto.encode(noDefault).finish(), 'model.onnx');
  assert.match(only(r, 'scan.onnx.opset-missing')[0]!.message, /imports no opset for the default domain/);
  assert.equal(r.verdict, 'malformed');

  r = await scan(buildModel({ inputs: [valueInfo('x', [1])], outputs: [valueInfo('y', [1])], nodes: [node('Relu', ['x'], ['y'])], opset: 99 }), 'model.onnx');
  const [f] = only(r, 'scan.onnx.opset-unknown');
  assert.match(f!.message, /opset 99 for domain "ai.onnx" is newer than the latest Assay knows/);
  assert.equal(r.verdict, 'clean');
});

test('a truncated model is malformed, never clean', async () => {
  const bytes = mlpClassifier([4, 8, 3]);
  const r = await scan(bytes.subarray(0, bytes.length - 9), 'model.onnx');
  assert.equal(r.verdict, 'malformed');
  assert.match(only(r, 'scan.onnx.malformed')[0]!.message, /does not decode/);
});
