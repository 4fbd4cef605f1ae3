// Label-conflicting duplicates: every row's normalised input is reduced to a 64-bit key in an
// open-addressing table (typed arrays, ~17 bytes a distinct input). Rows after the first with
// the same key go to a side list so the groups can be listed at the end.

const EMPTY = 0xffffffff;

export interface DuplicateGroup {
  rows: number[];
  /** Label id → rows with it. */
  labels: Map<number, number>;
}

export interface DuplicateResult {
  groups: DuplicateGroup[];
  conflictRows: number;
  /** Rows with an input seen before (any label). */
  duplicateRows: number;
  /** Distinct inputs were no longer added past this many (rows still matched against them). */
  saturated: boolean;
}

export interface DuplicateState {
  cap: number;
  h1: Uint32Array;
  h2: Uint32Array;
  firstRow: Int32Array;
  firstLabel: Int32Array;
  sideSlot: Int32Array;
  sideRow: Int32Array;
  saturated: boolean;
}

export class DuplicateTable {
  private cap: number;
  private h1: Uint32Array;
  private h2: Uint32Array;
  private firstRow: Int32Array;
  private firstLabel: Int32Array;
  private mixed: Uint8Array;
  private size = 0;
  private sideSlot: Int32Array = new Int32Array(1024);
  private sideRow: Int32Array = new Int32Array(1024);
  private sideLen = 0;
  private duplicates = 0;
  private saturated = false;

  constructor(private readonly maxEntries = 16_000_000, private readonly maxSide = 4_000_000) {
    this.cap = 1 << 16;
    this.h1 = new Uint32Array(this.cap).fill(EMPTY);
    this.h2 = new Uint32Array(this.cap);
    this.firstRow = new Int32Array(this.cap);
    this.firstLabel = new Int32Array(this.cap);
    this.mixed = new Uint8Array(this.cap);
  }

  add(k1: number, k2: number, row: number, label: number): void {
    // EMPTY marks free slots; remap the one key that collides with it.
    if (k1 === EMPTY) k1 = 0xfffffffe;
    const mask = this.cap - 1;
    let i = (k1 ^ Math.imul(k2, 0x9e3779b1)) & mask;
    for (;;) {
      const cur = this.h1[i]!;
      if (cur === EMPTY) break;
      if (cur === k1 && this.h2[i] === k2) {
        this.duplicates++;
        if (this.firstLabel[i] !== label) this.mixed[i] = 1;
        if (this.sideLen < this.maxSide) {
          if (this.sideLen === this.sideSlot.length) this.growSide();
          this.sideSlot[this.sideLen] = i;
          this.sideRow[this.sideLen] = row;
          this.sideLen++;
        }
        return;
      }
      i = (i + 1) & mask;
    }
    if (this.size >= this.maxEntries) {
      this.saturated = true;
      return;
    }
    this.h1[i] = k1;
    this.h2[i] = k2;
    this.firstRow[i] = row;
    this.firstLabel[i] = label;
    this.size++;
    if (this.size * 10 > this.cap * 7) this.grow();
  }

  private growSide(): void {
    const n = this.sideSlot.length * 2;
    const s = new Int32Array(n); s.set(this.sideSlot); this.sideSlot = s;
    const r = new Int32Array(n); r.set(this.sideRow); this.sideRow = r;
  }

  /** Distinct inputs held. */
  get distinct(): number {
    return this.size;
  }

  /** Makes room for `entries` distinct inputs now, while the table is small (one rehash, not one per doubling). */
  reserve(entries: number): void {
    const want = Math.min(Math.ceil(entries), this.maxEntries);
    if (want * 10 > this.cap * 7) this.grow(want);
  }

  /** Rehashes into a table twice as large, or large enough for `entries` in one step. */
  private grow(entries = 0): void {
    const old = { h1: this.h1, h2: this.h2, firstRow: this.firstRow, firstLabel: this.firstLabel, mixed: this.mixed, cap: this.cap };
    this.cap *= 2;
    while (entries * 10 > this.cap * 7) this.cap *= 2;
    this.h1 = new Uint32Array(this.cap).fill(EMPTY);
    this.h2 = new Uint32Array(this.cap);
    this.firstRow = new Int32Array(this.cap);
    this.firstLabel = new Int32Array(this.cap);
    this.mixed = new Uint8Array(this.cap);
    const moved = new Int32Array(old.cap).fill(-1);
    const mask = this.cap - 1;
    for (let j = 0; j < old.cap; j++) {
      const k1 = old.h1[j]!;
      if (k1 === EMPTY) continue;
      const k2 = old.h2[j]!;
      let i = (k1 ^ Math.imul(k2, 0x9e3779b1)) & mask;
      while (this.h1[i] !== EMPTY) i = (i + 1) & mask;
      this.h1[i] = k1;
      this.h2[i] = k2;
      this.firstRow[i] = old.firstRow[j]!;
      this.firstLabel[i] = old.firstLabel[j]!;
      this.mixed[i] = old.mixed[j]!;
      moved[j] = i;
    }
    for (let s = 0; s < this.sideLen; s++) this.sideSlot[s] = moved[this.sideSlot[s]!]!;
  }

  exportState(): DuplicateState {
    return {
      cap: this.cap, h1: this.h1, h2: this.h2, firstRow: this.firstRow, firstLabel: this.firstLabel,
      sideSlot: this.sideSlot.subarray(0, this.sideLen), sideRow: this.sideRow.subarray(0, this.sideLen), saturated: this.saturated,
    };
  }

  /**
   * Adds a later part of the table: its inputs are re-added in row order terms (first rows,
   * then repeats), rows shifted by `offset`, labels mapped by `label(rowInPart)`.
   */
  absorb(o: DuplicateState, offset: number, label: (row: number) => number): void {
    // Room for both parts' distinct inputs at once: one rehash instead of one per doubling.
    let theirs = 0;
    for (let i = 0; i < o.cap; i++) if (o.h1[i] !== EMPTY) theirs++;
    const wanted = Math.min(this.size + theirs, this.maxEntries);
    if (wanted * 10 > this.cap * 7) this.grow(wanted);
    for (let i = 0; i < o.cap; i++) {
      if (o.h1[i] === EMPTY) continue;
      this.add(o.h1[i]!, o.h2[i]!, o.firstRow[i]! + offset, label(o.firstRow[i]!));
    }
    for (let s = 0; s < o.sideSlot.length; s++) {
      const slot = o.sideSlot[s]!;
      this.add(o.h1[slot]!, o.h2[slot]!, o.sideRow[s]! + offset, label(o.sideRow[s]!));
    }
    this.saturated ||= o.saturated;
  }

  /** Groups whose rows carry more than one label, largest first. */
  finish(labelOf: (row: number) => number): DuplicateResult {
    const bySlot = new Map<number, number[]>();
    for (let s = 0; s < this.sideLen; s++) {
      const slot = this.sideSlot[s]!;
      if (this.mixed[slot] !== 1) continue;
      let rows = bySlot.get(slot);
      if (!rows) { rows = [this.firstRow[slot]!]; bySlot.set(slot, rows); }
      rows.push(this.sideRow[s]!);
    }
    const groups: DuplicateGroup[] = [];
    let conflictRows = 0;
    for (const rows of bySlot.values()) {
      const labels = new Map<number, number>();
      for (const r of rows) { const l = labelOf(r); labels.set(l, (labels.get(l) ?? 0) + 1); }
      if (labels.size < 2) continue;
      groups.push({ rows, labels });
      conflictRows += rows.length;
    }
    groups.sort((a, b) => b.rows.length - a.rows.length || a.rows[0]! - b.rows[0]!);
    return { groups, conflictRows, duplicateRows: this.duplicates, saturated: this.saturated };
  }
}
