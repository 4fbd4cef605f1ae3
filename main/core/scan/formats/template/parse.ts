// Parses a chat template with @huggingface/jinja's lexer and parser and keeps source positions.
// The library's tokens and AST carry no positions, so we (1) re-walk the source beside the token
// list to find where each token starts, mirroring the lexer's rules, and (2) hand the parser
// tokens whose value is a String object tagged with that offset. The parser copies token values
// into Identifier and StringLiteral nodes, so the tag travels to the AST; keywords stay plain
// strings because the parser compares them by identity. If the alignment ever fails (a lexer
// change), positions are simply absent: detection does not depend on them.
import { parse, tokenize } from '@huggingface/jinja';
import type { Program } from './ast.ts';

type Token = ReturnType<typeof tokenize>[number];

/** A token value carrying where it starts in the original template. */
export interface Tagged extends String {
  offset: number;
  /** `text` for template text between tags, `token` for identifiers and string literals. */
  kind: 'text' | 'token';
}

/** Identifier values the parser compares against; these must stay primitive strings. */
const KEYWORDS = new Set([
  'set', 'endset', 'if', 'elif', 'else', 'endif', 'for', 'endfor', 'in', 'not', 'and', 'or', 'is',
  'macro', 'endmacro', 'call', 'endcall', 'filter', 'endfilter', 'break', 'continue', 'generation', 'endgeneration',
]);

export interface ParsedTemplate {
  program: Program;
  /** Line and column (1-based) of an offset in the original template. */
  position(offset: number): { line: number; column: number };
}

export type ParseOutcome = { ok: true; template: ParsedTemplate } | { ok: false; error: string };

export function parseTemplate(source: string): ParseOutcome {
  let tokens: Token[];
  try {
    tokens = tokenize(source);
  } catch (e) {
    return { ok: false, error: `lexer: ${message(e)}` };
  }
  const offsets = alignTokens(source, tokens);
  const tagged = tokens.map((t, i) => {
    const offset = offsets[i] ?? -1; // -1: position unknown (alignment failed)
    const taggable = t.type === 'StringLiteral' || t.type === 'Text' || (t.type === 'Identifier' && !KEYWORDS.has(t.value));
    if (!taggable) return t;
    const value = Object.assign(new String(t.value), { offset, kind: t.type === 'Text' ? 'text' : 'token' }) as Tagged;
    return { ...t, value } as unknown as Token;
  });
  let program: Program;
  try {
    program = parse(tagged) as unknown as Program;
  } catch (e) {
    // Includes RangeError from runaway nesting and TypeError when the token list ends early.
    return { ok: false, error: `parser: ${message(e)}` };
  }
  const lineStarts = [0];
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 0x0a) lineStarts.push(i + 1);
  return {
    ok: true,
    template: {
      program,
      position(offset) {
        let lo = 0;
        let hi = lineStarts.length - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (lineStarts[mid]! <= offset) lo = mid;
          else hi = mid - 1;
        }
        return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
      },
    },
  };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The offset a tagged AST value carries, if any. */
export function offsetOf(v: unknown): number | undefined {
  const offset = v instanceof String ? (v as Partial<Tagged>).offset : undefined;
  return typeof offset === 'number' && offset >= 0 ? offset : undefined;
}

/** True for StringLiteral nodes that hold template text (output between tags), not a quoted literal. */
export function isTemplateText(v: unknown): boolean {
  return v instanceof String && (v as Partial<Tagged>).kind === 'text';
}

// The lexer removes `{% generation %}` tags (a transformers extension) before tokenizing; we apply
// the same rewrite and keep a map from rewritten offsets back to the original ones.
const GENERATION_TAG = /(\s*){%(-?)\s*(?:end)?generation\s*(-?)%}(\s*)/gs;

interface Segment {
  at: number;
  original: number;
}

function rewriteGeneration(source: string): { text: string; segments: Segment[] } {
  const segments: Segment[] = [{ at: 0, original: 0 }];
  let text = '';
  let last = 0;
  for (const m of source.matchAll(GENERATION_TAG)) {
    const start = m.index ?? 0;
    text += source.slice(last, start);
    const before = m[2] ? '' : (m[1] ?? '');
    const after = m[3] ? '' : (m[4] ?? '');
    segments.push({ at: text.length, original: start });
    text += before;
    segments.push({ at: text.length, original: start + m[0].length - after.length });
    text += after;
    last = start + m[0].length;
    segments.push({ at: text.length, original: last });
  }
  text += source.slice(last);
  return { text, segments };
}

function toOriginal(segments: Segment[], at: number): number {
  let seg = segments[0]!;
  for (const s of segments) {
    if (s.at <= at) seg = s;
    else break;
  }
  return seg.original + (at - seg.at);
}

/** The lexer's /\s/ test, with a fast path for ASCII. */
const isSpace = (c: string | undefined): boolean => {
  if (c === undefined) return false;
  const code = c.charCodeAt(0);
  if (code < 128) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  return /\s/.test(c);
};

/** Start offset (in the original source) of every token, or undefined from the first mismatch on. */
function alignTokens(source: string, tokens: readonly Token[]): (number | undefined)[] {
  const { text: src, segments } = rewriteGeneration(source);
  const out: (number | undefined)[] = [];
  let cur = 0;
  const skipSpace = (): void => {
    while (cur < src.length && isSpace(src[cur])) cur++;
  };
  for (const t of tokens) {
    let start: number;
    switch (t.type) {
      case 'Text': {
        start = cur;
        // Text runs to the next tag opener; the lexer may have trimmed its trailing whitespace.
        while (cur < src.length && !(src[cur] === '{' && (src[cur + 1] === '%' || src[cur + 1] === '{' || src[cur + 1] === '#'))) cur++;
        break;
      }
      case 'Comment': {
        start = src.indexOf('{#', cur);
        const close = start < 0 ? -1 : src.indexOf('#}', start + 2);
        if (close < 0) return pad(out, tokens.length);
        cur = close + 2;
        if (src[close - 1] === '-') skipSpace();
        break;
      }
      case 'OpenStatement':
      case 'OpenExpression': {
        // A whitespace-only text before `{%-` is dropped by the lexer, so skip it here too.
        skipSpace();
        start = cur;
        if (!src.startsWith(t.value, cur)) return pad(out, tokens.length);
        cur += src[cur + 2] === '-' ? 3 : 2;
        break;
      }
      case 'CloseStatement':
      case 'CloseExpression': {
        skipSpace();
        start = cur;
        if (src[cur] === '-' && src.startsWith(t.value, cur + 1)) {
          cur += 3;
          skipSpace();
        } else if (src.startsWith(t.value, cur)) {
          cur += 2;
        } else {
          return pad(out, tokens.length);
        }
        break;
      }
      case 'StringLiteral': {
        skipSpace();
        start = cur;
        const quote = src[cur];
        if (quote !== '"' && quote !== "'") return pad(out, tokens.length);
        let i = cur + 1;
        while (i < src.length && src[i] !== quote) i += src[i] === '\\' ? 2 : 1;
        cur = i + 1;
        break;
      }
      default: {
        skipSpace();
        start = cur;
        if (!src.startsWith(t.value, cur)) return pad(out, tokens.length);
        cur += t.value.length;
      }
    }
    out.push(toOriginal(segments, start));
  }
  return out;
}

function pad(out: (number | undefined)[], n: number): (number | undefined)[] {
  while (out.length < n) out.push(undefined);
  return out;
}
