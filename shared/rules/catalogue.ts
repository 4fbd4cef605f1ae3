// The one rule catalogue. Each domain contributes its list; ids must be unique (tested), and the
// docs page docs/rules.md is generated from this table (scripts/gen-rules-doc.ts).
import { INTAKE_RULES } from './intake.ts';
import { SCAN_ENGINE_RULES } from './scan-engine.ts';
import type { Rule } from './types.ts';

export const RULES: readonly Rule[] = [
  ...INTAKE_RULES,
  ...SCAN_ENGINE_RULES,
];

const byId = new Map(RULES.map((r) => [r.id, r]));

export function findRule(id: string): Rule | undefined {
  return byId.get(id);
}

export function ruleOrThrow(id: string): Rule {
  const rule = byId.get(id);
  if (!rule) throw new Error(`rule ${id} is not in the catalogue`);
  return rule;
}
