import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeName } from '../../../main/core/scan/archive/member-names.ts';
import { scanTorchScriptSource } from '../../../main/core/scan/pytorch/torchscript-source.ts';

test('member names: traversal forms are recognised, look-alikes are not', () => {
  for (const bad of ['../x', 'a/../../x', '..\\x', '/abs', '\\abs', 'C:x', 'c:/x', '//host/share', '\\\\host\\share']) {
    assert.ok(judgeName(bad).traversal, bad);
  }
  for (const ok of ['a/b', '..a', 'a..', 'a/..b/c', '.hidden', './a', 'a/./b']) {
    assert.equal(judgeName(ok).traversal, null, ok);
  }
  assert.ok(judgeName('a\u0000.txt').suspicious);
  assert.ok(judgeName('evil\u202etxt.exe').suspicious);
  assert.equal(judgeName('model/weights.bin').suspicious, null);
});

test('TorchScript sources: system modules, builtins and escape dunders are caught wherever they hide', () => {
  const src = [
    'def forward(self, input: Tensor) -> Tensor:',
    '  a = os . system("id")',
    '  b = eval ("1+1")',
    '  c = getattr(self, "__globals__")',
    '  from subprocess import run',
    '  d = input.__class__',
    '  return input',
  ].join('\n');
  const hits = scanTorchScriptSource(src);
  const names = hits.map((h) => h.name).sort();
  assert.deepEqual(names, ['__globals__', 'eval', 'input.__class__', 'os.system', 'subprocess'].sort());
  const os = hits.find((h) => h.name === 'os.system')!;
  assert.deepEqual([os.line, os.column], [2, 7]);
  assert.ok(hits.every((h) => h.ruleId === 'scan.pytorch.torchscript-unsafe-call'));
});

test('TorchScript sources: names in comments and strings, attributes and parameters named like builtins are fine', () => {
  const src = [
    '# os.system("id") would be bad',
    'def forward(self, input: Tensor, open: bool) -> Tensor:',
    '  msg = "call os.system here"',
    '  x = self.os.system',
    '  y = torch.add(input, CONSTANTS.c0)',
    '  z = ops.prim.unchecked_cast(Tensor, y)',
    '  w = torch.ops.aten.relu(z)',
    '  return __torch__.torch.nn.modules.linear.Linear',
  ].join('\n');
  assert.deepEqual(scanTorchScriptSource(src), []);
});

test('TorchScript sources: custom operator namespaces are listed once per namespace', () => {
  const hits = scanTorchScriptSource('a = torch.ops.vendor.op1(x)\nb = torch.ops.vendor.op2(a)\nc = ops.other.op(b)\n');
  assert.deepEqual(hits.map((h) => [h.name, h.occurrences]), [['torch.ops.vendor', 2], ['ops.other', 1]]);
  assert.ok(hits.every((h) => h.ruleId === 'scan.pytorch.torchscript-custom-op'));
});
