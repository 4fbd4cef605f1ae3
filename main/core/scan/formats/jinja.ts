// Plain Jinja template files (`chat_template.jinja` and the like, detected from their tags).
import type { ByteSource } from '../../io/byte-source.ts';
import type { Analyzer, ScanContext } from '../types.ts';
import { readExactly } from './common/read.ts';
import { reportTemplateIssues } from './template/report.ts';
import { checkTemplate, MAX_TEMPLATE_CHARS } from './template/ssti.ts';

export async function analyzeJinja(source: ByteSource, ctx: ScanContext): Promise<void> {
  // UTF-8 needs at most 4 bytes per character: anything larger is over the limit in characters.
  if (source.size > MAX_TEMPLATE_CHARS * 4) {
    ctx.report({ ruleId: 'scan.template.too-large', severity: 'low', message: `template file of ${source.size} bytes is above the analysis limit` });
    return;
  }
  const text = new TextDecoder('utf-8').decode(await readExactly(source, 0, source.size));
  const issues = checkTemplate(text);
  // Detection only saw `{{`/`{%` tags: a file that does not parse and reads nothing like a chat
  // template (a README with Mustache or Go template examples) is text Assay did not analyse, not
  // a malformed model file. One that does read like a chat template keeps its parse error.
  if (issues.length === 1 && issues[0]!.ruleId === 'scan.template.parse-error' && !CHAT_VOCABULARY.test(text)) {
    ctx.report({ ruleId: 'scan.not-scanned', severity: 'info', message: `text with template tags that is not a Jinja template Assay can parse (${issues[0]!.message}); not analysed` });
    return;
  }
  reportTemplateIssues(ctx, issues, { label: 'template', location: {} });
}

/** Words every chat template uses: the message list, roles, special tokens, the generation prompt. */
const CHAT_VOCABULARY = /\b(messages?|add_generation_prompt|bos_token|eos_token|raise_exception|role|tools)\b/;

export const jinjaAnalyzer: Analyzer = {
  formats: ['jinja'],
  analyze: analyzeJinja,
};
