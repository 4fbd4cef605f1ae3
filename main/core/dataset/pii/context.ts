// Context words: a column name or the text just before a value that says what the value is.
import type { ColumnHints } from './types.ts';

const WINDOW = 48;

export function splitWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/** True when a context word names the column: a whole word, or part of a longer name (`birthdate`). */
export function columnHasContext(col: ColumnHints, words: readonly string[]): boolean {
  for (const w of words) {
    if (col.words.has(w)) return true;
    if (w.length >= 4 && !w.includes(' ') && col.lower.includes(w)) return true;
  }
  return false;
}

/** True when a context word occurs in the text shortly before `start`. */
export function windowHasContext(text: string, start: number, words: readonly string[]): boolean {
  if (start === 0 || words.length === 0) return false;
  const before = text.slice(Math.max(0, start - WINDOW), start).toLowerCase();
  for (const w of words) {
    const at = before.lastIndexOf(w);
    if (at < 0) continue;
    // whole-word match so `cc` does not fire inside `account`
    const prev = at > 0 ? before.charCodeAt(at - 1) : 32;
    const next = at + w.length < before.length ? before.charCodeAt(at + w.length) : 32;
    if (!isWordChar(prev) && !isWordChar(next)) return true;
  }
  return false;
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c > 127;
}
