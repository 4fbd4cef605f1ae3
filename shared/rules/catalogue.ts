// The one rule catalogue. Each domain contributes its list; ids must be unique (tested), and the
// docs page docs/rules.md is generated from this table (scripts/gen-rules-doc.ts).
import { BEHAVE_RULES } from './behave.ts';
import { DATASET_RULES } from './dataset.ts';
import { INTAKE_RULES } from './intake.ts';
import { SCAN_ENGINE_RULES } from './scan-engine.ts';
import { SCAN_ARCHIVE_RULES } from './scan-archive.ts';
import { SCAN_FORMAT_RULES } from './scan-formats.ts';
import { SCAN_PICKLE_RULES } from './scan-pickle.ts';
import { TRUST_RULES } from './trust.ts';
import type { Rule } from './types.ts';

export const RULES: readonly Rule[] = [
  ...INTAKE_RULES,
  ...SCAN_ENGINE_RULES,
  ...SCAN_ARCHIVE_RULES,
  ...SCAN_FORMAT_RULES,
  ...SCAN_PICKLE_RULES,
  ...TRUST_RULES,
  ...DATASET_RULES,
  ...BEHAVE_RULES,
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
