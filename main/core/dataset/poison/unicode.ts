// Invisible and deceptive characters in text fields: zero-width and other invisible format
// characters, bidirectional controls, and words that mix Latin with look-alike Cyrillic or
// Greek letters. Legitimate uses are left alone: joiners inside emoji and in scripts that need
// them (Arabic, Persian, Indic), direction marks inside right-to-left text.

export type UnicodeIssue = 'invisible' | 'bidi' | 'homoglyph';

export interface UnicodeHit {
  issue: UnicodeIssue;
  /** Code points (U+XXXX) or the masked word shape that triggered it. */
  what: string;
}

const BIDI_CONTROLS = new Set([0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]);
const DIRECTION_MARKS = new Set([0x200e, 0x200f, 0x061c]);
const JOINERS = new Set([0x200c, 0x200d]);
const INVISIBLE = new Set([0x200b, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xfeff, 0x180e, 0x00ad, 0x034f, 0x115f, 0x1160, 0x3164, 0xffa0, 0x17b4, 0x17b5]);

/** Cyrillic and Greek letters that render like Latin ones. */
const CONFUSABLE = new Set(Array.from('аеорсухіјѕԁԛԝӏАВЕКМНОРСТХІЈЅοαειкνρτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ', (c) => c.codePointAt(0)!));
const LATIN = /\p{Script=Latin}/u;
const CYRILLIC_GREEK = /[\p{Script=Cyrillic}\p{Script=Greek}]/u;
const WORD = /[\p{L}\p{M}]+/gu;

function hex(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

const RTL = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]/;
const NEEDS_JOINERS = /[\u0600-\u06ff\u0750-\u077f\u0900-\u0dff\u1780-\u17ff\ua8e0-\ua8ff]/;

function isEmojiish(cp: number): boolean {
  return (cp >= 0x1f000 && cp <= 0x1faff) || (cp >= 0x2600 && cp <= 0x27bf) || cp === 0xfe0f || (cp >= 0x1f3fb && cp <= 0x1f3ff);
}

const NO_HITS: readonly UnicodeHit[] = Object.freeze([]);

/**
 * Every character this check looks for (format and direction controls, joiners, Greek and
 * Cyrillic letters) is at U+0370 or above, except the soft hyphen and the combining grapheme
 * joiner: values in ASCII and Latin-1 to IPA (most accented names) need no closer look.
 */
function mayHaveIssues(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x370 || c === 0xad || c === 0x34f) return true;
  }
  return false;
}

/** Issues in one value; an empty array for plain ASCII (checked first, cheaply). */
export function unicodeIssues(text: string): readonly UnicodeHit[] {
  if (!mayHaveIssues(text)) return NO_HITS;
  const hits: UnicodeHit[] = [];
  const seen = new Set<string>();
  const add = (issue: UnicodeIssue, what: string) => {
    const k = `${issue}:${what}`;
    if (!seen.has(k)) { seen.add(k); hits.push({ issue, what }); }
  };
  let rtl: boolean | null = null;
  let joinScript: boolean | null = null;
  const cps = Array.from(text, (c) => c.codePointAt(0)!);
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i]!;
    if (cp < 0x80) continue;
    if (BIDI_CONTROLS.has(cp)) add('bidi', hex(cp));
    else if (DIRECTION_MARKS.has(cp)) {
      rtl ??= RTL.test(text);
      if (!rtl) add('bidi', hex(cp));
    } else if (JOINERS.has(cp)) {
      const prev = cps[i - 1] ?? 0;
      const next = cps[i + 1] ?? 0;
      if (isEmojiish(prev) || isEmojiish(next)) continue;
      joinScript ??= NEEDS_JOINERS.test(text);
      if (!joinScript) add('invisible', hex(cp));
    } else if (INVISIBLE.has(cp) || (cp >= 0xe0000 && cp <= 0xe007f)) {
      if (cp === 0xfeff && i === 0) continue; // a BOM left at the start of a field
      add('invisible', hex(cp));
    }
  }
  let latinWords = 0;
  const suspicious: string[] = [];
  for (const m of text.matchAll(WORD)) {
    const w = m[0];
    const hasLatin = LATIN.test(w);
    const hasOther = CYRILLIC_GREEK.test(w);
    if (hasLatin && !hasOther) { latinWords++; continue; }
    if (!hasOther) continue;
    const others = Array.from(w).filter((c) => CYRILLIC_GREEK.test(c));
    const allConfusable = others.every((c) => CONFUSABLE.has(c.codePointAt(0)!));
    if (hasLatin && allConfusable) suspicious.push(w);
    else if (!hasLatin && allConfusable && w.length >= 2) suspicious.push(`?${w}`); // whole word of look-alikes
  }
  for (const w of suspicious) {
    // A word spelled entirely in look-alike letters only counts inside Latin text.
    if (w.startsWith('?') && latinWords < 2) continue;
    add('homoglyph', shapeOf(w.replace(/^\?/, '')));
  }
  return hits;
}

/** A word with each letter replaced by its script: L for Latin, C for Cyrillic, G for Greek. */
function shapeOf(word: string): string {
  return Array.from(word, (c) => (/\p{Script=Latin}/u.test(c) ? 'L' : /\p{Script=Cyrillic}/u.test(c) ? 'C' : /\p{Script=Greek}/u.test(c) ? 'G' : '?')).join('');
}
