// compromise, loaded on first use: it takes a noticeable time to load, and scans (or worker
// threads) that never analyse free text should not pay for it.
import { createRequire } from 'node:module';

type People = (text: string) => string[];
let people: People | null = null;

/** Person names compromise finds in a text ([] when it fails on odd input). */
export function nlpPeople(text: string): string[] {
  if (!people) {
    const nlp = createRequire(import.meta.url)('compromise') as (t: string) => { people(): { out(kind: 'array'): string[] } };
    people = (t) => nlp(t).people().out('array');
  }
  try {
    return people(text);
  } catch {
    return [];
  }
}
