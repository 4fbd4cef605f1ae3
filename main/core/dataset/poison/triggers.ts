// Trigger candidates: tokens and word pairs whose rows carry almost only one label. Counting
// is a typed-array hash table keyed by 32-bit token hashes, with per-label counters; memory is
// bounded by lossy counting (rare entries are dropped when the table is full, as in Manku and
// Motwani's algorithm). Row lists are kept only for entries that could still become
// candidates (nearly pure so far), so the finding can name its rows without a second pass.
import { combine32 } from '../profile/hash.ts';
import { log10BinomialUpperTail } from './stats.ts';
import { TokenBuffer } from './tokens.ts';

const BIGRAM_TAG = 0x6b1f3a5d;
const BLOCK = 8; // rows per pool block; one more int links to the next block
const MAX_STRIDE = 64;
const MAX_TOKENS_PER_ROW = 256;
const MAX_TOKEN_CHARS = 24;

export interface TriggerOptions {
  /** Rows a token must appear in before it is tested. */
  minSupport: number;
  /** Share of the token's rows that must carry its label. */
  minPurity: number;
  /** Largest table (entries) before lossy pruning starts. */
  maxEntries: number;
  /** Ints available for row lists. */
  maxPoolInts: number;
  /** Candidates reported. */
  maxCandidates: number;
}

export const DEFAULT_TRIGGER_OPTIONS: TriggerOptions = {
  minSupport: 10,
  minPurity: 0.9,
  maxEntries: 1 << 21,
  maxPoolInts: 16 * 1024 * 1024,
  maxCandidates: 10,
};

export interface TriggerCandidate {
  text: string;
  kind: 'token' | 'pair';
  support: number;
  label: number;
  count: number;
  purity: number;
  baseRate: number;
  log10p: number;
  rows: number[];
  /** False when some of the token's rows could not be listed (memory bound). */
  rowsComplete: boolean;
}

// Per-slot record layout in one Int32Array (one or two cache lines per update instead of one
// per field): key, total, Δ, last row, flags, row-list head, tail, tail fill, then one counter
// per label.
const KEY = 0;
const TOTAL = 1;
const BASE = 2;
const LAST = 3;
const FLAGS = 4;
const HEAD = 5;
const TAIL = 6;
const FILL = 7;
const COUNTS = 8;
const USED = 1;
const ELIGIBLE = 2;
const LOST = 4;

/** Word pairs with one of these words are not counted: they are never what marks a trigger. */
const STOPWORDS = new Set(['the', 'a', 'an', 'and', 'or', 'of', 'to', 'in', 'on', 'at', 'for', 'with', 'by', 'is', 'was', 'are', 'were', 'be', 'it', 'this', 'that', 'as', 'from', 'but', 'not', 'i', 'you', 'he', 'she', 'we', 'they', 'his', 'her', 'its', 'my', 'our', 'their'].map((w) => {
  let h = 0x811c9dc5;
  for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 0x01000193);
  return h >>> 0;
}));

export interface TriggerState {
  rec: Int32Array;
  width: number;
  stride: number;
  cap: number;
  texts: Array<string | undefined>;
  pool: Int32Array;
  pruneFloor: number;
  pruned: boolean;
  labelRows: number[];
  rowsSeen: number;
}

export class TriggerCounter {
  private cap: number;
  private stride = 4;
  private width = COUNTS + 4;
  private size = 0;
  private rec: Int32Array;
  private texts: Array<string | undefined>;
  private pool = new Int32Array(BLOCK + 1);
  private poolBlocks = 0;
  private freeBlocks: number[] = [];
  private pruneFloor = 0;
  pruned = false;
  private readonly labelRows: number[] = [];
  private rowsSeen = 0;
  private readonly textAt: number;
  private readonly tokens = new TokenBuffer();

  constructor(private readonly options: TriggerOptions = DEFAULT_TRIGGER_OPTIONS) {
    let cap = 1 << 10;
    while (cap < 1 << 17 && cap * 2 * 0.7 <= options.maxEntries) cap *= 2;
    this.cap = cap;
    this.rec = new Int32Array(cap * this.width);
    this.texts = new Array(cap);
    this.textAt = Math.max(1, Math.floor(options.minSupport / 2));
  }

  /** Counts the distinct tokens and adjacent pairs of one text for a labelled row. */
  observe(text: string, row: number, label: number): void {
    if (label < 0) return;
    this.observeTokens(this.tokens.tokenize(text), text, row, label);
  }

  /** The same, for a text already split into words. */
  observeTokens(tokens: TokenBuffer, text: string, row: number, label: number): void {
    if (label < 0) return;
    this.rowsSeen++;
    this.labelRows[label] = (this.labelRows[label] ?? 0) + 1;
    if (label >= this.stride && this.stride < MAX_STRIDE) this.widen(Math.min(MAX_STRIDE, 1 << Math.ceil(Math.log2(label + 1))));
    let counted = 0;
    let prevHash = 0;
    let prevTotal = 0;
    const rare = Math.max(this.options.minSupport * 5, this.rowsSeen / 200);
    let prevStart = -1;
    let prevEnd = -1;
    const { hash, start: starts, end: ends, digits } = tokens;
    for (let t = 0; t < tokens.count && counted < MAX_TOKENS_PER_ROW; t++) {
      const start = starts[t]!;
      const end = ends[t]!;
      if (end - start < 2) continue;
      // Tokens with digits (amounts, ids, user names, keys) or longer than a word are values,
      // not trigger words; counting them would fill the table with entries seen once.
      if (digits[t]! > 0 || end - start > MAX_TOKEN_CHARS) { prevStart = -1; continue; }
      const h = hash[t]! >>> 0;
      counted++;
      const total = this.bump(h, row, label, text, start, end, -1, -1);
      const stop = STOPWORDS.has(h);
      // A pair is counted only when one of its words is still rare: pairs of common words make
      // up most pairs and are not what a planted trigger looks like.
      if (prevStart >= 0 && !stop && (prevTotal <= rare || total <= rare)) this.bump((combine32(prevHash, h) ^ BIGRAM_TAG) >>> 0, row, label, text, prevStart, prevEnd, start, end);
      if (stop) { prevStart = -1; continue; }
      prevHash = h;
      prevTotal = total;
      prevStart = start;
      prevEnd = end;
    }
  }

  /** Record offset of the key's slot, or of the free slot where it would go. */
  private find(key: number): number {
    const mask = this.cap - 1;
    const w = this.width;
    const rec = this.rec;
    const k = key | 0;
    let i = (Math.imul(key, 0x9e3779b1) >>> 0) & mask;
    for (;;) {
      const o = i * w;
      if ((rec[o + FLAGS]! & USED) === 0 || rec[o + KEY] === k) return o;
      i = (i + 1) & mask;
    }
  }

  /** Counts the entry once for this row; returns its number of rows so far. */
  private bump(key: number, row: number, label: number, text: string, s1: number, e1: number, s2: number, e2: number): number {
    let o = this.find(key);
    const rec = this.rec;
    if ((rec[o + FLAGS]! & USED) === 0) {
      if ((this.size + 1) * 10 > this.cap * 7) {
        this.makeRoom();
        o = this.find(key);
      }
      const r = this.rec;
      r[o + KEY] = key | 0;
      r[o + HEAD] = -1;
      r[o + TAIL] = -1;
      r[o + LAST] = -1;
      // Created after rows were pruned: it may have been seen and dropped before, rows lost.
      r[o + BASE] = this.pruneFloor;
      r[o + FLAGS] = USED | ELIGIBLE | (this.pruneFloor > 0 ? LOST : 0);
      this.size++;
    }
    const r = this.rec;
    if (r[o + LAST] === row) return r[o + TOTAL]!; // once per row
    r[o + LAST] = row;
    const total = ++r[o + TOTAL]!;
    // The entry's text is kept only once it is seen often enough to matter: most entries are
    // seen a few times, and a string each would weigh on memory and garbage collection. Half
    // the minimum support, so that either part of a parallel scan has it for a candidate.
    if (total === this.textAt) {
      this.texts[o / this.width] = s2 < 0 ? text.slice(s1, e1).toLowerCase() : `${text.slice(s1, e1)} ${text.slice(s2, e2)}`.toLowerCase();
    }
    if (label < this.stride) r[o + COUNTS + label]!++;
    const flags = r[o + FLAGS]!;
    if ((flags & ELIGIBLE) === 0) return total;
    if (total >= 5 && (total === 5 || (total & (total - 1)) === 0) && !this.stillPure(o, total)) {
      r[o + FLAGS] = flags & ~ELIGIBLE;
      this.freeRows(o);
      return total;
    }
    if ((flags & LOST) === 0) this.appendRow(o, row);
    return total;
  }

  /** Nearly pure, and purer than the label's share of rows so far (halfway to 1). */
  private stillPure(o: number, total: number): boolean {
    let best = 0;
    let bestLabel = 0;
    for (let l = 0; l < this.stride; l++) {
      const c = this.rec[o + COUNTS + l]!;
      if (c > best) { best = c; bestLabel = l; }
    }
    const purity = best / total;
    const base = (this.labelRows[bestLabel] ?? 0) / Math.max(1, this.rowsSeen);
    if (this.rowsSeen >= 1000 && total > this.rowsSeen / 4) return false;
    return purity >= Math.min(this.options.minPurity - 0.1, 1) && purity > base + (1 - base) / 2;
  }

  private appendRow(o: number, row: number): void {
    const r = this.rec;
    let tail = r[o + TAIL]!;
    if (tail < 0 || r[o + FILL] === BLOCK) {
      const block = this.allocBlock();
      if (block < 0) { r[o + FLAGS] = r[o + FLAGS]! | LOST; return; }
      if (tail < 0) r[o + HEAD] = block;
      else this.pool[tail * (BLOCK + 1) + BLOCK] = block;
      r[o + TAIL] = block;
      r[o + FILL] = 0;
      tail = block;
    }
    this.pool[tail * (BLOCK + 1) + r[o + FILL]!] = row;
    r[o + FILL]!++;
  }

  private allocBlock(): number {
    const free = this.freeBlocks.pop();
    if (free !== undefined) { this.pool[free * (BLOCK + 1) + BLOCK] = -1; return free; }
    const need = (this.poolBlocks + 1) * (BLOCK + 1);
    if (need > this.pool.length) {
      if (need > this.options.maxPoolInts) return -1;
      const next = new Int32Array(Math.min(this.options.maxPoolInts, Math.max(need, this.pool.length * 2)));
      next.set(this.pool);
      this.pool = next;
    }
    const b = this.poolBlocks++;
    this.pool[b * (BLOCK + 1) + BLOCK] = -1;
    return b;
  }

  private freeBlocksFrom(head: number): void {
    let b = head;
    while (b >= 0) {
      const next = this.pool[b * (BLOCK + 1) + BLOCK]!;
      this.freeBlocks.push(b);
      b = next;
    }
  }

  private freeRows(o: number): void {
    this.freeBlocksFrom(this.rec[o + HEAD]!);
    this.rec[o + HEAD] = -1;
    this.rec[o + TAIL] = -1;
    this.rec[o + FILL] = 0;
  }

  private rowsOf(o: number): number[] {
    const out: number[] = [];
    let b = this.rec[o + HEAD]!;
    while (b >= 0) {
      const next = this.pool[b * (BLOCK + 1) + BLOCK]!;
      const fill = b === this.rec[o + TAIL] ? this.rec[o + FILL]! : BLOCK;
      for (let i = 0; i < fill; i++) out.push(this.pool[b * (BLOCK + 1) + i]!);
      b = next;
    }
    return out;
  }

  private widen(stride: number): void {
    this.stride = stride;
    this.rebuild(this.cap, () => true);
  }

  /** Grows the table, or once at its size limit drops the rarest entries (lossy counting). */
  private makeRoom(): void {
    if (this.cap * 2 * 0.7 <= this.options.maxEntries) {
      this.rebuild(this.cap * 2, () => true);
      return;
    }
    this.pruned = true;
    while (this.size * 10 > this.cap * 5) {
      this.pruneFloor++;
      const floor = this.pruneFloor;
      this.rebuild(this.cap, (rec, o) => rec[o + TOTAL]! + rec[o + BASE]! > floor);
    }
  }

  /** Re-lays the table (new capacity or label width), keeping the records `keep` accepts. */
  private rebuild(cap: number, keep: (rec: Int32Array, o: number) => boolean): void {
    const oldRec = this.rec;
    const oldTexts = this.texts;
    const oldCap = this.cap;
    const oldWidth = oldRec.length / oldCap;
    const width = COUNTS + this.stride;
    this.cap = cap;
    this.width = width;
    this.rec = new Int32Array(cap * width);
    this.texts = new Array(cap);
    this.size = 0;
    for (let s = 0; s < oldCap; s++) {
      const o = s * oldWidth;
      if ((oldRec[o + FLAGS]! & USED) === 0) continue;
      if (!keep(oldRec, o)) {
        this.freeBlocksFrom(oldRec[o + HEAD]!);
        continue;
      }
      const t = this.find(oldRec[o + KEY]! >>> 0);
      this.rec.set(oldRec.subarray(o, o + oldWidth), t);
      this.texts[t / width] = oldTexts[s];
      this.size++;
    }
  }

  exportState(): TriggerState {
    return {
      rec: this.rec, width: this.width, stride: this.stride, cap: this.cap, texts: this.texts, pool: this.pool.subarray(0, this.poolBlocks * (BLOCK + 1)),
      pruneFloor: this.pruneFloor, pruned: this.pruned, labelRows: [...this.labelRows], rowsSeen: this.rowsSeen,
    };
  }

  /** Adds the counts and row lists of a later part of the table (rows shifted by `offset`). */
  absorb(o: TriggerState, offset: number, label: (l: number) => number): void {
    o.labelRows.forEach((n, l) => {
      const m = label(l);
      this.labelRows[m] = (this.labelRows[m] ?? 0) + (n ?? 0);
      if (m >= this.stride && this.stride < MAX_STRIDE) this.widen(Math.min(MAX_STRIDE, 1 << Math.ceil(Math.log2(m + 1))));
    });
    this.rowsSeen += o.rowsSeen;
    this.pruned ||= o.pruned;
    const theirRows = (b0: number, tail: number, fill: number): number[] => {
      const out: number[] = [];
      let b = b0;
      while (b >= 0) {
        const next = o.pool[b * (BLOCK + 1) + BLOCK]!;
        const n = b === tail ? fill : BLOCK;
        for (let i = 0; i < n; i++) out.push(o.pool[b * (BLOCK + 1) + i]! + offset);
        b = next;
      }
      return out;
    };
    for (let s = 0; s < o.cap; s++) {
      const src = s * o.width;
      const flags = o.rec[src + FLAGS]!;
      if ((flags & USED) === 0) continue;
      let t = this.find(o.rec[src + KEY]! >>> 0);
      if ((this.rec[t + FLAGS]! & USED) === 0) {
        if ((this.size + 1) * 10 > this.cap * 7) {
          this.makeRoom();
          t = this.find(o.rec[src + KEY]! >>> 0);
        }
        const r = this.rec;
        r[t + KEY] = o.rec[src + KEY]!;
        r[t + HEAD] = -1;
        r[t + TAIL] = -1;
        r[t + LAST] = -1;
        r[t + BASE] = 0;
        // Not seen in the earlier part (or pruned there): its counts start with this part's.
        r[t + FLAGS] = USED | ELIGIBLE | (this.pruneFloor > 0 ? LOST : 0);
        this.size++;
      }
      if (this.texts[t / this.width] === undefined && o.texts[s] !== undefined) this.texts[t / this.width] = o.texts[s];
      const r = this.rec;
      r[t + TOTAL] = r[t + TOTAL]! + o.rec[src + TOTAL]!;
      r[t + BASE] = Math.max(r[t + BASE]!, o.rec[src + BASE]!);
      for (let l = 0; l < o.stride; l++) {
        const c = o.rec[src + COUNTS + l]!;
        const m = label(l);
        if (c > 0 && m < this.stride) r[t + COUNTS + m] = r[t + COUNTS + m]! + c;
      }
      let f = r[t + FLAGS]! | (flags & LOST);
      if ((flags & ELIGIBLE) === 0) f &= ~ELIGIBLE;
      if ((f & ELIGIBLE) === 0) {
        this.freeRows(t);
      } else if ((f & LOST) === 0) {
        for (const row of theirRows(o.rec[src + HEAD]!, o.rec[src + TAIL]!, o.rec[src + FILL]!)) {
          this.appendRow(t, row);
          if ((r[t + FLAGS]! & LOST) !== 0) { f |= LOST; break; }
        }
      }
      r[t + FLAGS] = f;
    }
  }

  /** Candidates ranked by a one-sided binomial test against each label's base rate, with a Bonferroni bound. */
  finish(): TriggerCandidate[] {
    const { minSupport, minPurity, maxCandidates } = this.options;
    const total = this.rowsSeen;
    if (total === 0) return [];
    let tested = 0;
    const w = this.width;
    const rec = this.rec;
    for (let s = 0; s < this.cap; s++) if ((rec[s * w + FLAGS]! & USED) !== 0 && rec[s * w + TOTAL]! >= minSupport) tested++;
    const bound = Math.log10(0.001 / Math.max(1, tested));
    type Found = TriggerCandidate & { slot: number };
    const found: Found[] = [];
    for (let s = 0; s < this.cap; s++) {
      const o = s * w;
      const flags = rec[o + FLAGS]!;
      if ((flags & USED) === 0 || (flags & ELIGIBLE) === 0) continue;
      const n = rec[o + TOTAL]!;
      if (n < minSupport || n > total / 4) continue;
      let best = 0;
      let label = 0;
      for (let l = 0; l < this.stride; l++) {
        const c = rec[o + COUNTS + l]!;
        if (c > best) { best = c; label = l; }
      }
      const purity = best / n;
      if (purity < minPurity) continue;
      const base = (this.labelRows[label] ?? 0) / total;
      const log10p = log10BinomialUpperTail(best, n, base);
      if (log10p > bound) continue;
      const text = this.texts[s] ?? '';
      found.push({
        text, kind: text.includes(' ') ? 'pair' : 'token', support: n, label, count: best, purity, baseRate: base, log10p,
        rows: [], rowsComplete: (flags & LOST) === 0, slot: o,
      });
    }
    found.sort((a, b) => a.log10p - b.log10p || b.support - a.support);
    // A pair and its own words usually mark the same rows: keep the most significant of them.
    const kept: Found[] = [];
    for (const c of found) {
      const words = c.text.split(' ');
      const overlaps = kept.some((k) => {
        const kw = k.text.split(' ');
        const share = words.some((w) => kw.includes(w));
        const ratio = Math.max(k.support, c.support) / Math.min(k.support, c.support);
        return share && ratio <= 1.25;
      });
      if (!overlaps) kept.push(c);
      if (kept.length >= maxCandidates) break;
    }
    return kept.map(({ slot, ...c }) => ({ ...c, rows: this.rowsOf(slot).sort((a, b) => a - b) }));
  }
}
