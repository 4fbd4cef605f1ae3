// Hostile-input robustness: every fixture of this folder, truncated, bit-flipped, spliced and with
// length fields inflated, must scan without an analyzer of these formats throwing, and fast.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom, mlpClassifier, buildModel, node, valueInfo } from '../../fixtures/onnx-builder.ts';
import { onnx } from '../../../main/core/formats/onnx/proto.ts';
import type { FormatId } from '../../../main/core/formats/catalogue.ts';
import { buildGguf } from './fixtures/gguf.ts';
import { buildHdf5, buildHdf5V2 } from './fixtures/hdf5.ts';
import { dense, keras2LambdaModel, lambdaLayer, sequential } from './fixtures/keras.ts';
import { marshalLambda } from './fixtures/python.ts';
import { buildSafetensors } from './fixtures/safetensors.ts';
import { cpuMillisAsync, scan } from './fixtures/scan.ts';
import { fuzzSeed } from '../../fixtures/fuzz-seed.ts';
import { benignSavedModel, buildGraphDef } from './fixtures/tensorflow.ts';

const MY_FORMATS = new Set<FormatId>(['safetensors', 'gguf', 'jinja', 'json', 'hdf5', 'tf-savedmodel', 'tf-graphdef', 'onnx']);
const enc = (s: string) => new TextEncoder().encode(s);

function corpus(): [string, Uint8Array][] {
  const code = marshalLambda("lambda x: __import__('os').system('id')");
  const template = "{% for m in messages %}{{ '<|' ~ m['role'] ~ '|>' ~ m['content'] }}{% endfor %}{{ x|attr('__cla' ~ 'ss__') }}";
  return [
    ['model.safetensors', buildSafetensors([{ name: 'a', dtype: 'F32', shape: [4, 4] }, { name: 'b', dtype: 'I64', shape: [3] }], { format: 'pt' })],
    ['model.gguf', buildGguf({
      metadata: [['general.architecture', { type: 'string', value: 'llama' }], ['general.alignment', { type: 'u32', value: 32 }],
        ['tokenizer.ggml.tokens', { type: 'array', elementType: 'string', value: ['a', 'b', 'c'] }], ['tokenizer.chat_template', { type: 'string', value: template }]],
      tensors: [{ name: 'w', dims: [8, 2], type: 0 }, { name: 'q', dims: [32], type: 8, size: 34 }],
    })],
    ['v1.gguf', buildGguf({ version: 1, metadata: [['general.name', { type: 'string', value: 'x' }]], tensors: [{ name: 'w', dims: [4], type: 0 }] })],
    ['chat_template.jinja', enc(template)],
    ['tokenizer_config.json', enc(JSON.stringify({ bos_token: '<s>', chat_template: [{ name: 'default', template }] }))],
    ['config.json', enc(JSON.stringify(sequential([dense('d', 4), lambdaLayer('l', code)])))],
    ['model.h5', buildHdf5([{ name: 'keras_version', value: '2.15.0' }, { name: 'model_config', value: JSON.stringify(keras2LambdaModel(code)), vlen: true }], { continuation: true })],
    ['v2.h5', buildHdf5V2([{ name: 'model_config', value: JSON.stringify(sequential([dense('d', 2)])) }])],
    ['saved_model.pb', benignSavedModel()],
    ['graph.pb', buildGraphDef([{ name: 'x', op: 'Placeholder' }, { name: 'f', op: 'PyFunc', attrs: { token: 'pyfunc_0' } }], [{ name: 'fn', nodes: [{ name: 'r', op: 'ReadFile' }] }])],
    ['model.onnx', mlpClassifier([4, 6, 3])],
    ['external.onnx', buildModel({
      inputs: [valueInfo('x', [2, 2])], outputs: [valueInfo('y', [2, 2])], nodes: [node('Add', ['x', 'w'], ['y']), node('Op', ['y'], ['z'], {}, 'custom.domain')],
      initializers: [{ name: 'w', dims: [2, 2], dataType: 1, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL, externalData: [{ key: 'location', value: '../w.bin' }] }],
      extraOpsets: [{ domain: 'custom.domain', version: 1 }],
    })],
  ];
}

type Mutation = [label: string, bytes: Uint8Array];

function mutations(original: Uint8Array, seed: number): Mutation[] {
  const rand = seededRandom(fuzzSeed(seed));
  const int = (n: number) => Math.floor(rand() * n);
  const out: Mutation[] = [];
  const n = original.length;
  for (const cut of [1, 8, 12, 16, 24, 40, 64, n >> 2, n >> 1, n - 1, ...Array.from({ length: 6 }, () => 1 + int(n - 1))]) {
    if (cut > 0 && cut < n) out.push([`truncate to ${cut}`, original.subarray(0, cut)]);
  }
  for (let i = 0; i < 25; i++) {
    const m = original.slice();
    const flips = 1 + int(8);
    for (let j = 0; j < flips; j++) {
      const at = int(n);
      m[at] = m[at]! ^ (1 << int(8));
    }
    out.push([`flip ${flips} bytes (round ${i})`, m]);
  }
  for (let i = 0; i < 10; i++) {
    const from = int(n);
    const len = 1 + int(Math.min(64, n - from));
    const at = int(n);
    const chunk = original.subarray(from, from + len);
    const spliced = new Uint8Array(n + chunk.length);
    spliced.set(original.subarray(0, at));
    spliced.set(chunk, at);
    spliced.set(original.subarray(at), at + chunk.length);
    out.push([`splice ${len} bytes from ${from} into ${at}`, spliced]);
  }
  // Inflate declared lengths: overwrite integers near the start with huge values.
  for (let i = 0; i < 20; i++) {
    const m = original.slice();
    const dv = new DataView(m.buffer);
    const at = int(Math.max(1, Math.min(n, 512) - 8));
    if (at + 8 > n) continue;
    const choice = int(4);
    if (choice === 0) dv.setUint32(at, 0xffffffff, true);
    else if (choice === 1) dv.setBigUint64(at, 0x7fffffffffffffffn, true);
    else if (choice === 2) dv.setUint32(at, dv.getUint32(at, true) * 1000 + 1, true);
    else m.fill(0xff, at, at + 5); // a protobuf varint that never ends
    out.push([`inflate integer at ${at} (kind ${choice})`, m]);
  }
  return out;
}

test('mutated fixtures never make these analyzers throw and each scan takes under a second', async () => {
  let scans = 0;
  let slowest = 0;
  for (const [index, [name, original]] of corpus().entries()) {
    for (const [label, bytes] of mutations(original, 1000 + index)) {
      const [r, ms] = await cpuMillisAsync(() => scan(bytes, name));
      scans++;
      slowest = Math.max(slowest, ms);
      assert.ok(ms < 1000, `${name} / ${label}: ${ms.toFixed(0)} ms of CPU`);
      for (const f of r.findings.filter((x) => x.ruleId === 'scan.analyzer-error')) {
        const unit = r.units.find((u) => u.path === (f.location.members ?? []).join('!'));
        assert.ok(!unit || !MY_FORMATS.has(unit.format), `${name} / ${label}: ${unit?.format} analyzer threw: ${f.message}`);
      }
    }
  }
  assert.ok(scans > 500, `${scans} mutants scanned (slowest ${slowest.toFixed(0)} ms of CPU)`);
});
