import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { RULES } from '../../shared/rules/catalogue.ts';
import { RULES_DOC, rulesMarkdown } from '../../scripts/gen-rules-doc.ts';

test('docs/rules.md is generated from the current catalogue (run `npm run docs:rules`)', () => {
  const page = readFileSync(RULES_DOC, 'utf8');
  assert.equal(page, rulesMarkdown());
  for (const r of RULES) assert.ok(page.includes(`### ${r.id}`), r.id);
});
