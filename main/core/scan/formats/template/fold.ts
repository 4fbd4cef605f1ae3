// Static evaluation of the string expressions a template can build, so that attribute names
// assembled with `~`, `+`, `%`, `join`, `format`, `replace`, `reverse`, slices, `dict(...)` keys or
// variables set elsewhere in the template are seen as the names they produce. Values are sets of
// candidates (a variable set in two places has two); anything not resolvable is "incomplete".
// Every evaluation is bounded: candidates, string length, depth and total steps.
import { text, type Node } from './ast.ts';
import { isTemplateText } from './parse.ts';

export type Const = string | number | boolean | null | Const[];

export interface Folded {
  /** Possible values (at most MAX_CANDIDATES). */
  values: Const[];
  /** False when some possibility is unknown (a variable from the caller, a truncated value...). */
  complete: boolean;
  /** String literals that went into the value: lets `'__cla' ~ x` be recognised when x is unknown. */
  fragments: Set<string>;
  /** A string-building operation was applied (concatenation, join, format, replace...). */
  assembled: boolean;
}

const MAX_CANDIDATES = 16;
const MAX_STRING = 1024;
const MAX_DEPTH = 48;
const MAX_STEPS = 200_000;
/** Longer list literals are not evaluated (names are assembled from a handful of pieces). */
const MAX_LIST = 256;

const unknown = (): Folded => ({ values: [], complete: false, fragments: new Set(), assembled: false });
const known = (values: Const[], fragments: Set<string> = new Set(), assembled = false): Folded =>
  ({ values: values.slice(0, MAX_CANDIDATES), complete: values.length <= MAX_CANDIDATES, fragments, assembled });

/** What a variable may hold: an expression, an element of an iterable, a `{% set %}` block, or unknown. */
export type Source =
  | { kind: 'expr'; node: Node }
  | { kind: 'element'; node: Node }
  | { kind: 'block'; body: Node[] }
  | { kind: 'unknown' };

export type Environment = Map<string, Source[]>;

const STRING_FILTERS = new Set(['join', 'format', 'replace', 'reverse', 'lower', 'upper', 'capitalize', 'title', 'trim', 'string', 'first', 'last', 'list']);

export class Folder {
  private steps = 0;
  private readonly cache = new Map<Node, Folded>();
  private readonly visiting = new Set<string>();

  constructor(private readonly env: Environment) {}

  fold(node: Node, depth = 0): Folded {
    const cached = this.cache.get(node);
    if (cached) return cached;
    if (++this.steps > MAX_STEPS || depth > MAX_DEPTH) return unknown();
    const result = this.evaluate(node, depth + 1);
    this.cache.set(node, result);
    return result;
  }

  private evaluate(n: Node, d: number): Folded {
    switch (n.type) {
      case 'StringLiteral': {
        const s = text(n.value);
        return isTemplateText(n.value) ? known([s]) : known([s], new Set([s]));
      }
      case 'IntegerLiteral':
      case 'FloatLiteral':
        return known([n.value]);
      case 'Identifier':
        return this.variable(text(n.value), d);
      case 'ArrayLiteral':
      case 'TupleLiteral':
        return n.value.length > MAX_LIST ? unknown() : this.list(n.value.map((x) => this.fold(x, d)));
      case 'ObjectLiteral':
        // Iterating or joining a dict yields its keys.
        return n.value.size > MAX_LIST ? unknown() : this.list([...n.value.keys()].map((k) => this.fold(k, d)));
      case 'Ternary':
        return union([this.fold(n.trueExpr, d), this.fold(n.falseExpr, d)]);
      case 'BinaryExpression':
        return this.binary(n.operator.value, this.fold(n.left, d), this.fold(n.right, d));
      case 'FilterExpression': {
        const f = n.filter;
        const name = f.type === 'Identifier' ? text(f.value) : f.callee.type === 'Identifier' ? text(f.callee.value) : '';
        const args = f.type === 'CallExpression' ? f.args.filter((a) => a.type !== 'KeywordArgumentExpression').map((a) => this.fold(a, d)) : [];
        return this.filter(name, this.fold(n.operand, d), args);
      }
      case 'CallExpression':
        return this.call(n, d);
      case 'MemberExpression': {
        if (!n.computed) {
          const path = dottedName(n);
          return path ? this.variable(path, d) : unknown();
        }
        const obj = this.fold(n.object, d);
        if (n.property.type === 'SliceExpression') {
          const p = n.property;
          const part = (x: Node | undefined): Folded => (x ? this.fold(x, d) : known([null]));
          return this.map3(obj, part(p.start), part(p.stop), part(p.step), (o, a, b, c) => slice(o, a, b, c), true);
        }
        return this.map2(obj, this.fold(n.property, d), (o, k) => index(o, k), false);
      }
      default:
        return unknown();
    }
  }

  private variable(name: string, d: number): Folded {
    if (name === 'true' || name === 'True') return known([true]);
    if (name === 'false' || name === 'False') return known([false]);
    if (name === 'none' || name === 'None') return known([null]);
    const sources = [...(this.env.get(name) ?? [])];
    // `ns.x` also starts from the keyword given to `namespace(x=...)` where ns was created.
    const dot = name.indexOf('.');
    if (dot > 0) {
      for (const s of this.env.get(name.slice(0, dot)) ?? []) {
        if (s.kind === 'expr' && s.node.type === 'CallExpression' && s.node.callee.type === 'Identifier' && text(s.node.callee.value) === 'namespace') {
          for (const a of s.node.args) {
            if (a.type === 'KeywordArgumentExpression' && text(a.key.value) === name.slice(dot + 1)) sources.push({ kind: 'expr', node: a.value });
          }
        }
      }
    }
    if (sources.length === 0 || this.visiting.has(name)) return unknown();
    this.visiting.add(name);
    try {
      return union(sources.map((s) => this.source(s, d)));
    } finally {
      this.visiting.delete(name);
    }
  }

  private source(s: Source, d: number): Folded {
    switch (s.kind) {
      case 'expr':
        return this.fold(s.node, d);
      case 'element': {
        const it = this.fold(s.node, d);
        const elements: Const[] = [];
        // Candidates are capped at MAX_STRING characters or MAX_CANDIDATES combinations, so small.
        for (const v of it.values) {
          if (Array.isArray(v)) elements.push(...v.slice(0, MAX_STRING));
          else if (typeof v === 'string') elements.push(...[...v].slice(0, MAX_STRING));
        }
        return { ...known(elements, it.fragments, it.assembled), complete: it.complete && elements.length <= MAX_CANDIDATES };
      }
      case 'block': {
        const parts = s.body.map((x) => this.fold(x, d));
        return parts.reduce((acc, p) => this.binary('~', acc, p), known(['']));
      }
      default:
        return unknown();
    }
  }

  private list(items: Folded[]): Folded {
    const fragments = mergeFragments(items);
    const assembled = items.some((i) => i.assembled);
    if (!items.every((i) => i.complete && i.values.length > 0)) return { values: [], complete: false, fragments, assembled };
    let combos: Const[][] = [[]];
    for (const item of items) {
      const next: Const[][] = [];
      for (const c of combos) for (const v of item.values) if (next.length < MAX_CANDIDATES) next.push([...c, v]);
      combos = next;
    }
    return { values: combos, complete: true, fragments, assembled };
  }

  private binary(op: string, l: Folded, r: Folded): Folded {
    const apply = (a: Const, b: Const): Const | undefined => {
      switch (op) {
        case '~': return str(a) + str(b);
        case '+':
          if (typeof a === 'string' && typeof b === 'string') return a + b;
          if (typeof a === 'number' && typeof b === 'number') return a + b;
          if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
          return undefined;
        case '*':
          if (typeof a === 'string' && typeof b === 'number') return repeat(a, b);
          if (typeof b === 'string' && typeof a === 'number') return repeat(b, a);
          if (typeof a === 'number' && typeof b === 'number') return a * b;
          return undefined;
        case '%':
          if (typeof a === 'string') return percentFormat(a, Array.isArray(b) ? b : [b]);
          if (typeof a === 'number' && typeof b === 'number' && b !== 0) return a % b;
          return undefined;
        default:
          return undefined;
      }
    };
    // `~` always builds a string; `+`, `*` and `%` only when a string takes part (not `loop.index0 + 1`).
    const stringy = [...l.values, ...r.values].some((v) => typeof v === 'string') || l.fragments.size > 0 || r.fragments.size > 0;
    return this.map2(l, r, apply, op === '~' || (stringy && (op === '+' || op === '*' || op === '%')));
  }

  private filter(name: string, operand: Folded, args: Folded[]): Folded {
    if (!STRING_FILTERS.has(name)) return { ...unknown(), fragments: operand.fragments };
    const argValues = args.map((a) => (a.complete && a.values.length === 1 ? a.values[0]! : undefined));
    const argsKnown = argValues.every((v) => v !== undefined);
    const fragments = mergeFragments([operand, ...args]);
    const values: Const[] = [];
    for (const v of operand.values) {
      const r = applyFilter(name, v, argValues);
      if (r !== undefined) values.push(truncate(r));
    }
    return { values: values.slice(0, MAX_CANDIDATES), complete: operand.complete && argsKnown && values.length === operand.values.length, fragments, assembled: true };
  }

  private call(n: Extract<Node, { type: 'CallExpression' }>, d: number): Folded {
    const callee = n.callee;
    // dict(__cla=1, ss__=1)|join: the keyword names become the keys.
    if (callee.type === 'Identifier' && text(callee.value) === 'dict') {
      const keys = n.args.filter((a) => a.type === 'KeywordArgumentExpression').map((a) => text(a.key.value));
      return { values: [keys], complete: keys.length === n.args.length, fragments: new Set(keys), assembled: true };
    }
    if (callee.type === 'MemberExpression' && !callee.computed && callee.property.type === 'Identifier') {
      const method = text(callee.property.value);
      const obj = this.fold(callee.object, d);
      const args = n.args.filter((a) => a.type !== 'KeywordArgumentExpression').map((a) => this.fold(a, d));
      const fragments = mergeFragments([obj, ...args]);
      const argVals = args.map((a) => (a.complete && a.values.length === 1 ? a.values[0]! : undefined));
      const values: Const[] = [];
      for (const o of obj.values) {
        if (typeof o !== 'string') continue;
        const r = stringMethod(method, o, argVals);
        if (r !== undefined) values.push(truncate(r));
      }
      const complete = obj.complete && argVals.every((v) => v !== undefined) && values.length === obj.values.length && values.length > 0;
      return { values, complete, fragments, assembled: true };
    }
    return unknown();
  }

  private map2(a: Folded, b: Folded, f: (x: Const, y: Const) => Const | undefined, assembles: boolean): Folded {
    const values: Const[] = [];
    let complete = a.complete && b.complete;
    for (const x of a.values) {
      for (const y of b.values) {
        const r = f(x, y);
        if (r === undefined) complete = false;
        else if (values.length < MAX_CANDIDATES) values.push(truncate(r));
        else complete = false;
      }
    }
    return { values, complete, fragments: mergeFragments([a, b]), assembled: assembles || a.assembled || b.assembled };
  }

  private map3(a: Folded, b: Folded, c: Folded, e: Folded, f: (w: Const, x: Const, y: Const, z: Const) => Const | undefined, assembles: boolean): Folded {
    const values: Const[] = [];
    let complete = a.complete && b.complete && c.complete && e.complete;
    for (const w of a.values) for (const x of b.values) for (const y of c.values) for (const z of e.values) {
      const r = f(w, x, y, z);
      if (r === undefined) complete = false;
      else if (values.length < MAX_CANDIDATES) values.push(truncate(r));
    }
    return { values, complete, fragments: mergeFragments([a, b, c, e]), assembled: assembles || a.assembled };
  }
}

/** `a.b.c` for a chain of plain attribute reads on a variable, else null. */
export function dottedName(n: Node): string | null {
  const parts: string[] = [];
  let x = n;
  while (x.type === 'MemberExpression' && !x.computed && x.property.type === 'Identifier' && parts.length < 64) {
    parts.unshift(text(x.property.value));
    x = x.object;
  }
  return x.type === 'Identifier' ? [text(x.value), ...parts].join('.') : null;
}

function union(parts: Folded[]): Folded {
  const values: Const[] = [];
  const seen = new Set<string>();
  let complete = true;
  for (const p of parts) {
    complete &&= p.complete;
    for (const v of p.values) {
      const key = JSON.stringify(v);
      if (seen.has(key)) continue;
      seen.add(key);
      if (values.length < MAX_CANDIDATES) values.push(v);
      else complete = false;
    }
  }
  return { values, complete, fragments: mergeFragments(parts), assembled: parts.some((p) => p.assembled) };
}

function mergeFragments(parts: Folded[]): Set<string> {
  const out = new Set<string>();
  for (const p of parts) for (const f of p.fragments) if (out.size < 256) out.add(f);
  return out;
}

function str(v: Const): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (Array.isArray(v)) return `[${v.map((x) => (typeof x === 'string' ? `'${x}'` : str(x))).join(', ')}]`;
  return String(v);
}

function truncate(v: Const): Const {
  return typeof v === 'string' && v.length > MAX_STRING ? v.slice(0, MAX_STRING) : v;
}

function repeat(s: string, n: number): string | undefined {
  if (!Number.isInteger(n) || n < 0) return undefined;
  return s.repeat(Math.min(n, Math.ceil(MAX_STRING / Math.max(1, s.length))));
}

/** Python %-formatting for %s %d %i %c %r %%. */
function percentFormat(fmt: string, args: Const[]): string | undefined {
  let i = 0;
  let ok = true;
  const out = fmt.replace(/%([%sdicr])/g, (_, c: string) => {
    if (c === '%') return '%';
    const a = args[i++];
    if (a === undefined) {
      ok = false;
      return '';
    }
    if (c === 'c') return typeof a === 'number' ? String.fromCodePoint(Math.max(0, Math.min(0x10ffff, Math.trunc(a)))) : str(a).slice(0, 1);
    if (c === 'd' || c === 'i') return typeof a === 'number' ? String(Math.trunc(a)) : str(a);
    return str(a);
  });
  return ok ? out : undefined;
}

/** Python str.format with `{}` and `{0}` fields. */
function braceFormat(fmt: string, args: (Const | undefined)[]): string | undefined {
  let auto = 0;
  let ok = true;
  const out = fmt.replace(/\{(\d*)\}/g, (_, n: string) => {
    const a = args[n === '' ? auto++ : Number(n)];
    if (a === undefined) ok = false;
    return a === undefined ? '' : str(a);
  });
  return ok ? out : undefined;
}

function applyFilter(name: string, v: Const, args: (Const | undefined)[]): Const | undefined {
  const a0 = args[0];
  switch (name) {
    case 'join': {
      const sep = typeof a0 === 'string' ? a0 : '';
      if (Array.isArray(v)) return v.map(str).join(sep);
      return typeof v === 'string' ? [...v].join(sep) : undefined;
    }
    case 'format':
      return typeof v === 'string' && args.every((x) => x !== undefined) ? percentFormat(v, args as Const[]) : undefined;
    case 'replace':
      return typeof v === 'string' && typeof a0 === 'string' && typeof args[1] === 'string' ? v.split(a0).join(args[1]) : undefined;
    case 'reverse':
      if (typeof v === 'string') return [...v].reverse().join('');
      return Array.isArray(v) ? [...v].reverse() : undefined;
    case 'lower': return typeof v === 'string' ? v.toLowerCase() : undefined;
    case 'upper': return typeof v === 'string' ? v.toUpperCase() : undefined;
    case 'capitalize': return typeof v === 'string' ? v.charAt(0).toUpperCase() + v.slice(1).toLowerCase() : undefined;
    case 'title': return typeof v === 'string' ? v.replace(/\w+/g, (w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()) : undefined;
    case 'trim': return typeof v === 'string' ? v.trim() : undefined;
    case 'string': return str(v);
    case 'first': return typeof v === 'string' ? v.charAt(0) : Array.isArray(v) ? v[0] : undefined;
    case 'last': return typeof v === 'string' ? v.charAt(v.length - 1) : Array.isArray(v) ? v[v.length - 1] : undefined;
    case 'list': return typeof v === 'string' ? [...v] : Array.isArray(v) ? v : undefined;
    default: return undefined;
  }
}

function stringMethod(method: string, s: string, args: (Const | undefined)[]): Const | undefined {
  const a0 = args[0];
  switch (method) {
    case 'join':
      return Array.isArray(a0) ? a0.map(str).join(s) : typeof a0 === 'string' ? [...a0].join(s) : undefined;
    case 'replace':
      return typeof a0 === 'string' && typeof args[1] === 'string' ? s.split(a0).join(args[1]) : undefined;
    case 'format': return braceFormat(s, args);
    case 'upper': return s.toUpperCase();
    case 'lower': return s.toLowerCase();
    case 'strip': return typeof a0 === 'string' ? stripChars(s, a0, true, true) : s.trim();
    case 'lstrip': return typeof a0 === 'string' ? stripChars(s, a0, true, false) : s.trimStart();
    case 'rstrip': return typeof a0 === 'string' ? stripChars(s, a0, false, true) : s.trimEnd();
    case 'title': return s.replace(/\w+/g, (w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase());
    case 'capitalize': return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
    default: return undefined;
  }
}

function stripChars(s: string, chars: string, left: boolean, right: boolean): string {
  let a = 0;
  let b = s.length;
  while (left && a < b && chars.includes(s[a]!)) a++;
  while (right && b > a && chars.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}

function index(o: Const, k: Const): Const | undefined {
  if (typeof k !== 'number' || !Number.isInteger(k)) return undefined;
  if (typeof o === 'string') return o.at(k);
  return Array.isArray(o) ? o.at(k) : undefined;
}

/** Python slice semantics on strings and lists. */
function slice(o: Const, start: Const, stop: Const, step: Const): Const | undefined {
  const seq = typeof o === 'string' ? [...o] : Array.isArray(o) ? o : null;
  if (!seq) return undefined;
  const asInt = (v: Const): number | null | undefined => (v === null ? null : typeof v === 'number' && Number.isInteger(v) ? v : undefined);
  const a = asInt(start);
  const b = asInt(stop);
  const s = asInt(step) ?? 1;
  if (a === undefined || b === undefined || s === 0) return undefined;
  const len = seq.length;
  const norm = (v: number, lo: number, hi: number): number => (v < 0 ? Math.max(lo, v + len) : Math.min(hi, v));
  const out: Const[] = [];
  if (s > 0) {
    const from = a === null ? 0 : norm(a, 0, len);
    const to = b === null ? len : norm(b, 0, len);
    for (let i = from; i < to; i += s) out.push(seq[i]!);
  } else {
    const from = a === null ? len - 1 : norm(a, -1, len - 1);
    const to = b === null ? -1 : norm(b, -1, len - 1);
    for (let i = from; i > to; i += s) out.push(seq[i]!);
  }
  return typeof o === 'string' ? out.join('') : out;
}
