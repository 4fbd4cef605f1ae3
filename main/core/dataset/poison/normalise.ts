// Text normalisation for duplicate checks: Unicode NFKC, lower case, invisible format
// characters removed, whitespace collapsed. Two 32-bit hashes of the result make a 64-bit key.

const INVISIBLE = /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]|\udb40[\udc00-\udc7f]/g;

export function normaliseText(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
}

export interface KeyHasher {
  h1: number;
  h2: number;
  /** Normalised characters hashed so far. */
  length: number;
}

export function newKey(): KeyHasher {
  return { h1: 0x811c9dc5, h2: 0x01000193 ^ 0x5bd1e995, length: 0 };
}

/**
 * Adds one field to a key: ASCII text is normalised on the fly (lower case, runs of whitespace
 * as one space, trimmed); other text goes through `normaliseText` first. `ascii`: the caller
 * already knows the value is ASCII (no need to look again).
 */
export function addField(key: KeyHasher, value: string, ascii = false): void {
  const s = ascii || isAscii(value) ? value : normaliseText(value);
  let h1 = key.h1;
  let h2 = key.h2;
  let length = key.length; // a local, not a property written per character
  let pendingSpace = false;
  let any = false;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11) {
      pendingSpace = any;
      continue;
    }
    if (pendingSpace) {
      h1 = Math.imul(h1 ^ 32, 0x01000193);
      h2 = Math.imul(h2 ^ 32, 0x5bd1e995) ^ (h2 >>> 15);
      length++;
      pendingSpace = false;
    }
    if (c >= 65 && c <= 90) c += 32;
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
    length++;
    any = true;
  }
  // Field separator, so ("ab", "c") and ("a", "bc") differ.
  h1 = Math.imul(h1 ^ 0x1f, 0x01000193);
  h2 = Math.imul(h2 ^ 0x1f, 0x5bd1e995) ^ (h2 >>> 15);
  key.h1 = h1 >>> 0;
  key.h2 = h2 >>> 0;
  key.length = length;
}
