// The pickle scanner's rules: in the catalogue once, complete, flagged for code execution or
// structure as their meaning says, and every one of them raised by the code (no dead rules), and
// every rule the code raises is in the catalogue.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { findRule, RULES } from '../../../shared/rules/catalogue.ts';
import { SCAN_PICKLE_RULES } from '../../../shared/rules/scan-pickle.ts';

const CODE_EXECUTION = ['scan.pickle.code-execution', 'scan.pickle.loader', 'scan.pickle.call-gadget', 'scan.pickle.dunder-name', 'scan.pickle.global-mutation'];
const STRUCTURAL = ['scan.pickle.malformed', 'scan.pickle.legacy-storage', 'scan.pickle.joblib-array', 'scan.numpy.header-malformed', 'scan.numpy.size-mismatch'];

function sourceText(): string {
  const dirs = ['../../../main/core/scan/pickle/', '../../../main/core/scan/numpy/'].map((d) => new URL(d, import.meta.url).pathname);
  return dirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.ts')).map((f) => readFileSync(d + f, 'utf8'))).join('\n');
}

test('pickle and numpy rules are in the catalogue once, complete, and checklist point P10', () => {
  assert.ok(SCAN_PICKLE_RULES.length >= 20);
  for (const rule of SCAN_PICKLE_RULES) {
    assert.match(rule.id, /^scan\.(pickle|numpy)\.[a-z0-9-]+$/);
    assert.equal(RULES.filter((r) => r.id === rule.id).length, 1, rule.id);
    assert.equal(rule.domain, 'scan');
    for (const field of ['title', 'meaning', 'rationale', 'remediation'] as const) assert.ok(rule[field].length > 20, `${rule.id} ${field}`);
    assert.deepEqual(rule.checklist, ['P10'], rule.id);
  }
});

test('rules meaning code execution and structural damage carry those flags, and only those', () => {
  for (const rule of SCAN_PICKLE_RULES) {
    assert.equal(rule.codeExecution === true, CODE_EXECUTION.includes(rule.id), `${rule.id} codeExecution`);
    assert.equal(rule.structural === true, STRUCTURAL.includes(rule.id), `${rule.id} structural`);
  }
});

test('every pickle rule is raised somewhere, and every rule id the code raises exists', () => {
  const text = sourceText();
  const used = new Set([...text.matchAll(/'(scan\.[a-z0-9-]+(?:\.[a-z0-9-]+)?)'/g)].map((m) => m[1]!));
  for (const rule of SCAN_PICKLE_RULES) assert.ok(used.has(rule.id), `${rule.id} is never raised`);
  for (const id of used) assert.ok(findRule(id), `${id} is not in the catalogue`);
});
