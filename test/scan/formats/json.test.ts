import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ids, only, scan } from './fixtures/scan.ts';

const enc = (s: string) => new TextEncoder().encode(s);

test('a Hugging Face config.json without auto_map is clean', async () => {
  const r = await scan(enc(JSON.stringify({ architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 4096, torch_dtype: 'bfloat16' })), 'config.json');
  assert.equal(r.format, 'json');
  assert.deepEqual(r.findings, []);
  assert.deepEqual((r.units[0]!.details.json as { kinds: string[] }).kinds, ['hf-model-config']);
});

test('auto_map means remote code: the classes are listed, other repositories called out', async () => {
  const config = {
    architectures: ['MyModelForCausalLM'], model_type: 'mymodel',
    auto_map: { AutoConfig: 'configuration_mymodel.MyConfig', AutoModelForCausalLM: 'other-org/helpers--modeling_mymodel.MyModelForCausalLM', AutoTokenizer: ['tokenization_my.MyTokenizer', null] },
  };
  const r = await scan(enc(JSON.stringify(config)), 'config.json');
  const [f] = only(r, 'scan.json.remote-code');
  assert.equal(f!.location.jsonPath, '$.auto_map');
  assert.match(f!.message, /configuration_mymodel\.MyConfig \(AutoConfig\)/);
  assert.match(f!.message, /some come from another repository/);
  assert.deepEqual(f!.evidence?.otherRepositories, ['other-org/helpers--modeling_mymodel.MyModelForCausalLM (AutoModelForCausalLM)']);
  assert.equal(r.verdict, 'suspicious');
});

test('content that looks like JSON but does not parse is reported', async () => {
  // Bigger than the detector's 64 KiB sniff window, so only the analyzer can tell it is broken.
  const broken = `{"a": "${'x'.repeat(70_000)}", "b": }`;
  const r = await scan(enc(broken), 'config.json');
  assert.equal(r.format, 'json');
  assert.deepEqual(ids(r), ['scan.json.invalid']);
  assert.equal(r.verdict, 'malformed');
});

test('a chat template larger than the sniff window is detected as a template, not JSON', async () => {
  const big = `{%- for message in messages %}{{ message['content'] }}{% endfor %}\n${'{# padding #}\n'.repeat(6000)}{{ x.__class__ }}`;
  assert.ok(big.length > 64 * 1024);
  const r = await scan(enc(big), 'chat_template.jinja');
  assert.equal(r.format, 'jinja');
  assert.equal(only(r, 'scan.template.dunder-access').length, 1);
});
