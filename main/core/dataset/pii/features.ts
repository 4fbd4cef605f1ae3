// One pass over a value's characters collects the facts detector gates need.
import type { CellFeatures } from './types.ts';

export function cellFeatures(text: string): CellFeatures {
  let digits = 0;
  let upper = 0;
  let at = false;
  let colons = 0;
  let dots = 0;
  let nonAscii = false;
  let word = 0;
  let longestWord = 0;
  let letters = 0;
  let run = 0;
  let maxDigitRun = 0;
  let plus = false;
  let equals = false;
  let dashes = 0;
  let underscores = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      digits++;
      word++;
      if (++run > maxDigitRun) maxDigitRun = run;
      continue;
    }
    run = 0;
    if (c >= 97 && c <= 122) { letters++; word++; continue; }
    if (c >= 65 && c <= 90) { upper++; letters++; word++; continue; }
    if (c === 32 || c === 10 || c === 9 || c === 13) {
      if (word > longestWord) longestWord = word;
      word = 0;
      continue;
    }
    if (c === 64) at = true;
    else if (c === 43) plus = true;
    else if (c === 61) equals = true;
    else if (c === 58) colons++;
    else if (c === 46) dots++;
    else if (c === 45) dashes++;
    else if (c === 95) underscores++;
    else if (c > 127) { nonAscii = true; letters++; }
    // punctuation inside a token (`_`, `-`, `.`, `/`, `+`, `=`) keeps the word going
    word++;
  }
  if (word > longestWord) longestWord = word;
  return { length: text.length, digits, upper, at, colons, dots, nonAscii, longestWord, letters, maxDigitRun, plus, equals, dashes, underscores };
}
