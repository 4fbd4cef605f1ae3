import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkTemplate } from '../../../main/core/scan/formats/template/ssti.ts';
import { cpuMillis, only, scan } from './fixtures/scan.ts';

const enc = (s: string) => new TextEncoder().encode(s);

// Benign templates in the styles real models ship (written here, not copied): role loops,
// raise_exception, bos/eos tokens, add_generation_prompt, tools, namespace counters, slicing.
const BENIGN: Record<string, string> = {
  chatml: `{%- if messages[0]['role'] == 'system' %}
    {%- set system_message = messages[0]['content'] %}
    {%- set loop_messages = messages[1:] %}
{%- else %}
    {%- set system_message = 'You are a helpful assistant.' %}
    {%- set loop_messages = messages %}
{%- endif %}
{{- bos_token }}
{%- for message in loop_messages %}
    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}
        {{- raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}
    {%- endif %}
    {%- if loop.index0 == 0 and system_message %}
        {{- '<|im_start|>system\\n' + system_message | trim + '<|im_end|>\\n' }}
    {%- endif %}
    {{- '<|im_start|>' + message['role'] + '\\n' + message['content'] | trim + '<|im_end|>\\n' }}
{%- endfor %}
{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}`,
  llamaStyle: `{{ bos_token }}{% for message in messages %}{% if message['role'] == 'system' %}{{ '<<SYS>>\\n' + message['content'] | trim + '\\n<</SYS>>\\n\\n' }}{% elif message['role'] == 'user' %}{{ '[INST] ' + message['content'] | trim + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' ' + message['content'] | trim + ' ' + eos_token }}{% else %}{{ raise_exception('Unknown role: ' ~ message['role']) }}{% endif %}{% endfor %}`,
  tools: `{%- set ns = namespace(found=false, last_user=-1) %}
{%- for m in messages %}{% if m.role == 'user' %}{% set ns.last_user = loop.index0 %}{% endif %}{% endfor %}
{%- if tools is defined and tools %}{{- '<tools>' }}{%- for tool in tools %}{{- '\\n' + (tool | tojson) }}{%- endfor %}{{- '</tools>' }}{%- endif %}
{%- for message in messages %}
  {%- if message.role == 'assistant' and message.tool_calls is defined %}
    {%- for tool_call in message.tool_calls %}
      {%- if tool_call.function is defined %}{%- set tool_call = tool_call.function %}{%- endif %}
      {{- '<tool_call>{"name": "' + tool_call.name + '", "arguments": ' + (tool_call.arguments | tojson) + '}</tool_call>' }}
    {%- endfor %}
  {%- elif message.role == 'assistant' %}
    {%- set content = message.content.split('</think>')[-1].lstrip('\\n') %}
    {{- '<|assistant|>' + content + eos_token }}
  {%- else %}
    {{- '<|' ~ message['role'] ~ '|>' ~ message['content'] }}
    {%- for key, value in message.items() %}{% if key not in ['role', 'content'] %}{{ key }}={{ value }}{% endif %}{% endfor %}
  {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}`,
  helpers: `{%- set sys = messages | selectattr('role', 'equalto', 'system') | map(attribute='content') | list %}
{{- strftime_now('%d %b %Y') if strftime_now is defined else '' }}
{%- for i in range(3) %}{{ i }}{% endfor %}{% set c = cycler('odd', 'even') %}{{ c.next() }}{% set j = joiner(', ') %}
{%- macro render(msg, prefix='') %}{{ prefix ~ msg['content'] }}{% endmacro %}{{ render(messages[0]) }}
{# a comment mentioning __class__ is not code #}
Text may mention __init__.py files and _private names; it is output, not code.
{{ messages[-1]['content'][:100] }}{{ messages|length }}{{ "%s: %d"|format("n", 3) }}`,
  generationTag: `{% for m in messages %}{% if m.role == 'assistant' %}{% generation %}{{ m.content }}{% endgeneration %}{% else %}{{ m.content }}{% endif %}{% endfor %}`,
};

test('benign chat templates raise nothing', () => {
  for (const [name, template] of Object.entries(BENIGN)) {
    assert.deepEqual(checkTemplate(template), [], name);
  }
});

const first = (template: string, ruleId: string) => {
  const hit = checkTemplate(template).find((i) => i.ruleId === ruleId);
  assert.ok(hit, `${ruleId} expected for ${template}`);
  return hit;
};

test('dunder attributes written out are found with line and column', () => {
  const issues = checkTemplate("{{ ''.__class__.__mro__[1].__subclasses__() }}");
  assert.deepEqual(issues.map((i) => [i.ruleId, i.evidence?.attribute, i.line, i.column]).sort(), [
    ['scan.template.dunder-access', '__class__', 1, 7],
    ['scan.template.dunder-access', '__mro__', 1, 17],
    ['scan.template.dunder-access', '__subclasses__', 1, 28],
  ]);
  const multi = checkTemplate('{% for m in messages %}\n  {{ m.content }}\n  {{- m.__init__.__globals__ }}\n{% endfor %}');
  assert.deepEqual(multi.map((i) => [i.evidence?.attribute, i.line, i.column]).sort(), [['__globals__', 3, 18], ['__init__', 3, 9]]);
});

test('dunder names assembled with ~, +, join, format, replace, reverse, slicing and dict keys', () => {
  const cases: [string, RegExp][] = [
    ["{{ x[('__cla' ~ 'ss__')] }}", /__class__ \(assembled with '~' and used as subscript\)/],
    ["{{ x|attr('__cla' + 'ss__') }}", /__class__ \(assembled with '\+' and used as \|attr\)/],
    ["{{ x|attr(['__cla','ss__']|join) }}", /__class__ \(assembled with \|join and used as \|attr\)/],
    ["{{ x|attr('%s%sclass%s%s'|format('_','_','_','_')) }}", /__class__ \(assembled with \|format/],
    ["{{ x|attr('%c%cglobals%c%c'|format(95,95,95,95)) }}", /__globals__/],
    ["{{ x|attr('XXclassXX'|replace('X','_')) }}", /__class__ \(assembled with \|replace/],
    ["{{ x|attr('__ssalc__'|reverse) }}", /__class__ \(assembled with \|reverse/],
    ["{{ x|attr('x__class__'[1:]) }}", /__class__ \(assembled with slicing/],
    ["{{ x|attr(dict(__cla=1,ss__=2)|join) }}", /__class__ \(assembled with \|join, dict\(\)/],
    ["{{ x['_' * 2 ~ 'builtins' ~ '_' * 2] }}", /__builtins__/],
    ["{{ x|attr(''.join(['__glo', 'bals__'])) }}", /__globals__ \(assembled with \.join\(\)/],
    ["{{ x|attr('{}{}'.format('__cla', 'ss__')) }}", /__class__ \(assembled with \.format\(\)/],
    ["{% set a = '__cla' %}{% set b = a ~ 'ss__' %}{{ x|attr(b) }}", /__class__ \(assembled with variable b and used as \|attr\)/],
    ["{{ x|map('attr', '__class__')|list }}", /__class__ \(used as \|map\('attr'\)\)/],
    ["{{ x|map(attribute='__class__.__base__')|list }}", /__class__ \(used as \|map attribute\)/],
  ];
  for (const [template, message] of cases) {
    // The attribute read itself (the sink); an assembly elsewhere in the template is reported too.
    const hits = checkTemplate(template).filter((i) => i.ruleId === 'scan.template.dunder-access');
    const hit = hits.find((i) => i.evidence?.via !== undefined) ?? hits[0];
    assert.ok(hit, template);
    assert.match(hit.message, message, template);
    assert.equal(hit.line, 1, template);
  }
});

test('names built in a loop from dunder pieces are still caught', () => {
  const t = "{% set ns = namespace(s='') %}{% for c in ['__cla','ss__'] %}{% set ns.s = ns.s ~ c %}{% endfor %}{{ x|attr(ns.s) }}";
  const hit = first(t, 'scan.template.dunder-access');
  assert.match(hit.message, /builds an attribute name from the pieces "__cla", "ss__"/);
  assert.equal(hit.column, 109);
});

test('template globals used as objects', () => {
  for (const [template, global] of [
    ["{{ lipsum.__globals__.os.popen('id').read() }}", 'lipsum'],
    ['{{ cycler.__init__.__globals__ }}', 'cycler'],
    ['{{ joiner.__init__ }}', 'joiner'],
    ['{{ namespace.__init__ }}', 'namespace'],
    ['{{ range.__self__ }}', 'range'],
    ['{{ lipsum|string|list }}', 'lipsum'],
    ['{{ self._TemplateReference__context }}', 'self'],
  ] as const) {
    const hit = first(template, 'scan.template.global-object');
    assert.equal(hit.evidence?.global, global, template);
  }
  // A variable of the same name set by the template shadows the global.
  assert.deepEqual(checkTemplate("{% set lipsum = {'a': 1} %}{{ lipsum.a }}"), []);
});

test('private attributes and computed attribute names are medium findings', () => {
  const priv = first('{{ self._TemplateReference__context }}', 'scan.template.private-attribute');
  assert.equal(priv.evidence?.attribute, '_TemplateReference__context');
  const dyn = first('{{ x|attr(name) }}', 'scan.template.dynamic-attribute');
  assert.match(dyn.message, /computed at render time \(variable name\) as \|attr/);
  // Ordinary subscripts with variables (dict keys, indices) are not attributes built from strings.
  assert.deepEqual(checkTemplate('{% for k in keys %}{{ item[k] }}{{ messages[loop.index0 + 1] }}{% endfor %}'), []);
});

test('a template that does not parse is a structural finding, not a crash', () => {
  for (const broken of ['{% if %}', '{{ x', '{% for x in %}{% endfor %}', '{% include "other.j2" %}', '{{ "unterminated }}', '('.repeat(5000)]) {
    const issues = checkTemplate(`{{ ${broken} }}`);
    assert.equal(issues.length, 1, broken);
    assert.equal(issues[0]!.ruleId, 'scan.template.parse-error');
  }
});

test('deeply nested expressions parse or fail cleanly', () => {
  const deep = `{{ ${'('.repeat(2000)}1${')'.repeat(2000)} }}`;
  const issues = checkTemplate(deep);
  assert.ok(issues.every((i) => i.ruleId === 'scan.template.parse-error'));
});

test('chat_template.jinja files are scanned through the engine', async () => {
  let r = await scan(enc(BENIGN.chatml!), 'chat_template.jinja');
  assert.equal(r.format, 'jinja');
  assert.equal(r.verdict, 'clean');
  assert.deepEqual(r.findings, []);

  r = await scan(enc(`${BENIGN.chatml}\n{{ request.application.__globals__.__builtins__.__import__('os').popen('id').read() }}`), 'chat_template.jinja');
  assert.equal(r.verdict, 'malicious');
  const builtins = only(r, 'scan.template.dunder-access').find((f) => f.evidence?.attribute === '__builtins__')!;
  assert.equal(builtins.location.line, 19);
  assert.match(builtins.message, /^template: template reads Python attribute __builtins__/);
});

test('tokenizer_config.json templates: string and list forms, located by JSON path', async () => {
  const config = {
    bos_token: '<s>', eos_token: '</s>', tokenizer_class: 'LlamaTokenizer', model_max_length: 4096,
    chat_template: [
      { name: 'default', template: BENIGN.llamaStyle },
      { name: 'tool_use', template: '{{ messages.__class__ }}' },
    ],
  };
  let r = await scan(enc(JSON.stringify(config)), 'tokenizer_config.json');
  assert.equal(r.format, 'json');
  assert.equal(r.verdict, 'malicious');
  const [f] = only(r, 'scan.template.dunder-access');
  assert.equal(f!.location.jsonPath, '$.chat_template[1].template');
  assert.equal(f!.location.column, 13);
  assert.match(f!.message, /^chat_template "tool_use": /);

  r = await scan(enc(JSON.stringify({ ...config, chat_template: BENIGN.tools })), 'tokenizer_config.json');
  assert.deepEqual(r.findings, []);
  assert.equal(r.verdict, 'clean');
});

test('the document kind comes from keys, not the file name', async () => {
  const bytes = enc(JSON.stringify({ chat_template: "{{ x|attr('__globals__') }}" }));
  for (const name of ['tokenizer_config.json', 'notes.json', 'data.bin']) {
    const r = await scan(bytes, name);
    assert.equal(only(r, 'scan.template.dunder-access').length, 1, name);
  }
});

test('hostile template shapes (long chains, deep nesting, many findings) finish quickly without throwing', () => {
  const hostile = [
    `{{ x[${"'a' ~ ".repeat(10_000)}'b'] }}`,
    `{{ x|attr(${'a.'.repeat(30_000)}b) }}`,
    `{% set ${'a.'.repeat(30_000)}b = '__cla' %}{{ y|attr(a) }}`,
    `{{ x${"|join('__')".repeat(5_000)} }}`,
    "{{ x['__cla' ~ 'ss__'] }}".repeat(2_000),
    `{% set a0 = 'x' %}${Array.from({ length: 1000 }, (_, i) => `{% set a${i + 1} = a${i} ~ a${i} %}`).join('')}{{ y|attr(a1000) }}`,
    `${'{% if x %}'.repeat(2_000)}${'{% endif %}'.repeat(2_000)}`,
  ];
  for (const t of hostile) {
    const [issues, ms] = cpuMillis(() => checkTemplate(t));
    assert.ok(ms < 1000, `${t.slice(0, 40)}...: ${ms.toFixed(0)} ms of CPU`);
    assert.ok(issues.length <= 100);
  }
  assert.equal(checkTemplate('{{ x }}'.repeat(30_000))[0]?.ruleId, 'scan.template.too-large');
});

test('a non-Jinja text with tags is "not analysed", a broken chat template is malformed', async () => {
  // Go-template / Mustache examples in a README are detected by their tags but are not Jinja.
  let r = await scan(enc('Deploy with:\n  image: {{ .Values.image }}\n  {{#each items}}{{this}}{{/each}}\n'), 'README.md');
  assert.equal(r.format, 'jinja');
  assert.deepEqual(r.findings.map((f) => f.ruleId), ['scan.not-scanned']);
  assert.equal(r.verdict, 'unsupported');

  r = await scan(enc("{% for message in messages %}{{ message['content'] }}{% with x = 1 %}{% endwith %}{% endfor %}"), 'chat_template.jinja');
  assert.deepEqual(r.findings.map((f) => f.ruleId), ['scan.template.parse-error']);
  assert.equal(r.verdict, 'malformed');
});

test('huge list literals and statement lists stay fast', () => {
  for (const t of [`{{ x|attr([${"'_', ".repeat(20_000)}'x']|join) }}`, '{{ a }}'.repeat(18_000), `{% set l = [${'1, '.repeat(30_000)}1] %}{% for c in l %}{{ y|attr(c) }}{% endfor %}`]) {
    const [, ms] = cpuMillis(() => checkTemplate(t));
    assert.ok(ms < 1000, `${t.slice(0, 30)}: ${ms.toFixed(0)} ms of CPU`);
  }
});

test('positions stay exact after whitespace control, comments, escapes, unicode and generation tags', () => {
  const t = [
    '   {%- set greeting = "h\\u00e9llo \\"world\\"" -%}   ',
    '{#- a comment -#}  {# another #}',
    'Ünïcödé text → {{- greeting ~ \'\\n\' -}}',
    '{% for m in messages %}{% generation %}{{ m.content }}{% endgeneration %}{% endfor %}',
    '\t{{ m.role }} {{ x.__class__ }}',
  ].join('\n');
  const [hit] = checkTemplate(t);
  assert.equal(hit?.ruleId, 'scan.template.dunder-access');
  assert.equal(hit?.line, 5);
  assert.equal(hit?.column, t.split('\n')[4]!.indexOf('__class__') + 1);
});
