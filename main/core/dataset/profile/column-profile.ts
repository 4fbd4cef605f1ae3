// Schema inference for one column, streamed: value kinds, nulls, distinct count (exact up to a
// bound, then HyperLogLog), length and numeric ranges, and a few (masked) example values.
import type { Cell } from '../read/types.ts';
import { DistinctSet, hashPair } from './distinct-set.ts';
import { hash32 } from './hash.ts';
import { HyperLogLog } from './hll.ts';

export const COLUMN_TYPES = ['empty', 'boolean', 'integer', 'number', 'date', 'string', 'text', 'mixed'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** Values that mean "missing" in exported tables. */
const NULL_TOKENS = new Set(['', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'Null', 'None', 'none', 'NaN', 'nan', '#N/A']);
const EXACT_DISTINCT_LIMIT = 10_000;
const EXAMPLES = 3;
const EXAMPLE_CHARS = 80;

// The language of integers is /^[+-]?\d+$/ and of numbers /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/,
// matched by hand in numberShape.
const DATE = /^(?:\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?|\d{1,2}[/.]\d{1,2}[/.]\d{4})$/;
const BOOL = /^(?:true|false|TRUE|FALSE|True|False)$/;

type Kind = 'boolean' | 'integer' | 'number' | 'date' | 'string';

/** Scratch for a value's key pair (one thread, no re-entry). */
const PAIR = new Uint32Array(2);

/**
 * Distinct counting of long values hashes their first 64 characters and their length: values
 * that agree on both are counted once (an approximation that keeps long text cheap).
 */
function hashHead(s: string): number {
  return s.length <= 64 ? hash32(s) : hash32(s, 0x811c9dc5 ^ s.length, 64);
}

export function isNullValue(v: Cell): boolean {
  if (v === null) return true;
  if (typeof v !== 'string' || v.length > 8) return false; // every null token is short
  return v.length === 0 || (mayBeNullToken(v) && (NULL_TOKENS.has(v) || NULL_TOKENS.has(v.trim())));
}

/** Cheap test before the set lookups: every null token starts with N, n, # or is padded. */
function mayBeNullToken(s: string): boolean {
  const c = s.charCodeAt(0);
  return c === 78 || c === 110 || c === 35 || c <= 32;
}

function trimmed(s: string): string {
  const n = s.length;
  return n > 0 && (s.charCodeAt(0) <= 32 || s.charCodeAt(n - 1) <= 32) ? s.trim() : s;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * The kind of a trimmed value, by one pass over its characters where the regular expressions
 * above would take two or three: INT and NUM are matched by hand, DATE only when the value is
 * long enough and has a date separator where a date has one.
 */
export function kindOfString(s: string): Kind {
  const n = s.length;
  const c = s.charCodeAt(0);
  if (isDigit(c) || c === 45 || c === 43 || c === 46) {
    const numeric = numberShape(s);
    if (numeric !== null) return numeric;
    if (n >= 8 && isDigit(c) && DATE.test(s)) return 'date';
    return 'string';
  }
  if ((c === 116 || c === 102 || c === 84 || c === 70) && BOOL.test(s)) return 'boolean';
  return 'string';
}

/** 'integer' for INT, 'number' for NUM, null for neither (same language as the two patterns). */
function numberShape(s: string): 'integer' | 'number' | null {
  const n = s.length;
  let i = 0;
  let c = s.charCodeAt(0);
  if (c === 43 || c === 45) i++;
  let intDigits = 0;
  while (i < n && isDigit(s.charCodeAt(i))) { i++; intDigits++; }
  if (i === n) return intDigits > 0 ? 'integer' : null;
  let fracDigits = 0;
  if (s.charCodeAt(i) === 46) {
    i++;
    while (i < n && isDigit(s.charCodeAt(i))) { i++; fracDigits++; }
  }
  if (intDigits === 0 && fracDigits === 0) return null;
  if (i === n) return 'number';
  c = s.charCodeAt(i);
  if (c !== 101 && c !== 69) return null;
  i++;
  c = s.charCodeAt(i);
  if (c === 43 || c === 45) i++;
  let expDigits = 0;
  while (i < n && isDigit(s.charCodeAt(i))) { i++; expDigits++; }
  return expDigits > 0 && i === n ? 'number' : null;
}

export function kindOf(v: Exclude<Cell, null>): Kind {
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'boolean') return 'boolean';
  return kindOfString(trimmed(v));
}

/** Parses a value as a number for numeric analysis; NaN when it is not one. */
export function numericValue(v: Cell): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'string' || v.length === 0) return Number.NaN;
  const c = v.charCodeAt(0);
  if (!((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 32)) return Number.NaN;
  return Number(v);
}

export interface ColumnProfileData {
  name: string;
  index: number;
  type: ColumnType;
  /** Rows that had this column (JSON records may lack keys). */
  count: number;
  nullCount: number;
  nullRate: number;
  distinctCount: number;
  /** True when the distinct count is a HyperLogLog estimate. */
  distinctApprox: boolean;
  /** First distinct values, masked where a PII detector fired, cut to 80 characters. */
  examples: string[];
  length?: { min: number; max: number; mean: number };
  numeric?: { min: number; max: number; mean: number };
}

export interface ProfilerState {
  count: number;
  nulls: number;
  kinds: { boolean: number; integer: number; number: number; date: number; string: number };
  /** Key pairs of the exact phase (see DistinctSet), or null once counting is approximate. */
  exact: Uint32Array | null;
  hll: Uint8Array | null;
  examples: string[];
  len: number[];
  num: number[];
}

export class ColumnProfiler {
  private count = 0;
  private nulls = 0;
  private readonly kinds = { boolean: 0, integer: 0, number: 0, date: 0, string: 0 };
  private exact: DistinctSet | null = new DistinctSet();
  private hll: HyperLogLog | null = null;
  private readonly examples: string[] = [];
  private readonly exampleKeys = new Set<string>();
  private lenMin = Infinity;
  private lenMax = 0;
  private lenSum = 0;
  private lenCount = 0;
  private withSpace = 0;
  private numMin = Infinity;
  private numMax = -Infinity;
  private numSum = 0;
  private numCount = 0;

  constructor(readonly name: string, readonly index: number) {}

  /** `masked` is the value with detections masked, or null when no detector fired. */
  observe(v: Cell, masked: string | null): void {
    this.count++;
    if (typeof v === 'string') {
      this.observeString(v, masked);
      return;
    }
    if (v === null) {
      this.nulls++;
      return;
    }
    const kind = kindOf(v);
    this.kinds[kind]++;
    const key = String(v);
    this.addDistinct(key);
    if (typeof v === 'number') this.addNumber(v);
    else if (kind === 'integer' || kind === 'number') this.addNumber(numericValue(v));
    this.addExample(key, masked);
  }

  /** Strings are nearly every value of a CSV: one pass for the null test and the kind. */
  private observeString(v: string, masked: string | null): void {
    const n = v.length;
    if (n === 0 || (n <= 8 && mayBeNullToken(v) && isNullValue(v))) {
      this.nulls++;
      return;
    }
    const kind = kindOfString(trimmed(v));
    // By name, not `kinds[kind]`: a keyed store on every value was a measurable share of profiling.
    const k = this.kinds;
    if (kind === 'string') k.string++;
    else if (kind === 'integer') k.integer++;
    else if (kind === 'number') k.number++;
    else if (kind === 'date') k.date++;
    else k.boolean++;
    this.addDistinct(v);
    if (n < this.lenMin) this.lenMin = n;
    if (n > this.lenMax) this.lenMax = n;
    this.lenSum += n;
    this.lenCount++;
    if (n > 2 && v.indexOf(' ', 1) > 0) this.withSpace++;
    if (kind === 'integer' || kind === 'number') this.addNumber(numericValue(v));
    if (this.examples.length < EXAMPLES) this.addExample(v, masked);
  }

  private addDistinct(key: string): void {
    if (this.exact) {
      hashPair(key, PAIR);
      this.addExact(PAIR[0]!, PAIR[1]!);
    } else {
      this.hll!.add(hashHead(key));
    }
  }

  /** One key of the exact phase; past the bound, the keys' first halves seed the HyperLogLog. */
  private addExact(h1: number, h2: number): void {
    const exact = this.exact!;
    exact.add(h1, h2);
    if (exact.size > EXACT_DISTINCT_LIMIT) this.toSketch();
  }

  private toSketch(): void {
    const hll = (this.hll ??= new HyperLogLog());
    if (this.exact) {
      const pairs = this.exact.pairs();
      // A key's first half is the value's head hash, the one the sketch takes.
      for (let i = 0; i < pairs.length; i += 2) hll.add(pairs[i]!);
    }
    this.exact = null;
  }

  private addNumber(x: number): void {
    if (!Number.isFinite(x)) return;
    if (x < this.numMin) this.numMin = x;
    if (x > this.numMax) this.numMax = x;
    this.numSum += x;
    this.numCount++;
  }

  private addExample(key: string, masked: string | null): void {
    if (this.examples.length >= EXAMPLES || this.exampleKeys.has(key)) return;
    this.exampleKeys.add(key);
    const shown = masked ?? key;
    this.examples.push(shown.length > EXAMPLE_CHARS ? `${shown.slice(0, EXAMPLE_CHARS - 1)}…` : shown);
  }

  /** True while fewer than the wanted examples are collected. */
  get wantsExamples(): boolean {
    return this.examples.length < EXAMPLES;
  }

  /** Distinct values so far (exact below the bound, estimated above). */
  get distinctSoFar(): number {
    return this.exact ? this.exact.size : this.hll!.estimate();
  }

  /** Everything the profiler holds, as structured-clone data (for a parallel part of a scan). */
  exportState(): ProfilerState {
    return {
      count: this.count, nulls: this.nulls, kinds: { ...this.kinds }, exact: this.exact ? this.exact.pairs() : null,
      hll: this.hll ? this.hll.registersCopy() : null, examples: [...this.examples],
      len: [this.lenMin, this.lenMax, this.lenSum, this.lenCount, this.withSpace], num: [this.numMin, this.numMax, this.numSum, this.numCount],
    };
  }

  /** Adds the counts of a profiler that saw later rows of the same column. */
  absorb(o: ProfilerState): void {
    this.count += o.count;
    this.nulls += o.nulls;
    for (const k of Object.keys(this.kinds) as Array<keyof typeof this.kinds>) this.kinds[k] += o.kinds[k];
    if (this.exact && o.exact) {
      for (let i = 0; i < o.exact.length && this.exact; i += 2) this.addExact(o.exact[i]!, o.exact[i + 1]!);
    }
    if (!this.exact || !o.exact) {
      this.toSketch();
      const hll = this.hll!;
      if (o.exact) for (let i = 0; i < o.exact.length; i += 2) hll.add(o.exact[i]!);
      if (o.hll) hll.merge(o.hll);
    }
    for (const e of o.examples) {
      if (this.examples.length >= EXAMPLES) break;
      if (!this.examples.includes(e)) this.examples.push(e);
    }
    this.lenMin = Math.min(this.lenMin, o.len[0]!);
    this.lenMax = Math.max(this.lenMax, o.len[1]!);
    this.lenSum += o.len[2]!;
    this.lenCount += o.len[3]!;
    this.withSpace += o.len[4]!;
    this.numMin = Math.min(this.numMin, o.num[0]!);
    this.numMax = Math.max(this.numMax, o.num[1]!);
    this.numSum += o.num[2]!;
    this.numCount += o.num[3]!;
  }

  type(): ColumnType {
    const nonNull = this.count - this.nulls;
    if (nonNull === 0) return 'empty';
    const k = this.kinds;
    const share = (n: number) => n / nonNull;
    if (share(k.boolean) >= 0.95) return 'boolean';
    if (share(k.integer) >= 0.95) return 'integer';
    if (share(k.integer + k.number) >= 0.95) return 'number';
    if (share(k.date) >= 0.95) return 'date';
    if (share(k.string) >= 0.5 || share(k.string + k.date + k.boolean) >= 0.95) {
      const mean = this.lenCount > 0 ? this.lenSum / this.lenCount : 0;
      return mean >= 25 && this.withSpace >= this.lenCount * 0.5 ? 'text' : 'string';
    }
    return 'mixed';
  }

  finish(): ColumnProfileData {
    const out: ColumnProfileData = {
      name: this.name,
      index: this.index,
      type: this.type(),
      count: this.count,
      nullCount: this.nulls,
      nullRate: this.count > 0 ? this.nulls / this.count : 0,
      distinctCount: this.distinctSoFar,
      distinctApprox: this.exact === null,
      examples: [...this.examples],
    };
    if (this.lenCount > 0) out.length = { min: this.lenMin, max: this.lenMax, mean: this.lenSum / this.lenCount };
    if (this.numCount > 0) out.numeric = { min: this.numMin, max: this.numMax, mean: this.numSum / this.numCount };
    return out;
  }
}
