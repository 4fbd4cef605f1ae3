// Generates docs/rules.md from the rule catalogue (shared/rules/). `npm run docs:rules`
// rewrites it; a test fails when the committed page is out of date.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { checklistPoint } from '../shared/checklist/points.ts';
import { RULES } from '../shared/rules/catalogue.ts';
import type { RuleDomain } from '../shared/rules/types.ts';

const DOMAIN_TITLES: Record<RuleDomain, string> = {
  intake: 'Intake',
  scan: 'Static scanning',
  trust: 'Signatures, digests and bundles',
  behave: 'Sandboxed behaviour tests',
  dataset: 'Datasets',
};

export function rulesMarkdown(): string {
  const out: string[] = [
    '# Assay rule catalogue',
    '',
    'Generated from `shared/rules/` by `npm run docs:rules`; do not edit by hand. Rule ids are stable:',
    'reports, SARIF output and bundles refer to them.',
    '',
    'Verdicts: an artifact is **malicious** with any critical finding or a high finding of a rule marked',
    '*code execution*; **suspicious** with any other high or medium finding; **malformed** when a',
    '*structural* rule fired and nothing worse; **unsupported** when content could not be analysed;',
    'otherwise **clean**.',
    '',
  ];
  for (const domain of Object.keys(DOMAIN_TITLES) as RuleDomain[]) {
    const rules = RULES.filter((r) => r.domain === domain);
    if (rules.length === 0) continue;
    out.push(`## ${DOMAIN_TITLES[domain]}`, '', '| id | severity | title | checklist |', '|---|---|---|---|');
    for (const r of rules) out.push(`| [\`${r.id}\`](#${r.id.replace(/\./g, '')}) | ${r.severity} | ${r.title} | ${r.checklist.join(', ')} |`);
    out.push('');
    for (const r of rules) {
      const flags = [r.codeExecution ? 'code execution' : '', r.structural ? 'structural' : '', r.unsupported ? 'not analysed' : ''].filter(Boolean);
      out.push(
        `### ${r.id}`,
        '',
        `**${r.title}** — default severity **${r.severity}**${flags.length ? ` (${flags.join(', ')})` : ''}; informs ${r.checklist.map((p) => `${p} ${checklistPoint(p).title}`).join('; ')}.`,
        '',
        `- What it means: ${r.meaning}`,
        `- Why it matters: ${r.rationale}`,
        `- What to do: ${r.remediation}`,
        '',
      );
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

export const RULES_DOC = resolve(new URL('../docs/rules.md', import.meta.url).pathname);

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  writeFileSync(RULES_DOC, rulesMarkdown());
  console.error(`wrote ${RULES_DOC} (${RULES.length} rules)`);
}
