// Near-duplicate clusters with mixed labels. Each text gets a 24-value MinHash signature over
// its word pairs (one-permutation hashing into 24 bins with optimal densification), indexed by
// locality-sensitive hashing in 8 bands of 3 values. At the end, rows sharing a band key are
// compared with the first row that had it, candidate pairs are confirmed by signature
// agreement, and connected rows form clusters.
import { combine32, mix32 } from '../profile/hash.ts';
import { TokenBuffer } from './tokens.ts';
import { DisjointSets } from './stats.ts';

const BINS = 24;
const BANDS = 8;
const ROWS_PER_BAND = BINS / BANDS;
/** Signature agreement (values equal out of 24) that counts as near-identical: Jaccard ≈ 0.6. */
export const MIN_AGREEMENT = 15;
const MIN_TEXT = 12;
const DENSIFY_ATTEMPTS = 200;
/** The bin each empty bin looks at on each attempt: a fixed sequence, computed once. */
const DENSIFY = new Uint8Array(BINS * DENSIFY_ATTEMPTS);
for (let b = 0; b < BINS; b++) {
  for (let attempt = 1; attempt < DENSIFY_ATTEMPTS; attempt++) {
    DENSIFY[b * DENSIFY_ATTEMPTS + attempt] = mix32((Math.imul(b + 1, 0x9e3779b1) + Math.imul(attempt, 0x7feb352d)) >>> 0) % BINS;
  }
}

export interface NearDuplicateCluster {
  rows: number[];
  labels: Map<number, number>;
}

export interface NearDuplicateResult {
  clusters: NearDuplicateCluster[];
  rowsInMixedClusters: number;
  indexedRows: number;
  saturated: boolean;
}

export interface NearDuplicateState {
  n: number;
  sigs: Uint16Array;
  bands: Uint32Array;
  rows: Int32Array;
  exact: Uint32Array;
  saturated: boolean;
}

/** A run of consecutive index entries: entry `start + j` is row `rows[j] + offset`. */
interface Segment {
  n: number;
  start: number;
  offset: number;
  sigs: Uint16Array;
  bands: Uint32Array;
  rows: Int32Array;
  exact: Uint32Array;
}

export class NearDuplicateIndex {
  private cap = 1024;
  private n = 0;
  private sigs = new Uint16Array(this.cap * BINS);
  private bands = new Uint32Array(this.cap * BANDS);
  private rows = new Int32Array(this.cap);
  private exact = new Uint32Array(this.cap);
  private readonly mins = new Uint32Array(BINS);
  private readonly tokens = new TokenBuffer();
  private saturated = false;
  /** Later parts' indexes, absorbed as they came (no copy), in row order after this one's. */
  private readonly parts: Segment[] = [];
  private partRows = 0;

  constructor(private readonly maxRows = 4_000_000) {}

  /**
   * Shingles are adjacent word pairs of the text, lower-cased (callers normalise non-ASCII text
   * first), so texts that share a vocabulary but not phrasing stay apart; `exactKey` identifies
   * exact duplicates.
   */
  add(text: string, row: number, exactKey: number): void {
    if (text.length < MIN_TEXT) return;
    this.addTokens(this.tokens.tokenize(text), text.length, row, exactKey);
  }

  /** The same, for a text already split into words (`length` is the text's length). */
  addTokens(tokens: TokenBuffer, length: number, row: number, exactKey: number): void {
    if (length < MIN_TEXT) return;
    if (this.parts.length > 0) this.flatten();
    if (this.n >= this.maxRows) { this.saturated = true; return; }
    const words = tokens.count;
    if (words === 0) return;
    const mins = this.mins;
    mins.fill(0xffffffff);
    const hashes = tokens.hash;
    let prev = hashes[0]! >>> 0;
    if (words === 1) this.take(prev);
    for (let w = 1; w < words; w++) {
      const h = hashes[w]! >>> 0;
      this.take(combine32(prev, h));
      prev = h;
    }
    if (this.n === this.cap) this.grow();
    const base = this.n * BINS;
    // Optimal densification (Shrivastava, 2017): an empty bin copies the bin a fixed hash
    // sequence of its index points to first, so equal sets stay equal and estimates unbiased.
    for (let b = 0; b < BINS; b++) {
      let v = mins[b]!;
      for (let attempt = 1; v === 0xffffffff && attempt < DENSIFY_ATTEMPTS; attempt++) v = mins[DENSIFY[b * DENSIFY_ATTEMPTS + attempt]!]!;
      if (v === 0xffffffff) for (let j = 0; j < BINS && v === 0xffffffff; j++) v = mins[j]!;
      this.sigs[base + b] = v >>> 16;
    }
    for (let band = 0; band < BANDS; band++) {
      let k = 0x811c9dc5 ^ band;
      for (let r = 0; r < ROWS_PER_BAND; r++) k = mix32((Math.imul(k, 31) + this.sigs[base + band * ROWS_PER_BAND + r]!) >>> 0);
      this.bands[this.n * BANDS + band] = k;
    }
    this.rows[this.n] = row;
    this.exact[this.n] = exactKey;
    this.n++;
  }

  /** One shingle goes to one bin (one-permutation hashing); the bin keeps its minimum. */
  private take(h: number): void {
    const x = mix32(h);
    const bin = (x >>> 7) % BINS;
    const v = mix32((x + 0x9e3779b9) >>> 0);
    if (v < this.mins[bin]!) this.mins[bin] = v;
  }

  /** Rows indexed so far. */
  get size(): number {
    return this.n + this.partRows;
  }

  /** Makes room for `rows` rows now, while the index is small, instead of copying it as it doubles. */
  reserve(rows: number): void {
    const want = Math.min(Math.ceil(rows), this.maxRows);
    if (want > this.cap) this.grow(want);
  }

  /** Doubles the capacity, or makes it exactly `rows` (a reservation), copying once. */
  private grow(rows = this.cap * 2): void {
    this.cap = rows;
    const s = new Uint16Array(this.cap * BINS); s.set(this.sigs); this.sigs = s;
    const b = new Uint32Array(this.cap * BANDS); b.set(this.bands); this.bands = b;
    const r = new Int32Array(this.cap); r.set(this.rows); this.rows = r;
    const e = new Uint32Array(this.cap); e.set(this.exact); this.exact = e;
  }

  exportState(): NearDuplicateState {
    if (this.parts.length > 0) this.flatten();
    return { n: this.n, sigs: this.sigs.subarray(0, this.n * BINS), bands: this.bands.subarray(0, this.n * BANDS), rows: this.rows.subarray(0, this.n), exact: this.exact.subarray(0, this.n), saturated: this.saturated };
  }

  /**
   * Appends the index of a later part of the table, whose rows start at `offset`. Its arrays
   * are kept as they are, not copied: half a large table's index is tens of megabytes, and
   * copying it into fresh memory was a noticeable share of the end of a parallel scan.
   */
  absorb(o: NearDuplicateState, offset: number): void {
    const take = Math.min(o.n, this.maxRows - this.n - this.partRows);
    if (take < o.n) this.saturated = true;
    if (take > 0) {
      this.parts.push({
        n: take, start: this.n + this.partRows, offset,
        sigs: o.sigs.subarray(0, take * BINS), bands: o.bands.subarray(0, take * BANDS), rows: o.rows.subarray(0, take), exact: o.exact.subarray(0, take),
      });
      this.partRows += take;
    }
    this.saturated ||= o.saturated;
  }

  /** Copies the absorbed parts into this index's own arrays (only if rows are added after them). */
  private flatten(): void {
    const parts = this.parts.splice(0);
    this.partRows = 0;
    for (const p of parts) {
      if (this.cap < this.n + p.n) this.grow(this.n + p.n);
      this.sigs.set(p.sigs, this.n * BINS);
      this.bands.set(p.bands, this.n * BANDS);
      this.exact.set(p.exact, this.n);
      for (let i = 0; i < p.n; i++) this.rows[this.n + i] = p.rows[i]! + p.offset;
      this.n += p.n;
    }
  }

  finish(labelOf: (row: number) => number): NearDuplicateResult {
    // Entry i of the whole index lives in the segment whose `start` is the last one ≤ i.
    const segments: Segment[] = [
      { n: this.n, start: 0, offset: 0, sigs: this.sigs, bands: this.bands, rows: this.rows, exact: this.exact },
      ...this.parts,
    ];
    const n = this.n + this.partRows;
    const segmentOf = (i: number): Segment => {
      let s = segments.length - 1;
      while (segments[s]!.start > i) s--;
      return segments[s]!;
    };
    const rowOf = (i: number): number => { const s = segmentOf(i); return s.rows[i - s.start]! + s.offset; };
    const exactOf = (i: number): number => { const s = segmentOf(i); return s.exact[i - s.start]!; };
    const sets = new DisjointSets(n);
    // Per band, an open-addressing table from band key to the first row holding it; later rows
    // with the same key are compared with that first row.
    let cap = 1;
    while (cap < n * 2) cap <<= 1;
    const keys = new Uint32Array(cap);
    const first = new Int32Array(cap);
    const mask = cap - 1;
    for (let band = 0; band < BANDS; band++) {
      first.fill(-1);
      for (const seg of segments) {
        const { bands, sigs } = seg;
        for (let j = 0; j < seg.n; j++) {
          const i = seg.start + j;
          const k = bands[j * BANDS + band]!;
          let slot = Math.imul(k, 0x9e3779b1) >>> 0 & mask;
          for (;;) {
            const f = first[slot]!;
            if (f < 0) { keys[slot] = k; first[slot] = i; break; }
            if (keys[slot] === k) {
              // Signature agreement with the first row (often in the same segment).
              const fs = f >= seg.start ? seg : segmentOf(f);
              const fo = (f - fs.start) * BINS;
              const io = j * BINS;
              let same = 0;
              for (let b = 0; b < BINS; b++) if (fs.sigs[fo + b] === sigs[io + b]) same++;
              if (same >= MIN_AGREEMENT) sets.union(f, i);
              break;
            }
            slot = (slot + 1) & mask;
          }
        }
      }
    }
    const members = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const root = sets.find(i);
      if (root === i && !members.has(i)) continue; // singleton so far; added when a member joins
      let list = members.get(root);
      if (!list) { list = [root]; members.set(root, list); }
      if (i !== root) list.push(i);
    }
    const clusters: NearDuplicateCluster[] = [];
    let rowsInMixed = 0;
    for (const list of members.values()) {
      if (list.length < 2) continue;
      // Clusters of exact copies only are the duplicate check's business.
      const distinctTexts = new Set(list.map(exactOf));
      if (distinctTexts.size < 2) continue;
      const labels = new Map<number, number>();
      for (const i of list) { const l = labelOf(rowOf(i)); labels.set(l, (labels.get(l) ?? 0) + 1); }
      if (labels.size < 2) continue;
      const rows = list.map(rowOf).sort((a, b) => a - b);
      clusters.push({ rows, labels });
      rowsInMixed += rows.length;
    }
    clusters.sort((a, b) => b.rows.length - a.rows.length || a.rows[0]! - b.rows[0]!);
    return { clusters, rowsInMixedClusters: rowsInMixed, indexedRows: n, saturated: this.saturated };
  }
}
