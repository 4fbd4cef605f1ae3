import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { contract, METHOD_NAMES } from '../../shared/api/contract.ts';
import { CHECKLIST, PHASES, POINT_IDS } from '../../shared/checklist/points.ts';
import { RULES } from '../../shared/rules/catalogue.ts';
import { handlers } from '../../main/core/api/handlers.ts';

test('every contract method has exactly one core handler', () => {
  assert.deepEqual(Object.keys(handlers).sort(), [...METHOD_NAMES].sort());
});

test('every contract method validates its input and output', () => {
  for (const name of METHOD_NAMES) {
    const def = contract[name];
    assert.equal(typeof def.input.safeParse, 'function', name);
    assert.equal(typeof def.output.safeParse, 'function', name);
    assert.ok(def.description.length > 10, `${name} describes itself`);
  }
});

test('the rule catalogue: unique stable ids, every field filled, real checklist points', () => {
  const ids = new Set<string>();
  for (const r of RULES) {
    assert.ok(!ids.has(r.id), `duplicate rule id ${r.id}`);
    ids.add(r.id);
    assert.match(r.id, /^[a-z]+(\.[a-z0-9-]+)+$/, r.id);
    assert.ok(r.id.startsWith(`${r.domain}.`), `${r.id} starts with its domain ${r.domain}`);
    for (const field of ['title', 'meaning', 'rationale', 'remediation'] as const) assert.ok(r[field].trim().length > 10, `${r.id}.${field}`);
    assert.ok(r.checklist.length > 0, `${r.id} informs at least one checklist point`);
    for (const p of r.checklist) assert.ok((POINT_IDS as readonly string[]).includes(p), `${r.id}: ${p}`);
  }
});

test('the checklist data has 20 points P01..P20 in five phases', () => {
  assert.deepEqual(CHECKLIST.map((p) => p.id), [...POINT_IDS]);
  assert.deepEqual([...new Set(CHECKLIST.map((p) => p.phase))], PHASES.map((p) => p.id));
  for (const p of CHECKLIST) assert.ok(p.question.endsWith('?'), p.id);
});

const reference = new URL('../../../shared/checklist-20.md', import.meta.url);
test('the checklist data matches the reference document beside the checkout', { skip: !existsSync(reference) && 'reference document not present' }, () => {
  const doc = readFileSync(reference, 'utf8');
  for (const p of CHECKLIST) {
    const row = doc.split('\n').find((l) => l.startsWith(`| ${p.id} |`));
    assert.ok(row, `${p.id} is in the document`);
    const cells = row.split('|').map((c) => c.trim());
    assert.equal(cells[2], p.title, `${p.id} title`);
    assert.equal(cells[3], p.question, `${p.id} question`);
  }
  for (const ph of PHASES) assert.ok(doc.includes(`Phase ${ph.id} — ${ph.title}`), `phase ${ph.id}`);
});
