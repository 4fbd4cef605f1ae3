// A strict JSON parser for headers that must be read exactly as a loader reads them. Unlike
// JSON.parse it reports duplicate keys (JSON.parse silently keeps the last one), keeps numbers as
// written (so integers above 2^53 are not rounded) and bounds nesting depth and value count.
import { appendPath } from './json-path.ts';

export class JsonNumber {
  constructor(readonly raw: string) {}
  /** The exact integer, or null when the literal has a fraction or exponent. */
  integer(): bigint | null {
    return /^-?\d+$/.test(this.raw) ? BigInt(this.raw) : null;
  }
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;
/** Objects keep their first value per key; duplicates are reported separately. */
export type JsonObject = Map<string, JsonValue>;

export interface DuplicateKey {
  /** Path of the object holding the key. */
  path: string;
  key: string;
  /** Character offset of the repeated key in the text. */
  offset: number;
}

export interface StrictJsonResult {
  value: JsonValue;
  duplicates: DuplicateKey[];
}

export class JsonSyntaxError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} at character ${offset}`);
    this.name = 'JsonSyntaxError';
  }
}

export interface StrictJsonLimits {
  maxDepth: number;
  maxValues: number;
}

const DEFAULT_LIMITS: StrictJsonLimits = { maxDepth: 64, maxValues: 5_000_000 };
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

export function parseStrictJson(text: string, limits: Partial<StrictJsonLimits> = {}): StrictJsonResult {
  const { maxDepth, maxValues } = { ...DEFAULT_LIMITS, ...limits };
  const duplicates: DuplicateKey[] = [];
  let pos = 0;
  let values = 0;

  const fail = (message: string): never => {
    throw new JsonSyntaxError(message, pos);
  };
  const skipWs = (): void => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      pos++;
    }
  };

  const parseString = (): string => {
    pos++; // opening quote
    let out = '';
    let start = pos;
    while (true) {
      if (pos >= text.length) fail('unterminated string');
      const c = text.charCodeAt(pos);
      if (c === 0x22) break;
      if (c < 0x20) fail('control character in string');
      if (c === 0x5c) {
        out += text.slice(start, pos);
        const e = text[pos + 1];
        if (e === 'u') {
          const hex = text.slice(pos + 2, pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 6;
        } else {
          const mapped = e !== undefined ? ESCAPES[e] : undefined;
          if (mapped === undefined) fail('invalid escape');
          out += mapped;
          pos += 2;
        }
        start = pos;
        continue;
      }
      pos++;
    }
    out += text.slice(start, pos);
    pos++; // closing quote
    return out;
  };

  const parseValue = (path: string, depth: number): JsonValue => {
    if (++values > maxValues) fail(`more than ${maxValues} values`);
    skipWs();
    const c = text[pos];
    if (c === '{') {
      if (depth >= maxDepth) fail(`nested deeper than ${maxDepth}`);
      pos++;
      const obj: JsonObject = new Map();
      skipWs();
      if (text[pos] === '}') {
        pos++;
        return obj;
      }
      while (true) {
        skipWs();
        if (text[pos] !== '"') fail('expected a string key');
        const keyOffset = pos;
        const key = parseString();
        skipWs();
        if (text[pos] !== ':') fail('expected ":"');
        pos++;
        const v = parseValue(appendPath(path, key), depth + 1);
        if (obj.has(key)) duplicates.push({ path, key, offset: keyOffset });
        else obj.set(key, v);
        skipWs();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          return obj;
        }
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      if (depth >= maxDepth) fail(`nested deeper than ${maxDepth}`);
      pos++;
      const arr: JsonValue[] = [];
      skipWs();
      if (text[pos] === ']') {
        pos++;
        return arr;
      }
      while (true) {
        arr.push(parseValue(appendPath(path, arr.length), depth + 1));
        skipWs();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          return arr;
        }
        fail('expected "," or "]"');
      }
    }
    if (c === '"') return parseString();
    if (text.startsWith('true', pos)) {
      pos += 4;
      return true;
    }
    if (text.startsWith('false', pos)) {
      pos += 5;
      return false;
    }
    if (text.startsWith('null', pos)) {
      pos += 4;
      return null;
    }
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (m) {
      pos += m[0].length;
      return new JsonNumber(m[0]);
    }
    return fail(c === undefined ? 'unexpected end of text' : `unexpected character ${JSON.stringify(c)}`);
  };

  const value = parseValue('$', 0);
  skipWs();
  if (pos < text.length) fail('unexpected text after the document');
  return { value, duplicates };
}

export function isJsonObject(v: JsonValue | undefined): v is JsonObject {
  return v instanceof Map;
}
