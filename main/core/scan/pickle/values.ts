// Symbolic values of the pickle machine. Plain data is kept as JS primitives (str, int, bool,
// None) or as small objects with bounded contents; what matters for security (globals, calls,
// byte strings that may hold pickles, dict keys that set attributes) keeps enough detail to be
// resolved and explained. Nothing here grows with the size of the pickle.
import type { Classification } from './policy.ts';

export const K = {
  Float: 1,
  Bytes: 2,
  Text: 3,
  Global: 4,
  Call: 5,
  Tuple: 6,
  List: 7,
  Dict: 8,
  Set: 9,
  Pers: 10,
  Buffer: 11,
  Module: 12,
  Opaque: 13,
} as const;

/** Containers keep at most this many items; their count stays exact. */
export const MAX_TUPLE_ITEMS = 64;
export const MAX_LIST_ITEMS = 4096;
export const MAX_DICT_PAIRS = 32;

export type Value = string | number | bigint | boolean | null | Obj;

export abstract class Obj {
  abstract readonly k: number;
}

/** A float: its value never matters for safety, so one shared instance stands for all. */
class FloatVal extends Obj {
  readonly k = K.Float;
}
export const FLOAT: Obj = new FloatVal();

/** Why a value is unknown: evicted from the bounded memo, or opaque by construction. */
export class OpaqueVal extends Obj {
  readonly k = K.Opaque;
  constructor(readonly why: string) { super(); }
}
export const EVICTED = new OpaqueVal('a memo entry dropped by the scanner\'s memory bound');

export const BYTES_RAW = 0;
/** The bytes are the latin-1 encoding of UTF-8 text stored in the file (protocol 2 `_codecs.encode`). */
export const BYTES_UTF8_AS_LATIN1 = 1;
export const BYTES_INLINE = 2;

/** A bytes/bytearray/(Python 2 str) value; its content stays in the file and is read on demand. */
export class BytesVal extends Obj {
  readonly k = K.Bytes;
  constructor(
    /** Absolute offset in the walked source. */
    readonly offset: number,
    readonly length: number,
    readonly encoding: number,
    readonly inline: Uint8Array | null,
    readonly typeName: 'bytes' | 'bytearray' | 'str',
    /** First bytes look like a pickle stream (PROTO 2..5). */
    readonly pickleHint: boolean,
  ) { super(); }
}

/** A str too long to keep: its location and first characters. */
export class TextVal extends Obj {
  readonly k = K.Text;
  constructor(readonly offset: number, readonly length: number, readonly head: string, readonly utf8: boolean) { super(); }
}

/** Usage counters of one global, so repeated calls aggregate without a lookup per call. */
export interface GlobalUse {
  references: number;
  calls: number;
  firstCall: { opcodeIndex: number; byteOffset: number; stream: number; kind: string } | null;
  /** Rendered first call, e.g. `posix.system('id')`. */
  firstCallText: string | null;
  /** Calls of a byte loader whose argument was bytes embedded in the file (noted, not condemned). */
  embeddedCalls: number;
}

/** A module attribute reached by GLOBAL, STACK_GLOBAL, INST, EXT, or derived by a resolver. */
export class GlobalVal extends Obj {
  readonly k = K.Global;
  constructor(
    readonly module: string,
    readonly name: string,
    readonly classification: Classification,
    readonly opcodeIndex: number,
    readonly byteOffset: number,
    readonly stream: number,
    /** How it was reached when not named directly, e.g. `builtins.getattr(<module posix>, 'system')`. */
    readonly via: string | null,
    readonly use: GlobalUse,
  ) { super(); }

  get qualified(): string {
    return this.module ? `${this.module}.${this.name}` : this.name;
  }
}

/** A module object, produced by resolving `__import__('os')`-style calls. */
export class ModuleVal extends Obj {
  readonly k = K.Module;
  constructor(readonly name: string) { super(); }
}

export type CallKind = 'reduce' | 'newobj' | 'newobj_ex' | 'obj' | 'inst' | 'build' | 'persid' | 'setitem' | 'append' | 'additems';

/** The result of a call; `state` is what BUILD later applied to it. */
export class CallVal extends Obj {
  readonly k = K.Call;
  state: Value | undefined = undefined;
  /** Set on `operator.attrgetter(name)` results: calling them fetches `name` from the argument. */
  getter: string | null = null;
  /** Kept by the bounded memo however old (dtypes that later arrays fetch again). */
  keep = false;
  constructor(
    readonly kind: CallKind,
    readonly callee: Value,
    readonly args: Value,
    readonly opcodeIndex: number,
    readonly byteOffset: number,
    /** What the call produces when a resolver could work it out (a module, a derived global). */
    public resolved: GlobalVal | ModuleVal | BytesVal | null,
    readonly kwargs: Value = null,
  ) { super(); }
}

export class TupleVal extends Obj {
  readonly k = K.Tuple;
  private list: Value[] | null;
  private readonly x0: Value;
  private readonly x1: Value;
  /** `items`: the kept items (at most MAX_TUPLE_ITEMS); `size`: the tuple's real length. */
  constructor(items: Value[] | null, readonly size: number, x0: Value = null, x1: Value = null) {
    super();
    this.list = items;
    this.x0 = x0;
    this.x1 = x1;
  }

  /**
   * A 2-tuple with its items in fields: the commonest tuple of large pickles (TUPLE2) then costs
   * one object instead of two, and its array is made only if something reads `items`.
   */
  static pair(a: Value, b: Value): TupleVal {
    return new TupleVal(null, 2, a, b);
  }

  get items(): Value[] {
    if (this.list === null) this.list = [this.x0, this.x1];
    return this.list;
  }

  /** How many items are kept (size may be larger). */
  get kept(): number {
    return this.list === null ? 2 : this.list.length;
  }

  /** Item i without making the array of a pair. */
  item(i: number): Value | undefined {
    if (this.list !== null) return this.list[i];
    return i === 0 ? this.x0 : i === 1 ? this.x1 : undefined;
  }
}

export class ListVal extends Obj {
  readonly k = K.List;
  size = 0;
  readonly items: Value[] = [];
  push(v: Value): void {
    if (this.items.length < MAX_LIST_ITEMS) this.items.push(v);
    this.size++;
  }
}

export class DictVal extends Obj {
  readonly k = K.Dict;
  size = 0;
  /** Key, value, key, value... for the first MAX_DICT_PAIRS pairs; null until the first one. */
  pairs: Value[] | null = null;
  /** The first dunder-named str key ever set, kept even when the pairs are truncated. */
  dunderKey: string | null = null;
  /** The memo key this dict was stored under (the memo keeps only a code for plain dicts). */
  memoKey = -1;
  set(key: Value, value: Value): void {
    if (typeof key === 'string' && this.dunderKey === null && key.length > 4 && isDunder(key)) this.dunderKey = key;
    if (this.pairs === null) this.pairs = [key, value];
    else if (this.pairs.length < 2 * MAX_DICT_PAIRS) this.pairs.push(key, value);
    this.size++;
  }
  /**
   * SETITEMS: the pairs stack[from..to) in one go. Pairs are kept only when `keep` (the dict may
   * become an object's state: joblib wrapper fields, state keys named in messages); plain data
   * dicts keep their size and first dunder key only, so millions of them cost no retained memory.
   */
  setFrom(stack: readonly Value[], from: number, to: number, keep: boolean): void {
    for (let i = from; i < to; i += 2) {
      const key = stack[i];
      if (typeof key === 'string' && this.dunderKey === null && key.length > 4 && isDunder(key)) this.dunderKey = key;
    }
    if (!keep) {
      this.size += (to - from) >> 1;
      return;
    }
    if (this.pairs === null) {
      const n = Math.min(to, from + 2 * MAX_DICT_PAIRS) - from;
      const pairs = new Array<Value>(n);
      for (let i = 0; i < n; i++) pairs[i] = stack[from + i]!;
      this.pairs = pairs;
    } else for (let i = from; i + 1 < to && this.pairs.length < 2 * MAX_DICT_PAIRS; i += 2) this.pairs.push(stack[i]!, stack[i + 1]!);
    this.size += (to - from) >> 1;
  }
  get(key: string): Value | undefined {
    const p = this.pairs;
    if (p === null) return undefined;
    for (let i = p.length - 2; i >= 0; i -= 2) if (p[i] === key) return p[i + 1];
    return undefined;
  }
  keys(): Value[] {
    const p = this.pairs ?? [];
    const out: Value[] = [];
    for (let i = 0; i < p.length; i += 2) out.push(p[i]!);
    return out;
  }
}

export class SetVal extends Obj {
  readonly k = K.Set;
  size = 0;
  constructor(readonly frozen: boolean) { super(); }
}

/** What persistent_load returned for a persistent id. */
export class PersVal extends Obj {
  readonly k = K.Pers;
  constructor(readonly pid: Value, readonly index: number) { super(); }
}

export class BufferVal extends Obj {
  readonly k = K.Buffer;
  constructor(readonly readonly: boolean) { super(); }
}

/** `__name__` shaped: starts and ends with two underscores. */
export function isDunder(s: string): boolean {
  return s.length > 4 && s.charCodeAt(0) === 95 && s.charCodeAt(1) === 95
    && s.charCodeAt(s.length - 1) === 95 && s.charCodeAt(s.length - 2) === 95;
}

export function isStr(v: Value): v is string {
  return typeof v === 'string';
}

export function typeName(v: Value): string {
  if (v === null) return 'None';
  switch (typeof v) {
    case 'string': return 'str';
    case 'number': return 'int';
    case 'bigint': return 'int';
    case 'boolean': return 'bool';
    default: break;
  }
  switch (v.k) {
    case K.Float: return 'float';
    case K.Bytes: return (v as BytesVal).typeName;
    case K.Text: return 'str';
    case K.Global: return 'global';
    case K.Call: return 'object';
    case K.Tuple: return 'tuple';
    case K.List: return 'list';
    case K.Dict: return 'dict';
    case K.Set: return (v as SetVal).frozen ? 'frozenset' : 'set';
    case K.Pers: return 'persistent object';
    case K.Buffer: return 'buffer';
    case K.Module: return 'module';
    default: return 'unknown';
  }
}

/** Python-like rendering for messages and the UI, bounded in length. */
export function render(v: Value, max = 160): string {
  const out = renderInner(v, 3, max);
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}

function pyStr(s: string, max: number): string {
  const cut = s.length > max ? s.slice(0, max) : s;
  const body = cut.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    .replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `'${body}${s.length > max ? '…' : ''}'`;
}

function renderInner(v: Value, depth: number, max: number): string {
  if (v === null) return 'None';
  switch (typeof v) {
    case 'string': return pyStr(v, max);
    case 'number': return String(v);
    case 'bigint': return v.toString();
    case 'boolean': return v ? 'True' : 'False';
    default: break;
  }
  switch (v.k) {
    case K.Float: return '<float>';
    case K.Bytes: {
      const b = v as BytesVal;
      if (b.inline && b.inline.length <= 48) {
        let s = '';
        for (const x of b.inline) s += x >= 0x20 && x < 0x7f && x !== 0x27 && x !== 0x5c ? String.fromCharCode(x) : `\\x${x.toString(16).padStart(2, '0')}`;
        return `${b.typeName === 'bytearray' ? 'bytearray(' : ''}b'${s}'${b.typeName === 'bytearray' ? ')' : ''}`;
      }
      return `<${b.typeName} of ${b.length} bytes at ${b.offset}>`;
    }
    case K.Text: {
      const t = v as TextVal;
      return `${pyStr(t.head, Math.min(max, 40))}<…${t.length} bytes>`;
    }
    case K.Global: return (v as GlobalVal).qualified;
    case K.Module: return `<module ${(v as ModuleVal).name}>`;
    case K.Call: {
      const c = v as CallVal;
      if (depth <= 0) return '<call>';
      return `${renderInner(c.callee, depth - 1, max)}(${renderArgs(c.args, depth - 1, max)})`;
    }
    case K.Tuple: {
      const t = v as TupleVal;
      if (depth <= 0) return `<tuple of ${t.size}>`;
      const parts = t.items.slice(0, 8).map((x) => renderInner(x, depth - 1, max));
      if (t.size > parts.length) parts.push(`…${t.size - parts.length} more`);
      return t.size === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`;
    }
    case K.List: {
      const l = v as ListVal;
      if (depth <= 0) return `<list of ${l.size}>`;
      const parts = l.items.slice(0, 8).map((x) => renderInner(x, depth - 1, max));
      if (l.size > parts.length) parts.push(`…${l.size - parts.length} more`);
      return `[${parts.join(', ')}]`;
    }
    case K.Dict: {
      const d = v as DictVal;
      if (depth <= 0) return `<dict of ${d.size}>`;
      const parts: string[] = [];
      const p = d.pairs ?? [];
      for (let i = 0; i + 1 < Math.min(p.length, 16); i += 2) parts.push(`${renderInner(p[i]!, depth - 1, max)}: ${renderInner(p[i + 1]!, depth - 1, max)}`);
      if (d.size > parts.length) parts.push(`…${d.size - parts.length} more`);
      return `{${parts.join(', ')}}`;
    }
    case K.Set: return `<${typeName(v)} of ${(v as SetVal).size}>`;
    case K.Pers: return `<persistent ${renderInner((v as PersVal).pid, depth - 1, max)}>`;
    case K.Buffer: return '<out-of-band buffer>';
    case K.Opaque: return `<unknown: ${(v as OpaqueVal).why}>`;
    default: return '<?>';
  }
}

/** Renders call arguments without the tuple's parentheses. */
export function renderArgs(args: Value, depth = 2, max = 160): string {
  if (args instanceof TupleVal) {
    const parts = args.items.slice(0, 8).map((x) => renderInner(x, depth, max));
    if (args.size > parts.length) parts.push(`…${args.size - parts.length} more`);
    return parts.join(', ');
  }
  return `*${renderInner(args, depth, max)}`;
}
