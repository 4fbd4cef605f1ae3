import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { findRule, RULES } from '../../../shared/rules/catalogue.ts';
import { SCAN_FORMAT_RULES } from '../../../shared/rules/scan-formats.ts';

const PREFIXES = ['scan.safetensors.', 'scan.gguf.', 'scan.template.', 'scan.keras.', 'scan.json.', 'scan.hdf5.', 'scan.tensorflow.', 'scan.onnx.'];

test('format rules are in the catalogue once, with the documented prefixes and fields', () => {
  for (const rule of SCAN_FORMAT_RULES) {
    assert.ok(PREFIXES.some((p) => rule.id.startsWith(p)), rule.id);
    assert.equal(RULES.filter((r) => r.id === rule.id).length, 1, rule.id);
    assert.equal(rule.domain, 'scan');
    for (const field of ['title', 'meaning', 'rationale', 'remediation'] as const) assert.ok(rule[field].length > 10, `${rule.id} ${field}`);
    assert.ok(rule.checklist.includes('P10') || rule.checklist.includes('P07'), rule.id);
  }
});

test('rules that mean code execution and structural damage are flagged as such', () => {
  for (const id of ['scan.template.dunder-access', 'scan.template.global-object', 'scan.keras.lambda-code', 'scan.keras.torch-module-wrapper', 'scan.tensorflow.pyfunc', 'scan.keras.external-module']) {
    assert.equal(findRule(id)?.codeExecution, true, id);
  }
  for (const rule of SCAN_FORMAT_RULES) {
    if (/malformed|header|layout|offsets|size-mismatch|duplicate-key|dtype|metadata|tensor-info|tensor-data|tensor-entry|parse-error|invalid|tensor-size|opset-missing/.test(rule.id)) {
      assert.equal(rule.structural, true, rule.id);
    }
  }
});

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('every rule id the analyzers use exists in the catalogue', () => {
  const root = new URL('../../../main/core/scan/formats', import.meta.url).pathname;
  const used = new Set<string>();
  for (const file of sources(root)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/'(scan\.[a-z0-9-]+\.[a-z0-9-]+)'/g)) used.add(m[1]!);
  }
  assert.ok(used.size > 20);
  for (const id of used) assert.ok(findRule(id), id);
});
