// Safety checks on archive member names, shared by the zip and tar readers. A name is judged as
// an extractor on either Windows or POSIX would interpret it: `\` counts as a separator too.

export interface NameVerdict {
  /** Why extracting this name would write outside the target folder, or null. */
  traversal: string | null;
  /** Why the name misleads (control characters, backslashes, length), or null. */
  suspicious: string | null;
}

const MAX_REASONABLE_NAME = 1024;

/** Tests on the whole name, in order; the first that matches explains the traversal. */
const TRAVERSAL_TESTS: readonly { test: (name: string) => boolean; why: string }[] = [
  { test: (n) => /^[\\/]{2}/.test(n), why: 'a UNC or network path' },
  { test: (n) => /^[A-Za-z]:/.test(n), why: 'a drive-letter path' },
  { test: (n) => /^[\\/]/.test(n), why: 'an absolute path' },
  { test: (n) => n.split(/[\\/]/).some((seg) => seg === '..'), why: 'a `..` segment that climbs out of the folder' },
];

const SUSPICIOUS_TESTS: readonly { test: (name: string) => boolean; why: string }[] = [
  { test: (n) => n.includes('\0'), why: 'a NUL character (C-based tools cut the name there)' },
  // eslint-disable-next-line no-control-regex
  { test: (n) => /[\u0001-\u001f\u007f]/.test(n), why: 'control characters' },
  { test: (n) => /[\u202a-\u202e\u2066-\u2069]/.test(n), why: 'bidirectional override characters (the displayed name differs from the real one)' },
  { test: (n) => n.includes('\\'), why: 'backslashes (folders on Windows, part of the name elsewhere)' },
  { test: (n) => n.length > MAX_REASONABLE_NAME, why: `more than ${MAX_REASONABLE_NAME} characters` },
];

export function judgeName(name: string): NameVerdict {
  const t = TRAVERSAL_TESTS.find((x) => x.test(name));
  const s = SUSPICIOUS_TESTS.find((x) => x.test(name));
  return { traversal: t ? t.why : null, suspicious: s ? s.why : null };
}

/** Judges a link target: absolute targets and targets climbing out with `..` reach outside. */
export function linkTargetEscapes(target: string): boolean {
  return judgeName(target).traversal !== null;
}

/** Printable form of a name for messages: control characters shown as escapes, length capped. */
export function showName(name: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const clean = name.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
