// One pass over a table: every row goes through schema profiling, the PII detectors and the
// poisoning indicators as it is read. The first rows are held back until column roles (label,
// text, numeric features, name columns) are decided, then replayed.
import { ColumnProfiler, isNullValue, numericValue, type ProfilerState } from './profile/column-profile.ts';
import { decideRoles, type ColumnRoles } from './profile/roles.ts';
import { PiiScanner } from './pii/scanner.ts';
import { PiiTally } from './pii/tally.ts';
import type { ColumnHints, DetectorId } from './pii/types.ts';
import { DuplicateTable, type DuplicateState } from './poison/duplicates.ts';
import { FeatureStore } from './poison/feature-store.ts';
import { NearDuplicateIndex, type NearDuplicateResult, type NearDuplicateState } from './poison/minhash.ts';
import { addField, newKey, normaliseText } from './poison/normalise.ts';
import { TokenBuffer } from './poison/tokens.ts';
import { TriggerCounter, DEFAULT_TRIGGER_OPTIONS, type TriggerCandidate, type TriggerState } from './poison/triggers.ts';
import { unicodeIssues, type UnicodeIssue } from './poison/unicode.ts';
import type { Cell, ReadProblem, TableSink } from './read/types.ts';
import type { DatasetLimits } from './types.ts';

/** Labels beyond this many distinct values share one "other" id. */
const MAX_LABELS = 10_000;
/** Bytes read before the table's row count is estimated (see `expectBytes`). */
const RESERVE_AFTER_BYTES = 16 * 1024 * 1024;
/** Estimated rows are rounded up by this much: bytes read run a little ahead of rows parsed. */
const RESERVE_MARGIN = 1.05;
/** Normalised text inputs shorter than this are not compared as duplicates ("ok", "yes"). */
const MIN_TEXT_KEY = 8;

export interface UnicodeTally {
  issue: UnicodeIssue;
  column: number;
  rows: number[];
  rowCount: number;
  what: Map<string, number>;
}

export interface ProblemTally {
  raggedRows: number[];
  raggedCount: number;
  malformedCount: number;
  malformedLines: number[];
  malformedDetails: Map<string, number>;
  limits: string[];
}

export interface AnalysisState {
  names: string[];
  rowCount: number;
  labelNames: string[];
  labelCounts: number[];
  unlabelled: number;
  rowLabels: Int32Array;
  profilers: ProfilerState[];
  tally: ReturnType<PiiTally['exportState']>;
  duplicates: DuplicateState;
  nearDuplicates: NearDuplicateState;
  triggers: TriggerState;
  features: ReturnType<FeatureStore['exportState']> | null;
  unicode: UnicodeTally[];
  problems: ProblemTally;
  nlpSkipped: number;
}

export class TableAnalysis implements TableSink {
  names: string[] = [];
  roles: ColumnRoles | null = null;
  readonly scanner: PiiScanner;
  readonly tally: PiiTally;
  profilers: ColumnProfiler[] = [];
  private hints: ColumnHints[] = [];
  private readonly rejectors: Array<(id: DetectorId) => void> = [];
  private sample: Cell[][] = [];
  rowCount = 0;

  readonly labelIds = new Map<string, number>();
  readonly labelNames: string[] = [];
  labelCounts: number[] = [];
  unlabelled = 0;
  rowLabels = new Int32Array(1024);

  duplicates: DuplicateTable;
  nearDuplicates: NearDuplicateIndex;
  triggers: TriggerCounter;
  features: FeatureStore | null = null;
  private featureScratch = new Float64Array(0);
  private readonly tokens = new TokenBuffer();
  readonly unicode = new Map<string, UnicodeTally>();
  readonly problems: ProblemTally = { raggedRows: [], raggedCount: 0, malformedCount: 0, malformedLines: [], malformedDetails: new Map(), limits: [] };

  constructor(private readonly limits: DatasetLimits, private readonly requestedLabel: string | undefined, scannerOptions: { phoneRegion?: string; detectors?: readonly DetectorId[] }) {
    this.scanner = new PiiScanner({
      nlpCalls: limits.nlpCalls,
      ...(scannerOptions.phoneRegion ? { phoneRegion: scannerOptions.phoneRegion } : {}),
      ...(scannerOptions.detectors ? { detectors: new Set(scannerOptions.detectors) } : {}),
    });
    this.tally = new PiiTally(this.scanner, limits.maxRowsPerFinding);
    this.duplicates = new DuplicateTable(limits.duplicateEntries);
    this.nearDuplicates = new NearDuplicateIndex(limits.nearDuplicateRows);
    this.triggers = new TriggerCounter({ ...DEFAULT_TRIGGER_OPTIONS, minSupport: limits.triggerMinSupport });
  }

  columns(names: readonly string[]): void {
    this.names = [...names];
    if (this.roles) this.extendColumns();
  }

  problem(p: ReadProblem): void {
    const t = this.problems;
    if (p.kind === 'ragged') {
      t.raggedCount++;
      if (p.row !== undefined && t.raggedRows.length < this.limits.maxRowsPerFinding) t.raggedRows.push(p.row);
    } else if (p.kind === 'malformed') {
      t.malformedCount++;
      if (p.line !== undefined && t.malformedLines.length < 1000) t.malformedLines.push(p.line);
      t.malformedDetails.set(p.detail, (t.malformedDetails.get(p.detail) ?? 0) + 1);
    } else if (!t.limits.includes(p.detail)) {
      t.limits.push(p.detail);
    }
  }

  row(cells: readonly Cell[], index: number): void {
    if (!this.roles) {
      this.sample.push([...cells]);
      if (this.sample.length >= this.limits.sampleRows) this.setup();
      return;
    }
    this.process(cells, index);
  }

  /** Uses roles decided elsewhere (a parallel part of a scan): no rows are held back. */
  presetRoles(names: readonly string[], roles: ColumnRoles): void {
    this.names = [...names];
    this.roles = roles;
    this.extendColumns();
    if (roles.numericFeatures.length > 0) {
      this.features = new FeatureStore(roles.numericFeatures.length, this.limits.featureCells);
      this.featureScratch = new Float64Array(roles.numericFeatures.length);
    }
  }

  /** Everything this part of the scan learnt, as structured-clone data. */
  exportState(): AnalysisState {
    return {
      names: this.names,
      rowCount: this.rowCount,
      labelNames: this.labelNames,
      labelCounts: this.labelCounts,
      unlabelled: this.unlabelled,
      rowLabels: this.rowLabels.subarray(0, this.rowCount),
      profilers: this.profilers.map((p) => p.exportState()),
      tally: this.tally.exportState(),
      duplicates: this.duplicates.exportState(),
      nearDuplicates: this.nearDuplicates.exportState(),
      triggers: this.triggers.exportState(),
      features: this.features?.exportState() ?? null,
      unicode: [...this.unicode.values()],
      problems: this.problems,
      nlpSkipped: this.scanner.nlpBudget.skipped,
    };
  }

  /**
   * The buffers behind an exported state's typed arrays, each once: posted as a transfer list
   * they move to the other thread instead of being copied (a view is serialised with its whole
   * buffer, often twice the rows in use; copying half a large table's state took ~0.5 s).
   */
  static transferables(state: AnalysisState): ArrayBuffer[] {
    const views: ArrayBufferView[] = [
      state.rowLabels,
      state.duplicates.h1, state.duplicates.h2, state.duplicates.firstRow, state.duplicates.firstLabel, state.duplicates.sideSlot, state.duplicates.sideRow,
      state.nearDuplicates.sigs, state.nearDuplicates.bands, state.nearDuplicates.rows, state.nearDuplicates.exact,
      state.triggers.rec, state.triggers.pool,
      ...(state.features ? [state.features.values, state.features.rows, state.features.labels] : []),
      ...state.profilers.flatMap((p) => (p.hll ? [p.hll] : [])),
    ];
    const buffers = new Set<ArrayBuffer>();
    for (const v of views) if (v.buffer instanceof ArrayBuffer) buffers.add(v.buffer);
    return [...buffers];
  }

  /**
   * Adds a later part of the table (its rows start at `offset`), as if this analysis had read it.
   * `featuresMerged` is called as soon as the numeric features are complete, before the rest is
   * merged, so another thread can start on them.
   */
  absorb(o: AnalysisState, offset: number, featuresMerged?: () => void): void {
    if (o.names.length > this.names.length) this.columns(o.names);
    const map = o.labelNames.map((name) => {
      let id = this.labelIds.get(name);
      if (id === undefined) { id = this.labelNames.length; this.labelIds.set(name, id); this.labelNames.push(name); }
      return id;
    });
    const label = (l: number) => (l < 0 ? -1 : map[l] ?? -1);
    o.labelCounts.forEach((n, l) => { const m = label(l); if (m >= 0) this.labelCounts[m] = (this.labelCounts[m] ?? 0) + (n ?? 0); });
    this.unlabelled += o.unlabelled;
    const total = offset + o.rowCount;
    if (total > this.rowLabels.length) {
      const next = new Int32Array(total);
      next.set(this.rowLabels.subarray(0, Math.min(this.rowLabels.length, total)));
      this.rowLabels = next;
    }
    for (let r = 0; r < o.rowCount; r++) this.rowLabels[offset + r] = label(o.rowLabels[r]!);
    this.rowCount = Math.max(this.rowCount, total);
    if (this.features && o.features) this.features.absorb(o.features, offset, label);
    featuresMerged?.();
    o.profilers.forEach((p, i) => this.profilers[i]?.absorb(p));
    this.tally.absorb(o.tally, offset);
    this.duplicates.absorb(o.duplicates, offset, (row) => label(o.rowLabels[row] ?? -1));
    this.nearDuplicates.absorb(o.nearDuplicates, offset);
    this.triggers.absorb(o.triggers, offset, label);
    for (const u of o.unicode) {
      const k = `${u.issue}:${u.column}`;
      let t = this.unicode.get(k);
      if (!t) { t = { issue: u.issue, column: u.column, rows: [], rowCount: 0, what: new Map() }; this.unicode.set(k, t); }
      t.rowCount += u.rowCount;
      for (const r of u.rows) if (t.rows.length < this.limits.maxRowsPerFinding) t.rows.push(r + offset);
      for (const [w, n] of u.what) t.what.set(w, (t.what.get(w) ?? 0) + n);
    }
    const p = this.problems;
    p.raggedCount += o.problems.raggedCount;
    for (const r of o.problems.raggedRows) if (p.raggedRows.length < this.limits.maxRowsPerFinding) p.raggedRows.push(r + offset);
    p.malformedCount += o.problems.malformedCount;
    // Line numbers of a later part count from where that part starts; they are not comparable.
    for (const [d, n] of o.problems.malformedDetails) p.malformedDetails.set(d, (p.malformedDetails.get(d) ?? 0) + n);
    for (const l of o.problems.limits) if (!p.limits.includes(l)) p.limits.push(l);
    this.scanner.nlpBudget.skipped += o.nlpSkipped;
  }

  private reserved = false;

  /**
   * Read progress: `done` of `total` bytes. Once a few megabytes are read, the row count they
   * held predicts the table's rows well enough to size the large per-row arrays once, rather
   * than copying them at every doubling (fresh memory is slow to touch the first time, and a
   * doubling touches twice what it keeps). `total`: the bytes this analysis reads; `merged`: the
   * bytes whose rows it ends up holding, a parallel part's rows absorbed (the duplicate table
   * re-adds them; the other structures take them without copying, or copy once).
   */
  expectBytes(done: number, total: number, merged = total): void {
    if (this.reserved || done < RESERVE_AFTER_BYTES || this.rowCount === 0 || !this.roles) return;
    this.reserved = true;
    const perByte = (this.rowCount / done) * RESERVE_MARGIN;
    // Only as many as the share of rows each structure has actually taken so far.
    const share = (n: number) => n / this.rowCount;
    this.nearDuplicates.reserve(perByte * total * share(this.nearDuplicates.size));
    if (this.features) this.features.reserve(perByte * total * share(this.features.n));
    this.duplicates.reserve(perByte * merged * share(this.duplicates.distinct));
  }

  /** Flushes the held-back rows (also for tables shorter than the sample). */
  end(): void {
    if (!this.roles) this.setup();
  }

  private setup(): void {
    this.roles = decideRoles(this.names, this.sample, this.requestedLabel);
    this.extendColumns();
    const numeric = this.roles.numericFeatures;
    if (numeric.length > 0) {
      this.features = new FeatureStore(numeric.length, this.limits.featureCells);
      this.featureScratch = new Float64Array(numeric.length);
    }
    const held = this.sample;
    this.sample = [];
    held.forEach((cells, i) => this.process(cells, i));
  }

  private extendColumns(): void {
    const roles = this.roles!;
    for (let i = this.profilers.length; i < this.names.length; i++) {
      this.rejectors.push((id) => this.tally.reject(i, id));
      this.profilers.push(new ColumnProfiler(this.names[i]!, i));
      this.hints.push(this.scanner.columnHints({ name: this.names[i]!, valuesLookLikeNames: roles.personNameColumns.has(i) }));
    }
  }

  private labelOf(cells: readonly Cell[]): number {
    const col = this.roles!.label.column;
    if (col === null) return -1;
    const v = cells[col] ?? null;
    if (isNullValue(v)) return -1;
    const key = String(v).trim();
    let id = this.labelIds.get(key);
    if (id === undefined) {
      if (this.labelNames.length >= MAX_LABELS) {
        id = this.labelIds.get('(other labels)');
        if (id === undefined) { id = this.labelNames.length; this.labelIds.set('(other labels)', id); this.labelNames.push('(other labels)'); }
      } else {
        id = this.labelNames.length;
        this.labelIds.set(key, id);
        this.labelNames.push(key);
      }
    }
    return id;
  }

  private process(cells: readonly Cell[], row: number): void {
    const roles = this.roles!;
    this.rowCount = Math.max(this.rowCount, row + 1);
    const label = this.labelOf(cells);
    if (label < 0) this.unlabelled++;
    else this.labelCounts[label] = (this.labelCounts[label] ?? 0) + 1;
    if (row >= this.rowLabels.length) {
      const next = new Int32Array(Math.max(this.rowLabels.length * 2, row + 1));
      next.set(this.rowLabels);
      this.rowLabels = next;
    }
    this.rowLabels[row] = label;

    const n = Math.min(cells.length, this.profilers.length);
    const reject = this.rejectors;
    // Some text value of the row is not ASCII (else the joined free text below is ASCII too).
    let nonAscii = false;
    for (let i = 0; i < n; i++) {
      const v = cells[i] ?? null;
      let text: string | null = null;
      if (typeof v === 'string') text = v;
      else if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) >= 1e6) text = String(v); // ids stored as numbers
      let masked: string | null = null;
      if (text !== null) {
        const matches = this.scanner.scan(text, this.hints[i]!, reject[i]);
        if (matches.length > 0) {
          this.tally.add(i, row, text, matches);
          // Masked text is only needed while the column still collects examples.
          if (this.profilers[i]!.wantsExamples) masked = this.scanner.maskText(text, matches);
        }
        if (typeof v === 'string' && this.scanner.hasNonAscii(v)) {
          nonAscii = true;
          this.checkUnicode(v, i, row);
        }
      }
      this.profilers[i]!.observe(v, masked);
    }
    for (let i = n; i < this.profilers.length; i++) this.profilers[i]!.observe(null, null);

    // Duplicate key over the input columns.
    const key = newKey();
    for (const c of roles.inputColumns) {
      const v = cells[c] ?? null;
      addField(key, v === null ? '' : typeof v === 'string' ? v : String(v), !nonAscii);
    }
    const textInputs = roles.textColumns.length > 0;
    if (roles.inputColumns.length > 0 && (!textInputs || key.length >= MIN_TEXT_KEY)) this.duplicates.add(key.h1, key.h2, row, label);

    // Free text: near duplicates and trigger tokens.
    if (textInputs) {
      let joined = '';
      for (const c of roles.textColumns) {
        const v = cells[c];
        if (typeof v === 'string' && v.length > 0) joined = joined.length === 0 ? v : `${joined} ${v}`;
      }
      if (joined.length > 0) {
        if (!nonAscii || !this.scanner.hasNonAscii(joined)) {
          // ASCII needs no normalising: one tokenisation serves both indicators.
          const tokens = this.tokens.tokenize(joined);
          this.nearDuplicates.addTokens(tokens, joined.length, row, key.h1);
          if (label >= 0) this.triggers.observeTokens(tokens, joined, row, label);
        } else {
          this.nearDuplicates.add(normaliseText(joined), row, key.h1);
          if (label >= 0) this.triggers.observe(joined, row, label);
        }
      }
    }

    if (this.features) {
      const x = this.featureScratch;
      const cols = roles.numericFeatures;
      for (let d = 0; d < cols.length; d++) x[d] = numericValue(cells[cols[d]!] ?? null);
      this.features.add(x, row, label);
    }
  }

  private checkUnicode(text: string, column: number, row: number): void {
    for (const hit of unicodeIssues(text)) {
      const k = `${hit.issue}:${column}`;
      let t = this.unicode.get(k);
      if (!t) { t = { issue: hit.issue, column, rows: [], rowCount: 0, what: new Map() }; this.unicode.set(k, t); }
      if (t.rows[t.rows.length - 1] !== row) {
        t.rowCount++;
        if (t.rows.length < this.limits.maxRowsPerFinding) t.rows.push(row);
      }
      t.what.set(hit.what, (t.what.get(hit.what) ?? 0) + 1);
    }
  }

  labelOfRow(row: number): number {
    return row < this.rowLabels.length ? this.rowLabels[row]! : -1;
  }

  private nearResult: NearDuplicateResult | null = null;
  private triggerResult: TriggerCandidate[] | null = null;

  /**
   * Near-duplicate clusters and trigger candidates, worked out once after the last row: a
   * parallel scan computes them while the worker runs the nearest-neighbour check, the report
   * then reuses them.
   */
  nearDuplicateClusters(): NearDuplicateResult {
    return (this.nearResult ??= this.nearDuplicates.finish((row) => this.labelOfRow(row)));
  }

  triggerCandidates(): TriggerCandidate[] {
    return (this.triggerResult ??= this.triggers.finish());
  }
}
