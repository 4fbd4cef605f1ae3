// JSON documents. What a document is comes from its keys, never its file name: a tokenizer or
// processor config carries `chat_template`, a Keras model config is a `class_name` with a
// `config`, a Hugging Face config with `auto_map` needs remote code. A document may be several.
import type { ByteSource } from '../../io/byte-source.ts';
import type { Analyzer, ScanContext } from '../types.ts';
import { appendPath } from './common/json-path.ts';
import { errorText, readExactly } from './common/read.ts';
import { looksLikeKerasConfig } from './keras/config.ts';
import { reportKerasConfig } from './keras/report.ts';
import { reportTemplate } from './template/report.ts';

/** Tokenizer vocabularies reach tens of megabytes; configs are far smaller. */
export const MAX_JSON_BYTES = 128 * 1024 * 1024;

type Doc = Record<string, unknown>;

interface DocumentKind {
  kind: string;
  matches(doc: unknown): boolean;
  check(doc: Doc, ctx: ScanContext): Promise<void> | void;
}

const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

const DOCUMENT_KINDS: readonly DocumentKind[] = [
  {
    kind: 'chat-template-config',
    matches: (doc) => isObject(doc) && 'chat_template' in doc,
    check: (doc, ctx) => checkChatTemplates(doc.chat_template, ctx),
  },
  {
    kind: 'keras-config',
    matches: looksLikeKerasConfig,
    check: async (doc, ctx) => {
      await reportKerasConfig(ctx, doc);
    },
  },
  {
    kind: 'remote-code-config',
    matches: (doc) => isObject(doc) && isObject(doc.auto_map),
    check: (doc, ctx) => checkAutoMap(doc.auto_map as Doc, ctx),
  },
  {
    kind: 'hf-model-config',
    matches: (doc) => isObject(doc) && (typeof doc.model_type === 'string' || Array.isArray(doc.architectures)),
    check: () => undefined,
  },
];

export async function analyzeJson(source: ByteSource, ctx: ScanContext): Promise<void> {
  if (source.size > MAX_JSON_BYTES) {
    ctx.report({ ruleId: 'scan.json.too-large', severity: 'low', message: `JSON document of ${source.size} bytes is above the ${MAX_JSON_BYTES}-byte analysis limit` });
    return;
  }
  const text = decodeText(await readExactly(source, 0, source.size));
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    ctx.report({ ruleId: 'scan.json.invalid', severity: 'medium', message: `content looks like JSON but does not parse: ${errorText(e)}` });
    return;
  }
  const kinds: string[] = [];
  for (const k of DOCUMENT_KINDS) {
    if (!k.matches(doc)) continue;
    kinds.push(k.kind);
    await k.check(doc as Doc, ctx);
  }
  ctx.detail('json', { kinds });
}

function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  return new TextDecoder('utf-8').decode(bytes); // strips a UTF-8 BOM
}

/** `chat_template` is one template, or a list of `{name, template}` (named variants). */
function checkChatTemplates(value: unknown, ctx: ScanContext): void {
  const root = appendPath('$', 'chat_template');
  if (typeof value === 'string') {
    reportTemplate(ctx, value, { label: 'chat_template', location: { jsonPath: root } });
    return;
  }
  if (!Array.isArray(value)) return;
  value.forEach((entry, i) => {
    if (!isObject(entry) || typeof entry.template !== 'string') return;
    const name = typeof entry.name === 'string' ? entry.name : String(i);
    reportTemplate(ctx, entry.template, { label: `chat_template ${JSON.stringify(name)}`, location: { jsonPath: appendPath(appendPath(root, i), 'template') } });
  });
}

/** `auto_map` maps Auto classes to `module.Class` (or `repo--module.Class`) in remote code. */
function checkAutoMap(autoMap: Doc, ctx: ScanContext): void {
  const refs: string[] = [];
  for (const [auto, target] of Object.entries(autoMap)) {
    for (const t of Array.isArray(target) ? target : [target]) if (typeof t === 'string') refs.push(`${t} (${auto})`);
  }
  if (refs.length === 0) return;
  const foreign = refs.filter((r) => r.includes('--'));
  ctx.report({
    ruleId: 'scan.json.remote-code', severity: 'medium',
    message: `auto_map loads Python classes shipped as code: ${refs.slice(0, 8).join(', ')}${refs.length > 8 ? ` and ${refs.length - 8} more` : ''}${foreign.length > 0 ? '; some come from another repository' : ''}`,
    location: { jsonPath: appendPath('$', 'auto_map') },
    evidence: { classes: refs, otherRepositories: foreign },
  });
}

export const jsonAnalyzer: Analyzer = {
  formats: ['json'],
  analyze: analyzeJson,
};
