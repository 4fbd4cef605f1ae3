// What each column is for, decided from the column names and the first rows: the label
// (chosen by the auditor or guessed, and always shown), identifiers, free text, numeric
// features, the columns that identify an input for duplicate checks, and person-name columns.
import { nlpPeople } from '../pii/nlp.ts';
import { splitWords } from '../pii/context.ts';
import { looksLikeName } from '../pii/names.ts';
import { nameSaysPerson } from '../pii/scanner.ts';
import type { Cell } from '../read/types.ts';
import { ColumnProfiler, isNullValue, type ColumnType } from './column-profile.ts';

const LABEL_NAMES = ['label', 'labels', 'class', 'target', 'y', 'category', 'sentiment', 'outcome', 'spam', 'is_spam', 'intent', 'classification', 'gold_label', 'gold', 'tag', 'emotion', 'topic', 'verdict', 'fraud', 'is_fraud', 'toxic', 'rating'];
const MAX_GUESSED_CLASSES = 100;

export interface LabelChoice {
  column: number | null;
  name: string | null;
  guessed: boolean;
  /** Why this column (or none) was chosen, for the auditor to confirm. */
  reason: string;
}

export interface ColumnRoles {
  label: LabelChoice;
  idColumns: ReadonlySet<number>;
  textColumns: readonly number[];
  numericFeatures: readonly number[];
  /** Columns whose values together identify an input (duplicate checks). */
  inputColumns: readonly number[];
  personNameColumns: ReadonlySet<number>;
  sampleTypes: readonly ColumnType[];
}

export class LabelNotFoundError extends Error {
  constructor(readonly requested: string, readonly columns: readonly string[]) {
    super(`no column named "${requested}" (columns: ${columns.slice(0, 20).join(', ')}${columns.length > 20 ? ', ...' : ''})`);
    this.name = 'LabelNotFoundError';
  }
}

function sampleProfiles(names: readonly string[], rows: readonly (readonly Cell[])[]): ColumnProfiler[] {
  const profilers = names.map((n, i) => new ColumnProfiler(n, i));
  for (const r of rows) for (let i = 0; i < names.length; i++) profilers[i]!.observe(r[i] ?? null, null);
  return profilers;
}

function isIdColumn(name: string, values: readonly Cell[], type: ColumnType): boolean {
  const words = splitWords(name);
  const last = words[words.length - 1];
  if (last && ['id', 'uuid', 'guid', 'idx', 'index'].includes(last)) return true;
  if (words.length === 1 && ['row', 'rowid', 'key', 'pk'].includes(words[0]!)) return true;
  const present = values.filter((v) => !isNullValue(v));
  if (present.length < 10 || new Set(present.map(String)).size !== present.length) return false;
  if (type === 'integer') {
    const nums = present.map(Number);
    return nums.every((x, i) => i === 0 || x > nums[i - 1]!);
  }
  // Distinct tokens without spaces (uuids, hashes, record keys).
  return type === 'string' && present.every((v) => typeof v === 'string' && v.length >= 8 && !v.includes(' ') && /\d/.test(v));
}

function chooseLabel(names: readonly string[], profiles: readonly ColumnProfiler[], sampleRows: number, requested: string | undefined, exclude: ReadonlySet<number>): LabelChoice {
  if (requested !== undefined) {
    let i = names.indexOf(requested);
    if (i < 0) i = names.findIndex((n) => n.toLowerCase() === requested.toLowerCase());
    if (i < 0) throw new LabelNotFoundError(requested, names);
    return { column: i, name: names[i]!, guessed: false, reason: 'chosen by the auditor' };
  }
  const maxClasses = Math.max(2, Math.min(MAX_GUESSED_CLASSES, Math.floor(sampleRows / 2)));
  const classes = (i: number) => profiles[i]!.distinctSoFar;
  const plausible = (i: number) => !exclude.has(i) && classes(i) >= 2 && classes(i) <= maxClasses && !['text', 'number', 'empty'].includes(profiles[i]!.type());
  for (const wanted of LABEL_NAMES) {
    const i = names.findIndex((n) => n.trim().toLowerCase() === wanted);
    if (i >= 0 && plausible(i)) return { column: i, name: names[i]!, guessed: true, reason: `column named "${names[i]}" with ${classes(i)} distinct values` };
  }
  for (let i = names.length - 1; i >= 0; i--) {
    if (plausible(i) && classes(i) <= 50 && (sampleRows < 20 || classes(i) <= sampleRows / 5)) {
      return { column: i, name: names[i]!, guessed: true, reason: `last column with few distinct values (${classes(i)})` };
    }
  }
  return { column: null, name: null, guessed: true, reason: 'no column looks like a label; label-based indicators were not computed' };
}

/** compromise on a few values: does it read them as people? */
function nlpSaysPeople(values: readonly string[]): boolean {
  const sample = values.slice(0, 30);
  if (sample.length < 3) return false;
  let people = 0;
  for (const v of sample) {
    if (nlpPeople(v).length > 0) people++;
  }
  return people >= sample.length * 0.5;
}

export function decideRoles(names: readonly string[], rows: readonly (readonly Cell[])[], requestedLabel?: string): ColumnRoles {
  const profiles = sampleProfiles(names, rows);
  const types = profiles.map((p) => p.type());
  const column = (i: number) => rows.map((r) => r[i] ?? null);

  const ids = new Set<number>();
  names.forEach((n, i) => { if (isIdColumn(n, column(i), types[i]!)) ids.add(i); });
  const label = chooseLabel(names, profiles, rows.length, requestedLabel, ids);
  if (label.column !== null) ids.delete(label.column);
  const notLabel = (i: number) => i !== label.column;

  const text = names.map((_, i) => i).filter((i) => notLabel(i) && types[i] === 'text');
  const numeric = names.map((_, i) => i).filter((i) => notLabel(i) && !ids.has(i) && (types[i] === 'integer' || types[i] === 'number') && profiles[i]!.distinctSoFar >= 3);
  const inputs = text.length > 0 ? text : names.map((_, i) => i).filter((i) => notLabel(i) && !ids.has(i));

  const persons = new Set<number>();
  names.forEach((n, i) => {
    if (!notLabel(i) || types[i] !== 'string') return;
    const values = column(i).filter((v): v is string => typeof v === 'string' && !isNullValue(v));
    if (values.length === 0) return;
    const shaped = values.filter(looksLikeName).length / values.length;
    if ((nameSaysPerson(n) && shaped >= 0.6) || (shaped >= 0.8 && nlpSaysPeople(values))) persons.add(i);
  });

  return { label, idColumns: ids, textColumns: text, numericFeatures: numeric, inputColumns: inputs, personNameColumns: persons, sampleTypes: types };
}
