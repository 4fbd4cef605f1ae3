// Person names: whole values of a name column, names after honorifics or introductions, and
// (within a per-scan budget, it costs ~0.5 ms a call) names compromise finds in free text.
import { nlpPeople } from './nlp.ts';
import { maskName } from './mask.ts';
import type { ColumnHints, PiiDetector } from './types.ts';
import { matches } from './regex.ts';

/** One to five words that start with a capital (or an uncased script such as Han), no digits. */
const NAME_SHAPE = /^(?:[\p{Lu}\p{Lt}\p{Lo}][\p{L}\p{M}'’.-]*|(?:van|von|der|den|de|da|del|della|di|du|la|le|bin|binti|ibn|al|el|ben|ter|ten|dos|das|y)[ ]?)(?:[ ]+(?:[\p{Lu}\p{Lt}\p{Lo}][\p{L}\p{M}'’.-]*|van|von|der|den|de|da|del|della|di|du|la|le|bin|binti|ibn|al|el|ben|ter|ten|dos|das|y)){0,5}$/u;

export function looksLikeName(value: string): boolean {
  const v = value.trim();
  return v.length >= 2 && v.length <= 80 && NAME_SHAPE.test(v) && /[\p{Lu}\p{Lt}\p{Lo}]/u.test(v);
}

const NAME_WORD = "[\\p{Lu}][\\p{L}\\p{M}'’-]+";
const HONORIFIC = new RegExp(`(?<![\\p{L}])(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Herr|Frau|Mme|Mlle|Sr|Sra|Srta)\\.? (${NAME_WORD}(?: ${NAME_WORD}){0,2})`, 'gu');
const INTRODUCTION = new RegExp(`(?:[Mm]y name is |[Nn]ame: ?|[Ss]igned,? |[Dd]ear |[Rr]egards,? |[Ss]incerely,? |[Cc]ontact person:? |[Pp]atient:? )(${NAME_WORD}(?: ${NAME_WORD}){0,2})`, 'gu');
/** Either of the two patterns can match (one cheap search before running both). */
const CUE = /(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Herr|Frau|Mme|Mlle|Sr|Sra|Srta)\.? \p{Lu}|[Mm]y name is|[Nn]ame:|[Ss]igned|[Dd]ear |[Rr]egards|[Ss]incerely|[Cc]ontact person|[Pp]atient/u;
/** Free text worth an NLP call: a capitalised word after a lower-case one, mid-sentence. */
const MID_SENTENCE_CAPITAL = /[\p{Ll},;:] +[\p{Lu}][\p{Ll}\p{M}]+/u;

/** A character after the first that is an ASCII capital or not ASCII (it may be \p{Lu} or \p{Lo}). */
export function capitalAfterFirst(text: string): boolean {
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 65 && c <= 90) || c > 127) return true;
  }
  return false;
}

export interface NlpBudget {
  remaining: number;
  skipped: number;
}

/** Calls allowed per scan: about a tenth of a second of compromise. */
export const DEFAULT_NLP_CALLS = 200;

export function createNlpBudget(calls = DEFAULT_NLP_CALLS): NlpBudget {
  return { remaining: calls, skipped: 0 };
}

export function makePersonNameDetector(budget: NlpBudget): PiiDetector {
  return {
    id: 'person-name',
    ruleId: 'dataset.pii-person-name',
    label: 'person names',
    context: ['name', 'patient', 'customer', 'client', 'employee', 'contact', 'author', 'signed', 'dear', 'mr', 'mrs', 'ms', 'dr'],
    gate: (f, col) => f.upper >= 1 || f.nonAscii || col.personNames,
    find(text, col: ColumnHints, hit) {
      if (col.personNames) {
        if (looksLikeName(text)) {
          const start = text.length - text.trimStart().length;
          hit({ start, end: start + text.trim().length, confidence: 0.85 });
        }
        return;
      }
      // Every pattern below needs a capital (or a letter of another script) after the first
      // character: most free text (a sentence with only its first letter capitalised) has
      // none, and one pass over its characters is cheaper than the three searches.
      if (!capitalAfterFirst(text)) {
        if (text.length >= 12 && budget.remaining <= 0) budget.skipped++;
        return;
      }
      const claimed: Array<[number, number]> = [];
      if (CUE.test(text)) for (const re of [HONORIFIC, INTRODUCTION]) {
        for (const m of matches(re, text)) {
          const name = m[1]!;
          const start = m.index + m[0].length - name.length;
          claimed.push([start, start + name.length]);
          hit({ start, end: start + name.length, confidence: re === HONORIFIC ? 0.8 : 0.7 });
        }
      }
      if (claimed.length > 0 || text.length < 12) return;
      if (budget.remaining <= 0) {
        budget.skipped++;
        return;
      }
      if (!MID_SENTENCE_CAPITAL.test(text)) return;
      budget.remaining--;
      for (const name of nlpPeople(text)) {
        const clean = name.replace(/[.,;:!?]+$/, '').trim();
        if (!clean.includes(' ') || !/^[\p{Lu}]/u.test(clean)) continue; // one word is too often a place or a brand
        const at = text.indexOf(clean);
        if (at >= 0) hit({ start: at, end: at + clean.length, confidence: 0.6 });
      }
    },
    mask: maskName,
  };
}
