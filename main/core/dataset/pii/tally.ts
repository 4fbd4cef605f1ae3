// Per column and per detector results: counts, rows, confidence, masked samples, and how many
// candidates failed validation (look-alikes, which are never reported as PII).
import type { PiiScanner } from './scanner.ts';
import type { DetectorId, PiiMatch } from './types.ts';

const MAX_SAMPLES = 5;

/** Detectors whose validation is a checksum: valid hits among many failures may be chance. */
const CHECKSUM_DETECTORS = new Set<DetectorId>([
  'payment-card', 'iban', 'us-ssn', 'es-dni-nie', 'br-cpf', 'in-aadhaar', 'cn-resident-id', 'fr-nir', 'nl-bsn',
  'se-personnummer', 'fi-hetu', 'it-codice-fiscale', 'no-fodselsnummer',
]);

export interface DetectorStats {
  detector: DetectorId;
  hits: number;
  rowCount: number;
  rows: number[];
  rowsTruncated: boolean;
  confidenceSum: number;
  confidenceMax: number;
  contextHits: number;
  rejected: number;
  samples: string[];
  kinds: Map<string, number>;
  lastRow: number;
}

export interface PiiColumnSummary {
  column: string;
  detector: DetectorId;
  ruleId: string;
  label: string;
  /** Values found. */
  count: number;
  /** Rows holding at least one. */
  rows: number;
  /** Mean confidence after context and chance adjustment (0..1). */
  confidence: number;
  maxConfidence: number;
  /** Hits with a context word in the column name or just before the value. */
  withContext: number;
  /** Candidates in the right layout that failed validation (look-alikes, not counted). */
  rejectedLookAlikes: number;
  /** Masked examples; never the raw value. */
  samples: string[];
  kinds: Record<string, number>;
  /** Valid hits are few among many look-alikes: they may be chance, so confidence was lowered. */
  likelyChance: boolean;
}

export class PiiTally {
  private readonly columns: Array<Map<DetectorId, DetectorStats>> = [];

  constructor(private readonly scanner: PiiScanner, private readonly maxRows: number) {}

  private stats(col: number, id: DetectorId): DetectorStats {
    let m = this.columns[col];
    if (!m) { m = new Map(); this.columns[col] = m; }
    let s = m.get(id);
    if (!s) {
      s = { detector: id, hits: 0, rowCount: 0, rows: [], rowsTruncated: false, confidenceSum: 0, confidenceMax: 0, contextHits: 0, rejected: 0, samples: [], kinds: new Map(), lastRow: -1 };
      m.set(id, s);
    }
    return s;
  }

  reject(col: number, id: DetectorId): void {
    this.stats(col, id).rejected++;
  }

  add(col: number, row: number, text: string, matches: readonly PiiMatch[]): void {
    for (const m of matches) {
      const s = this.stats(col, m.detector);
      s.hits++;
      s.confidenceSum += m.confidence;
      if (m.confidence > s.confidenceMax) s.confidenceMax = m.confidence;
      if (m.contextBoost) s.contextHits++;
      if (m.kind) s.kinds.set(m.kind, (s.kinds.get(m.kind) ?? 0) + 1);
      if (s.lastRow !== row) {
        s.lastRow = row;
        s.rowCount++;
        if (s.rows.length < this.maxRows) s.rows.push(row);
        else s.rowsTruncated = true;
      }
      if (s.samples.length < MAX_SAMPLES) {
        const masked = this.scanner.detector(m.detector).mask(text.slice(m.start, m.end));
        if (!s.samples.includes(masked)) s.samples.push(masked);
      }
    }
  }

  /** Per-column statistics as structured-clone data (for a parallel part of a scan). */
  exportState(): Array<DetectorStats[] | null> {
    return this.columns.map((m) => (m ? [...m.values()] : null));
  }

  /** Adds the statistics of a later part of the table, whose rows start at `offset`. */
  absorb(state: ReadonlyArray<DetectorStats[] | null>, offset: number): void {
    state.forEach((list, col) => {
      for (const o of list ?? []) {
        const s = this.stats(col, o.detector);
        s.hits += o.hits;
        s.rowCount += o.rowCount;
        for (const r of o.rows) {
          if (s.rows.length < this.maxRows) s.rows.push(r + offset);
          else s.rowsTruncated = true;
        }
        s.rowsTruncated ||= o.rowsTruncated;
        s.confidenceSum += o.confidenceSum;
        s.confidenceMax = Math.max(s.confidenceMax, o.confidenceMax);
        s.contextHits += o.contextHits;
        s.rejected += o.rejected;
        for (const x of o.samples) if (s.samples.length < MAX_SAMPLES && !s.samples.includes(x)) s.samples.push(x);
        for (const [k, n] of o.kinds) s.kinds.set(k, (s.kinds.get(k) ?? 0) + n);
      }
    });
  }

  /** Detectors that fired in a column. */
  detectorsIn(col: number): DetectorId[] {
    return [...(this.columns[col]?.values() ?? [])].filter((s) => s.hits > 0).map((s) => s.detector);
  }

  statsFor(col: number, id: DetectorId): DetectorStats | undefined {
    return this.columns[col]?.get(id);
  }

  summaries(columnNames: readonly string[]): PiiColumnSummary[] {
    const out: PiiColumnSummary[] = [];
    this.columns.forEach((m, col) => {
      if (!m) return;
      for (const s of m.values()) {
        if (s.hits === 0) continue;
        const d = this.scanner.detector(s.detector);
        const likelyChance = CHECKSUM_DETECTORS.has(s.detector) && s.rejected >= 20 && s.hits / (s.hits + s.rejected) < 0.3 && s.contextHits < s.hits / 2;
        const mean = (s.confidenceSum / s.hits) * (likelyChance ? 0.6 : 1);
        out.push({
          column: columnNames[col] ?? `#${col}`,
          detector: s.detector,
          ruleId: d.ruleId,
          label: d.label,
          count: s.hits,
          rows: s.rowCount,
          confidence: Math.round(mean * 100) / 100,
          maxConfidence: Math.round(s.confidenceMax * 100) / 100,
          withContext: s.contextHits,
          rejectedLookAlikes: s.rejected,
          samples: [...s.samples],
          kinds: Object.fromEntries(s.kinds),
          likelyChance,
        });
      }
    });
    return out;
  }
}
