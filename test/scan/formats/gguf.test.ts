import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildGguf, type GgufSpec } from './fixtures/gguf.ts';
import { ids, only, scan } from './fixtures/scan.ts';

const CHATML = `{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}`;

function model(overrides: Partial<GgufSpec> = {}, version: 1 | 2 | 3 = 3): Uint8Array {
  return buildGguf({
    version,
    metadata: [
      ['general.architecture', { type: 'string', value: 'llama' }],
      ['general.alignment', { type: 'u32', value: 32 }],
      ['llama.context_length', { type: 'u32', value: 4096 }],
      ['tokenizer.ggml.tokens', { type: 'array', elementType: 'string', value: ['<s>', '</s>', 'hello', 'world'] }],
      ['tokenizer.ggml.scores', { type: 'array', elementType: 'f32', value: [0, 0, -1.5, -2] }],
      ['tokenizer.chat_template', { type: 'string', value: CHATML }],
    ],
    tensors: [
      { name: 'token_embd.weight', dims: [8, 4], type: 0 },
      { name: 'output_norm.weight', dims: [8], type: 1 },
      { name: 'blk.0.attn_q.weight', dims: [32, 2], type: 8, size: 2 * 34 },
    ],
    ...overrides,
  });
}

test('an ordinary GGUF v3 model with a chat template is clean', async () => {
  const r = await scan(model(), 'model.gguf');
  assert.equal(r.format, 'gguf');
  assert.deepEqual(r.findings, []);
  assert.equal(r.verdict, 'clean');
  const detail = r.units[0]!.details.gguf as { version: number; tensorCount: number; chatTemplates: string[]; architecture: string };
  assert.equal(detail.tensorCount, 3);
  assert.equal(detail.architecture, 'llama');
  assert.deepEqual(detail.chatTemplates, ['tokenizer.chat_template']);
});

test('versions 1 and 2 (32-bit counts in v1) parse too', async () => {
  for (const v of [1, 2] as const) {
    const r = await scan(model({}, v), 'model.gguf');
    assert.deepEqual(r.findings, [], `version ${v}`);
  }
});

test('an unknown version is reported as unsupported', async () => {
  const bytes = model();
  new DataView(bytes.buffer).setUint32(4, 7, true);
  const r = await scan(bytes, 'model.gguf');
  assert.deepEqual(ids(r), ['scan.gguf.version']);
  assert.equal(r.verdict, 'unsupported');
});

test('a metadata count the file cannot hold stops parsing before it allocates', async () => {
  const r = await scan(model({ kvCount: 1n << 60n }), 'model.gguf');
  const [f] = only(r, 'scan.gguf.header');
  assert.match(f!.message, /metadata count 1152921504606846976 cannot fit/);
  assert.equal(r.verdict, 'malformed');
});

test('a string length past the end of the file is reported at its key', async () => {
  const bad = buildGguf({ metadata: [['general.name', { type: 'raw', code: 8, bytes: Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0x41]) }]] });
  const r = await scan(bad, 'model.gguf');
  const [f] = only(r, 'scan.gguf.metadata');
  assert.equal(f!.message, 'value of "general.name" declares 4294967295 bytes but only 8 remain');
  assert.equal(f!.location.jsonPath, '$["general.name"]');
  assert.equal(f!.location.byteOffset, 48);
});

test('unknown value types, huge arrays, duplicate keys and bad alignment are metadata findings', async () => {
  let r = await scan(buildGguf({ metadata: [['x.weird', { type: 'raw', code: 13, bytes: new Uint8Array(4) }]] }), 'm.gguf');
  assert.match(only(r, 'scan.gguf.metadata')[0]!.message, /"x.weird" has unknown value type 13/);
  assert.equal(only(r, 'scan.gguf.metadata')[0]!.location.jsonPath, '$["x.weird"]');

  const hugeArray = new Uint8Array(12);
  new DataView(hugeArray.buffer).setUint32(0, 8, true); // array of strings
  new DataView(hugeArray.buffer).setBigUint64(4, 1n << 40n, true);
  r = await scan(buildGguf({ metadata: [['tokenizer.ggml.tokens', { type: 'raw', code: 9, bytes: hugeArray }]] }), 'm.gguf');
  assert.match(only(r, 'scan.gguf.metadata')[0]!.message, /declares 1099511627776 elements, more than the file can hold/);

  r = await scan(buildGguf({ metadata: [['general.name', { type: 'string', value: 'a' }], ['general.name', { type: 'string', value: 'b' }]] }), 'm.gguf');
  assert.match(only(r, 'scan.gguf.metadata')[0]!.message, /"general.name" appears more than once/);

  r = await scan(model({ metadata: [['general.alignment', { type: 'u32', value: 24 }]] }), 'm.gguf');
  assert.match(only(r, 'scan.gguf.metadata')[0]!.message, /general.alignment must be a power-of-two uint32, found 24/);
});

test('tensor descriptions: dimensions, types, names and block sizes', async () => {
  let r = await scan(model({ tensors: [{ name: 'w', dims: [4, 4, 4, 4, 4], type: 0 }] }), 'm.gguf');
  assert.match(only(r, 'scan.gguf.tensor-info')[0]!.message, /5 dimensions, ggml allows 4/);

  r = await scan(model({ tensors: [{ name: 'w', dims: [4], type: 99, size: 16 }] }), 'm.gguf');
  assert.match(only(r, 'scan.gguf.tensor-info')[0]!.message, /tensor "w": ggml type 99 is unknown/);
  assert.equal(only(r, 'scan.gguf.tensor-info')[0]!.location.jsonPath, '$.tensors.w');

  r = await scan(model({ tensors: [{ name: 'q', dims: [33, 1], type: 8, size: 34 }] }), 'm.gguf');
  assert.match(only(r, 'scan.gguf.tensor-info')[0]!.message, /first dimension 33 is not a multiple of the Q8_0 block size 32/);

  r = await scan(model({ tensors: [{ name: 'a', dims: [4], type: 0 }, { name: 'a', dims: [4], type: 0 }] }), 'm.gguf');
  assert.match(only(r, 'scan.gguf.tensor-info')[0]!.message, /name appears more than once/);

  r = await scan(model({ tensors: [{ name: 'x'.repeat(80), dims: [4], type: 0 }] }), 'm.gguf');
  assert.match(only(r, 'scan.gguf.tensor-info')[0]!.message, /name is 80 bytes/);
});

test('tensor data that is misaligned, past the end or overlapping is reported', async () => {
  let r = await scan(model({ tensors: [{ name: 'w', dims: [4], type: 0, offset: 8n }] }), 'm.gguf');
  assert.match(only(r, 'scan.gguf.tensor-data')[0]!.message, /data offset 8 is not a multiple of the alignment 32/);

  const truncated = model().subarray(0, model().length - 40);
  r = await scan(truncated, 'm.gguf');
  assert.match(only(r, 'scan.gguf.tensor-data')[0]!.message, /runs past the end of the file/);

  r = await scan(model({ tensors: [{ name: 'a', dims: [16], type: 0, offset: 0n }, { name: 'b', dims: [16], type: 0, offset: 32n }] }), 'm.gguf');
  assert.match(only(r, 'scan.gguf.tensor-data')[0]!.message, /tensor "b" \(bytes 32-96\) overlaps tensor "a" \(bytes 0-64\)/);
});

test('a chat template with template injection in GGUF metadata is malicious, with line and column', async () => {
  const evil = "{% for m in messages %}{{ m.content }}{% endfor %}\n{{ cycler.__init__.__globals__.os.popen('id').read() }}";
  const r = await scan(model({ metadata: [['general.architecture', { type: 'string', value: 'llama' }], ['tokenizer.chat_template', { type: 'string', value: evil }]] }), 'model.gguf');
  assert.equal(r.verdict, 'malicious');
  const dunders = only(r, 'scan.template.dunder-access');
  const init = dunders.find((f) => f.evidence?.attribute === '__init__')!;
  assert.equal(init.location.jsonPath, '$["tokenizer.chat_template"]');
  assert.equal(init.location.line, 2);
  assert.equal(init.location.column, 11);
  assert.match(init.message, /tokenizer.chat_template: template reads Python attribute __init__/);
  assert.ok(typeof init.location.byteOffset === 'number');
  assert.ok(only(r, 'scan.template.global-object').some((f) => f.evidence?.global === 'cycler'));
});

test('named template variants (tokenizer.chat_template.<name>) are checked too', async () => {
  const r = await scan(model({
    metadata: [
      ['tokenizer.chat_template', { type: 'string', value: CHATML }],
      ['tokenizer.chat_templates', { type: 'array', elementType: 'string', value: ['tool_use'] }],
      ['tokenizer.chat_template.tool_use', { type: 'string', value: "{{ tools|attr('__cla' ~ 'ss__') }}" }],
    ],
  }), 'model.gguf');
  const [f] = only(r, 'scan.template.dunder-access');
  assert.equal(f!.location.jsonPath, '$["tokenizer.chat_template.tool_use"]');
  assert.match(f!.message, /__class__ \(assembled with '~' and used as \|attr\)/);
});
