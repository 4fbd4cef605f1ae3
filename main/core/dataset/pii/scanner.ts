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
  /** Everything the scanner learns about one column, in one place (one lookup per value). */
  private readonly state = new WeakMap<ColumnHints, ColumnState>();
  // One hit buffer and two bound callbacks for every call: no allocation per value.
  private readonly hits: DetectorHit[] = [];
  private current: DetectorId | null = null;
  private onReject: ((id: DetectorId) => void) | null = null;
  private readonly collect = (h: DetectorHit): void => { this.hits.push(h); };
  private readonly reject = (): void => {
    if (this.current === null) return;
    this.onReject?.(this.current);
  };

  constructor(options: PiiScannerOptions = {}) {
    this.nlpBudget = createNlpBudget(options.nlpCalls);
    const all = buildDetectors(this.nlpBudget);
    this.detectors = options.detectors ? all.filter((d) => options.detectors!.has(d.id)) : all;
    this.byId = new Map(all.map((d) => [d.id, d]));
    this.phoneRegion = options.phoneRegion?.toUpperCase();
  }

  // The last value whose characters were looked at, and whether one was not ASCII.
  private lastText: string | null = null;
  private lastNonAscii = false;

  /**
   * Whether `text` holds a character outside ASCII: known without another pass when it was the
   * value just scanned (callers check every value they scan).
   */
  hasNonAscii(text: string): boolean {
    return text === this.lastText ? this.lastNonAscii : NON_ASCII.test(text);
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

  private columnState(col: ColumnHints): ColumnState {
    let s = this.state.get(col);
    if (!s) {
      // Detectors that can fire in this column at all (some depend on the column's name only).
      const detectors = this.detectors.filter((d) => (d.id !== 'password-field' || col.passwordLike) && (d.id !== 'high-entropy-secret' || col.keyLike));
      s = {
        hints: col,
        detectors,
        context: detectors.map((d) => d.context.length > 0 && columnHasContext(col, d.context)),
        learned: 0,
        whole: new Map(),
        dominant: -1,
        plainTextFree: !col.passwordLike && !col.keyLike && !col.personNames,
      };
      this.state.set(col, s);
    }
    return s;
  }

  /**
   * Detections in one value, sorted by position, overlaps resolved. Returns a shared empty
   * array when nothing is found (the common case), so callers must not mutate it.
   */
  scan(text: string, col: ColumnHints, rejected?: (id: DetectorId) => void): readonly PiiMatch[] {
    if (text.length < MIN_LENGTH && !(col.personNames && text.length >= 2)) return NONE;
    return this.scanValue(text, this.columnState(col), rejected);
  }

  private scanValue(text: string, s: ColumnState, rejected: ((id: DetectorId) => void) | undefined): readonly PiiMatch[] {
    const f = cellFeatures(text);
    this.lastText = text;
    this.lastNonAscii = f.nonAscii;
    // A column whose values are each one whole e-mail address, phone number or name: a value
    // that is entirely one such match holds nothing else, so the other detectors can be skipped.
    if (s.dominant >= 0) {
      const whole = this.wholeValue(text, f, s, s.dominant, rejected);
      if (whole) return whole;
    }
    const result = this.fullScan(text, f, s, rejected);
    if (s.learned < LEARN_VALUES) this.learn(text, s, result);
    return result;
  }

  private learn(text: string, s: ColumnState, result: readonly PiiMatch[]): void {
    s.learned++;
    if (result.length === 1 && isWhole(text, result[0]!)) {
      const d = result[0]!.detector;
      s.whole.set(d, (s.whole.get(d) ?? 0) + 1);
    }
    if (s.learned < LEARN_VALUES) return;
    for (const [d, n] of s.whole) {
      if (n < LEARN_VALUES * 0.95) continue;
      s.dominant = s.detectors.findIndex((x) => x.id === d);
      break;
    }
  }

  private runDetector(d: PiiDetector, text: string, col: ColumnHints, rejected: ((id: DetectorId) => void) | undefined): DetectorHit[] {
    const hits = this.hits;
    hits.length = 0;
    this.current = d.id;
    this.onReject = rejected ?? null;
    d.find(text, col, this.collect, this.reject);
    this.current = null;
    return hits;
  }

  /** The column's usual detector alone, when it matches the whole value; null otherwise. */
  private wholeValue(text: string, f: CellFeatures, s: ColumnState, index: number, rejected?: (id: DetectorId) => void): readonly PiiMatch[] | null {
    const d = s.detectors[index]!;
    const col = s.hints;
    if (!d.gate(f, col)) return null;
    const hits = this.runDetector(d, text, col, rejected);
    if (hits.length !== 1) return null;
    const h = hits[0]!;
    if (!isWhole(text, h)) return null;
    const inColumn = s.context[index]!;
    if (h.needsContext && !inColumn) return null;
    const confidence = Math.min(0.99, h.confidence + (inColumn ? COLUMN_BOOST : 0));
    if (confidence < MIN_CONFIDENCE) return null;
    const match: PiiMatch = { detector: d.id, start: h.start, end: h.end, confidence, contextBoost: inColumn };
    if (h.kind) match.kind = h.kind;
    return [match];
  }

  private fullScan(text: string, f: CellFeatures, s: ColumnState, rejected?: (id: DetectorId) => void): readonly PiiMatch[] {
    // A short number (an amount, an age, a count) holds nothing any detector looks for.
    if (f.letters === 0 && f.digits < 7 && f.dots < 3 && f.colons < 2) return NONE;
    // Nor does plain lower-case text without digits (a city, a label, a sentence): every gate
    // needs a digit, a capital, a non-ASCII letter, `@`, `:`, `=` or a 16-character token,
    // unless the column's name or values open a detector on their own.
    if (s.plainTextFree && f.digits === 0 && f.upper === 0 && !f.nonAscii && !f.at && f.colons === 0 && !f.equals && f.longestWord < 16) return NONE;
    let out: PiiMatch[] | null = null;
    const col = s.hints;
    const detectors = s.detectors;
    for (let i = 0; i < detectors.length; i++) {
      const d = detectors[i]!;
      if (!d.gate(f, col)) continue;
      const hits = this.runDetector(d, text, col, rejected);
      if (hits.length === 0) continue;
      const inColumn = s.context[i]!;
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
const NON_ASCII = /[^\x00-\x7f]/;

/** Values of a column looked at before deciding whether it holds one kind of value only. */
const LEARN_VALUES = 200;

interface ColumnState {
  hints: ColumnHints;
  detectors: readonly PiiDetector[];
  /** Per detector (same order): the column's name is one of its context words. */
  context: readonly boolean[];
  /** Values looked at for a dominant detector, and how many were one whole match of each. */
  learned: number;
  whole: Map<DetectorId, number>;
  /** Index of the detector nearly every value is wholly matched by, or -1. */
  dominant: number;
  /** No column-wide detector (passwords, keys, names) is open here, so plain lower-case text without digits cannot match. */
  plainTextFree: boolean;
}

/** The match covers the value apart from surrounding whitespace. */
function isWhole(text: string, m: { start: number; end: number }): boolean {
  for (let i = 0; i < m.start; i++) if (text.charCodeAt(i) > 32) return false;
  for (let i = m.end; i < text.length; i++) if (text.charCodeAt(i) > 32) return false;
  return true;
}
