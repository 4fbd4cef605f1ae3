import type { Rule } from './types.ts';

/** Rules raised while adding files to a case, before any format-specific scan. */
export const INTAKE_RULES: readonly Rule[] = [
  {
    id: 'intake.symlink-skipped',
    domain: 'intake',
    title: 'Symbolic link inside a model folder was not followed',
    severity: 'low',
    meaning: 'A folder added to the case contains a symbolic link. Assay records it and does not follow it.',
    rationale: 'Links can point outside the model folder, so a loader may read files nobody reviewed.',
    remediation: 'Replace the link by the file it names, or add that file to the case explicitly.',
    checklist: ['P08', 'P10'],
  },
];
