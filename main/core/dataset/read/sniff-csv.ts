// Delimiter and header detection from the first kilobytes of a delimited file. The delimiter
// is the candidate that splits the sample's records into the most consistent number of fields
// (parsed with quotes respected); the header is decided the way a person would: a first row
// of unique, name-like labels whose columns hold other kinds of values below.
import { parse } from 'csv-parse/sync';

export const DELIMITERS = [',', '\t', ';', '|'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

const SAMPLE_RECORDS = 200;

export interface CsvSniff {
  delimiter: Delimiter;
  hasHeader: boolean;
  /** Fields per record in the sample (the mode). */
  fields: number;
}

function parseSample(text: string, delimiter: string): string[][] {
  try {
    return parse(text, {
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      to: SAMPLE_RECORDS,
    }) as string[][];
  } catch {
    return [];
  }
}

/** `whole` says the sample is the entire file (its last line is complete). */
export function sniffCsv(sample: string, whole: boolean, preferTab = false): CsvSniff {
  let text = sample;
  if (!whole) {
    const cut = Math.max(text.lastIndexOf('\n'), 0);
    text = text.slice(0, cut);
  }
  let best: { delimiter: Delimiter; score: number; fields: number; records: string[][] } | null = null;
  for (const delimiter of DELIMITERS) {
    const records = parseSample(text, delimiter);
    if (records.length === 0) continue;
    const counts = new Map<number, number>();
    for (const r of records) counts.set(r.length, (counts.get(r.length) ?? 0) + 1);
    let mode = 1;
    let modeCount = 0;
    for (const [n, c] of counts) if (c > modeCount || (c === modeCount && n > mode)) { mode = n; modeCount = c; }
    const consistency = modeCount / records.length;
    // More fields at equal consistency wins; one field means the delimiter is absent.
    let score = mode > 1 ? consistency * 10 + Math.min(mode, 50) / 50 : 0;
    if (preferTab && delimiter === '\t' && mode > 1) score += 1;
    if (!best || score > best.score) best = { delimiter, score, fields: mode, records };
  }
  if (!best || best.score === 0) {
    const records = parseSample(text, ',');
    return { delimiter: ',', hasHeader: guessHeader(records), fields: 1 };
  }
  return { delimiter: best.delimiter, hasHeader: guessHeader(best.records), fields: best.fields };
}

type Kind = 'empty' | 'number' | 'bool' | 'text';

function kindOf(v: string): Kind {
  const t = v.trim();
  if (t === '') return 'empty';
  if (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(t)) return 'number';
  if (/^(?:true|false)$/i.test(t)) return 'bool';
  return 'text';
}

const NAME_LIKE = /^[\p{L}_#][\p{L}\p{N} _.#()/-]{0,63}$/u;

export function guessHeader(records: readonly string[][]): boolean {
  const first = records[0];
  if (!first || first.length === 0) return false;
  const rest = records.slice(1);
  const trimmed = first.map((c) => c.trim());
  // Headers name every column, once, with something that is not a number.
  if (trimmed.some((c) => c === '')) return false;
  if (new Set(trimmed).size !== trimmed.length) return false;
  if (trimmed.some((c) => kindOf(c) === 'number' || kindOf(c) === 'bool')) return false;
  if (rest.length === 0) return trimmed.every((c) => NAME_LIKE.test(c));
  let votes = 0;
  for (let col = 0; col < first.length; col++) {
    const kinds = rest.map((r) => kindOf(r[col] ?? '')).filter((k) => k !== 'empty');
    if (kinds.length === 0) continue;
    const numeric = kinds.filter((k) => k === 'number' || k === 'bool').length / kinds.length;
    if (numeric >= 0.8) { votes += 1; continue; }
    // Text columns: a header value that also occurs as data is evidence against.
    if (rest.some((r) => (r[col] ?? '').trim() === trimmed[col])) votes -= 1;
  }
  if (votes > 0) return true;
  if (votes < 0) return false;
  // Only text columns: name-like, fairly short labels read as a header.
  return trimmed.every((c) => NAME_LIKE.test(c));
}
