import assert from 'node:assert/strict';
import { test } from 'node:test';
import { benignSavedModel, buildGraphDef, buildSavedModel } from './fixtures/tensorflow.ts';
import { only, scan } from './fixtures/scan.ts';

test('an ordinary SavedModel is clean; its checkpoint ops are listed at low severity', async () => {
  const r = await scan(benignSavedModel(), 'saved_model.pb');
  assert.equal(r.format, 'tf-savedmodel');
  assert.equal(r.verdict, 'clean');
  assert.ok(r.findings.every((f) => f.severity === 'low' && f.ruleId === 'scan.tensorflow.file-access'));
  assert.ok(r.findings.some((f) => /SaveV2/.test(f.message) && /__inference__traced_save_200/.test(f.message)));
  const detail = r.units[0]!.details.tensorflow as { nodes: number; functions: number; ops: Record<string, number> };
  assert.equal(detail.functions, 3);
  assert.equal(detail.ops.MatMul, 1);
});

test('PyFunc inside a function body is malicious and names the registered Python function', async () => {
  const r = await scan(buildSavedModel(
    [{ name: 'input', op: 'Placeholder' }, { name: 'call', op: 'StatefulPartitionedCall' }],
    [{ name: '__inference_call_55', nodes: [{ name: 'py_hook', op: 'EagerPyFunc', attrs: { token: 'pyfunc_7' } }] }],
  ), 'saved_model.pb');
  assert.equal(r.verdict, 'malicious');
  const [f] = only(r, 'scan.tensorflow.pyfunc');
  assert.match(f!.message, /1 EagerPyFunc op in the SavedModel \(py_hook in function __inference_call_55\).*registered Python functions: pyfunc_7/);
  assert.equal(f!.location.node, 'py_hook');
});

test('GraphDef: file access is suspicious, Print and Assert are low', async () => {
  let r = await scan(buildGraphDef([
    { name: 'path', op: 'Const' }, { name: 'secret', op: 'ReadFile', input: ['path'] }, { name: 'leak', op: 'PrintV2', input: ['secret'] },
  ]), 'frozen_graph.pb');
  assert.equal(r.format, 'tf-graphdef');
  assert.equal(r.verdict, 'suspicious');
  assert.match(only(r, 'scan.tensorflow.file-access')[0]!.message, /1 ReadFile op in the graph \(secret\): reads, writes or lists files/);
  assert.equal(only(r, 'scan.tensorflow.debug-op')[0]!.severity, 'low');

  r = await scan(buildGraphDef([{ name: 'x', op: 'Placeholder' }, { name: 'w', op: 'Const' }, { name: 'y', op: 'MatMul', input: ['x', 'w'] }]), 'frozen_graph.pb');
  assert.deepEqual(r.findings, []);
  assert.equal(r.verdict, 'clean');
});

test('a truncated or corrupted protobuf is a structural finding', async () => {
  const bytes = benignSavedModel();
  let r = await scan(bytes.subarray(0, bytes.length - 7), 'saved_model.pb');
  const [f] = only(r, 'scan.tensorflow.malformed');
  assert.match(f!.message, /SavedModel protobuf is malformed/);
  assert.equal(r.verdict, 'malformed');

  const inflated = bytes.slice();
  inflated[3] = 0xff; // the meta_graphs length becomes a longer varint running past the file
  r = await scan(inflated, 'saved_model.pb');
  assert.ok(only(r, 'scan.tensorflow.malformed').length > 0);
});
