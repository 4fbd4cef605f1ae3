// Global-regex matching without String.prototype.matchAll, which clones the expression on every
// call: detectors run on millions of values and most find nothing.
const NO_MATCHES: readonly RegExpExecArray[] = Object.freeze([]) as readonly RegExpExecArray[];

/** All matches of a global regular expression in `text` (shared empty array when none). */
export function matches(re: RegExp, text: string): readonly RegExpExecArray[] {
  re.lastIndex = 0;
  let m = re.exec(text);
  if (m === null) return NO_MATCHES;
  const out: RegExpExecArray[] = [];
  while (m !== null) {
    out.push(m);
    if (m[0].length === 0) re.lastIndex++;
    m = re.exec(text);
  }
  re.lastIndex = 0;
  return out;
}
