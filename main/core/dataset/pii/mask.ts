// Masked renderings of detected values. Shape is kept (separators, length class) so an auditor
// can recognise the kind of value; only a few characters survive, never enough to recover it.

const MASK = '•';

/** Replaces letters and digits by `•`, except the first `keepStart` and last `keepEnd` of them. */
export function maskKeeping(value: string, keepStart: number, keepEnd: number): string {
  let alnum = 0;
  for (const ch of value) if (/[\p{L}\p{N}]/u.test(ch)) alnum++;
  // Never reveal more than a third of the characters, whatever the caller asked.
  const budget = Math.floor(alnum / 3);
  const start = Math.min(keepStart, budget);
  const end = Math.min(keepEnd, Math.max(0, budget - start));
  let seen = 0;
  let out = '';
  for (const ch of value) {
    if (/[\p{L}\p{N}]/u.test(ch)) {
      out += seen < start || seen >= alnum - end ? ch : MASK;
      seen++;
    } else {
      out += ch;
    }
  }
  return out;
}

/** A long value shown as its first characters and its length only. */
export function maskPrefix(value: string, keep: number): string {
  const shown = value.slice(0, Math.min(keep, Math.floor(value.length / 4)));
  return `${shown}${MASK.repeat(4)} (${value.length} chars)`;
}

export function maskEmail(value: string): string {
  const at = value.lastIndexOf('@');
  if (at <= 0) return maskKeeping(value, 0, 0);
  const domain = value.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const tld = dot >= 0 ? domain.slice(dot) : '';
  return `${value[0]}${MASK.repeat(3)}@${MASK.repeat(3)}${tld}`;
}

/** Names keep their initials: `J. S.` style, one per word. */
export function maskName(value: string): string {
  return value
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .map((w) => `${[...w][0] ?? ''}${MASK.repeat(3)}`)
    .join(' ');
}
