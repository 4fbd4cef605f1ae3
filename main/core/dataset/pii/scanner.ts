// Runs the detectors over one value: cheap gates first, then each detector's own patterns and
// validation, then context words, then overlap resolution by detector priority.
import { buildDetectors } from './catalogue.ts';
import { columnHasContext, splitWords, windowHasContext } from './context.ts';
import { cellFeatures } from './features.ts';
import { createNlpBudget, type NlpBudget } from './names.ts';
import type { CellFeatures, ColumnHints, DetectorHit, DetectorId, PiiDetector, PiiMatch } from './types.ts';

/** Hits below this confidence (after context) are dropped. */
export const MIN_CONFIDENCE = 0.45;
const COLUMN_BOOST = 0.1;
const WINDOW_BOOST = 0.1;
/** Values shorter than this cannot hold any detector's smallest value. */
const MIN_LENGTH = 4;

const KEY_WORDS = ['key', 'secret', 'token', 'password', 'passwd', 'pwd', 'credential', 'credentials', 'apikey', 'auth', 'private', 'access'];
const PASSWORD_WORDS = ['password', 'passwd', 'pwd', 'passphrase', 'passcode'];
const PERSON_WORDS = ['name', 'names', 'firstname', 'lastname', 'surname', 'fullname', 'forename', 'givenname', 'familyname', 'patient', 'customer', 'author', 'employee', 'person', 'contact', 'owner', 'holder', 'cardholder', 'signatory', 'recipient', 'sender'];
/** Column names containing `name` that do not hold people. */
const NOT_PERSON_WORDS = ['file', 'filename', 'host', 'hostname', 'user', 'username', 'product', 'company', 'city', 'country', 'street', 'domain', 'table', 'column', 'field', 'class', 'label', 'model', 'brand', 'item', 'category', 'species', 'path', 'key', 'place', 'region', 'state', 'team', 'org', 'organisation', 'organization', 'project', 'dataset', 'package', 'app', 'device', 'server', 'tag', 'type'];

export interface ColumnSetup {
  name: string;
  /** Values look like person names (decided from a sample by the caller). */
  valuesLookLikeNames?: boolean;
}

/** Whether a column's name alone says it holds person names. */
export function nameSaysPerson(columnName: string): boolean {
  const words = splitWords(columnName);
  if (words.some((w) => NOT_PERSON_WORDS.includes(w))) return false;
  return words.some((w) => PERSON_WORDS.includes(w)) || /(?:first|last|full|sur|given|family|fore)_?name/i.test(columnName);
}

export interface PiiScannerOptions {
  /** Region for phone numbers written without a country code, e.g. `US`, `DE`. */
  phoneRegion?: string;
  /** Only these detectors run (default all). */
  detectors?: ReadonlySet<DetectorId>;
  /** compromise calls allowed in this scan. */
  nlpCalls?: number;
}

export class PiiScanner {
  readonly detectors: readonly PiiDetector[];
  readonly nlpBudget: NlpBudget;
  private readonly byId: Map<DetectorId, PiiDetector>;
  private readonly phoneRegion: string | undefined;
  private readonly perColumn = new WeakMap<ColumnHints, readonly PiiDetector[]>();
  private readonly contextCache = new WeakMap<ColumnHints, Map<DetectorId, boolean>>();
  // One hit buffer and two bound callbacks for every call: no allocation per value.
  private readonly hits: DetectorHit[] = [];
  private readonly learned = new WeakMap<ColumnHints, ColumnLearning>();
  private rejectedBy: DetectorId | null = null;
  private onReject: ((id: DetectorId) => void) | null = null;
  private readonly collect = (h: DetectorHit): void => { this.hits.push(h); };
  private readonly reject = (): void => { if (this.onReject && this.rejectedBy) this.onReject(this.rejectedBy); };

  constructor(options: PiiScannerOptions = {}) {
    this.nlpBudget = createNlpBudget(options.nlpCalls);
    const all = buildDetectors(this.nlpBudget);
    this.detectors = options.detectors ? all.filter((d) => options.detectors!.has(d.id)) : all;
    this.byId = new Map(all.map((d) => [d.id, d]));
    this.phoneRegion = options.phoneRegion?.toUpperCase();
  }

  detector(id: DetectorId): PiiDetector {
    return this.byId.get(id)!;
  }

  columnHints(setup: ColumnSetup): ColumnHints {
    const words = new Set(splitWords(setup.name));
    const lower = setup.name.toLowerCase();
    const has = (list: readonly string[]) => list.some((w) => words.has(w) || (w.length >= 5 && lower.includes(w)));
    return {
      name: setup.name,
      lower,
      words,
      keyLike: has(KEY_WORDS),
      passwordLike: has(PASSWORD_WORDS),
      personNames: setup.valuesLookLikeNames === true,
      phoneRegion: this.phoneRegion,
    };
  }

  /** Detectors that can fire in a column at all (some depend on the column's name only). */
  private detectorsFor(col: ColumnHints): readonly PiiDetector[] {
    const cached = this.perColumn.get(col);
    if (cached) return cached;
    const list = this.detectors.filter((d) => (d.id !== 'password-field' || col.passwordLike) && (d.id !== 'high-entropy-secret' || col.keyLike));
    this.perColumn.set(col, list);
    return list;
  }

  private columnContext(col: ColumnHints, d: PiiDetector): boolean {
    let m = this.contextCache.get(col);
    if (!m) { m = new Map(); this.contextCache.set(col, m); }
    let v = m.get(d.id);
    if (v === undefined) { v = d.context.length > 0 && columnHasContext(col, d.context); m.set(d.id, v); }
    return v;
  }

  /**
   * Detections in one value, sorted by position, overlaps resolved. Returns a shared empty
   * array when nothing is found (the common case), so callers must not mutate it.
   */
  scan(text: string, col: ColumnHints, rejected?: (id: DetectorId) => void): readonly PiiMatch[] {
    if (text.length < MIN_LENGTH && !(col.personNames && text.length >= 2)) return NONE;
    const f = cellFeatures(text);
    // A column whose values are each one whole e-mail address, phone number or name: a value
    // that is entirely one such match holds nothing else, so the other detectors can be skipped.
    const learn = this.learning(col);
    if (learn.dominant) {
      const whole = this.wholeValue(text, f, col, learn.dominant, rejected);
      if (whole) return whole;
    }
    const result = this.fullScan(text, f, col, rejected);
    if (learn.seen < LEARN_VALUES) {
      learn.seen++;
      if (result.length === 1 && isWhole(text, result[0]!)) {
        const d = result[0]!.detector;
        const n = (learn.whole.get(d) ?? 0) + 1;
        learn.whole.set(d, n);
        if (learn.seen === LEARN_VALUES && n >= LEARN_VALUES * 0.95) learn.dominant = this.byId.get(d) ?? null;
      }
      if (learn.seen === LEARN_VALUES && !learn.dominant) {
        for (const [d, n] of learn.whole) if (n >= LEARN_VALUES * 0.95) learn.dominant = this.byId.get(d) ?? null;
      }
    }
    return result;
  }

  private learning(col: ColumnHints): ColumnLearning {
    let l = this.learned.get(col);
    if (!l) { l = { seen: 0, whole: new Map(), dominant: null }; this.learned.set(col, l); }
    return l;
  }

  /** The column's usual detector alone, when it matches the whole value; null otherwise. */
  private wholeValue(text: string, f: CellFeatures, col: ColumnHints, d: PiiDetector, rejected?: (id: DetectorId) => void): readonly PiiMatch[] | null {
    if (!d.gate(f, col)) return null;
    const hits = this.hits;
    hits.length = 0;
    this.rejectedBy = rejected ? d.id : null;
    this.onReject = rejected ?? null;
    d.find(text, col, this.collect, this.reject);
    if (hits.length !== 1) return null;
    const h = hits[0]!;
    if (!isWhole(text, h)) return null;
    const inColumn = this.columnContext(col, d);
    if (h.needsContext && !inColumn) return null;
    const confidence = Math.min(0.99, h.confidence + (inColumn ? COLUMN_BOOST : 0));
    if (confidence < MIN_CONFIDENCE) return null;
    const match: PiiMatch = { detector: d.id, start: h.start, end: h.end, confidence, contextBoost: inColumn };
    if (h.kind) match.kind = h.kind;
    return [match];
  }

  private fullScan(text: string, f: CellFeatures, col: ColumnHints, rejected?: (id: DetectorId) => void): readonly PiiMatch[] {
    // A short number (an amount, an age, a count) holds nothing any detector looks for.
    if (f.letters === 0 && f.digits < 7 && f.dots < 3 && f.colons < 2) return NONE;
    let out: PiiMatch[] | null = null;
    const hits = this.hits;
    for (const d of this.detectorsFor(col)) {
      if (!d.gate(f, col)) continue;
      hits.length = 0;
      this.rejectedBy = rejected ? d.id : null;
      this.onReject = rejected ?? null;
      d.find(text, col, this.collect, this.reject);
      if (hits.length === 0) continue;
      const inColumn = this.columnContext(col, d);
      for (const h of hits) {
        const inWindow = !inColumn && d.context.length > 0 && windowHasContext(text, h.start, d.context);
        if (h.needsContext && !inColumn && !inWindow) continue;
        const confidence = Math.min(0.99, h.confidence + (inColumn ? COLUMN_BOOST : 0) + (inWindow ? WINDOW_BOOST : 0));
        if (confidence < MIN_CONFIDENCE) continue;
        if (out && out.some((m) => h.start < m.end && m.start < h.end)) continue;
        const match: PiiMatch = { detector: d.id, start: h.start, end: h.end, confidence, contextBoost: inColumn || inWindow };
        if (h.kind) match.kind = h.kind;
        (out ??= []).push(match);
      }
    }
    if (!out) return NONE;
    return out.length > 1 ? out.sort((a, b) => a.start - b.start) : out;
  }

  /** The value with every detection replaced by its masked form. */
  maskText(text: string, matches: readonly PiiMatch[]): string {
    if (matches.length === 0) return text;
    let out = '';
    let at = 0;
    for (const m of matches) {
      out += text.slice(at, m.start) + this.byId.get(m.detector)!.mask(text.slice(m.start, m.end));
      at = m.end;
    }
    return out + text.slice(at);
  }
}

const NONE: readonly PiiMatch[] = Object.freeze([]);

/** Values of a column looked at before deciding whether it holds one kind of value only. */
const LEARN_VALUES = 200;

interface ColumnLearning {
  seen: number;
  whole: Map<DetectorId, number>;
  dominant: PiiDetector | null;
}

/** The match covers the value apart from surrounding whitespace. */
function isWhole(text: string, m: { start: number; end: number }): boolean {
  for (let i = 0; i < m.start; i++) if (text.charCodeAt(i) > 32) return false;
  for (let i = m.end; i < text.length; i++) if (text.charCodeAt(i) > 32) return false;
  return true;
}
