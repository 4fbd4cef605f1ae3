// Checks a model against a published digest list: GNU coreutils lines (`HEX  name`, `HEX *name`,
// with `\`-escaped names) and BSD tag lines (`SHA256 (name) = HEX`). Files of the model the
// list does not mention are reported as unlisted; listed files that are absent as missing.
import { basename } from 'node:path';
import { hashRanges } from '../oms/hash-ranges.ts';
import { comparePaths, normaliseIgnorePath, walkModel } from '../oms/model-walk.ts';
import type { ProgressCallback } from '../oms/progress.ts';

export interface SumsEntry {
  name: string;
  sha256: string;
  line: number;
}

export interface ParsedSums {
  entries: SumsEntry[];
  /** Lines that are neither blank, comments, nor SHA-256 entries (1-based). */
  rejectedLines: { line: number; reason: string }[];
}

const GNU = /^(\\?)([0-9a-fA-F]{64}) [ *](.+)$/;
const BSD = /^(\\?)SHA256 \((.+)\) ?= ?([0-9a-fA-F]{64})$/;
const OTHER_BSD = /^\\?(MD5|SHA1|SHA224|SHA384|SHA512|BLAKE2b|SHA3-\d+) \(/i;
export const MAX_SUMS_BYTES = 16 * 1024 * 1024;

function unescapeName(name: string): string {
  return name.replace(/\\(\\|n|r)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : '\\'));
}

export function parseSha256Sums(text: string): ParsedSums {
  if (text.length > MAX_SUMS_BYTES) throw new Error('the digest list is too large');
  const entries: SumsEntry[] = [];
  const rejectedLines: ParsedSums['rejectedLines'] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    const n = i + 1;
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    let m = GNU.exec(line);
    if (m) {
      entries.push({ name: m[1] ? unescapeName(m[3]!) : m[3]!, sha256: m[2]!.toLowerCase(), line: n });
      return;
    }
    m = BSD.exec(line);
    if (m) {
      entries.push({ name: m[1] ? unescapeName(m[2]!) : m[2]!, sha256: m[3]!.toLowerCase(), line: n });
      return;
    }
    rejectedLines.push({ line: n, reason: OTHER_BSD.test(line) ? 'not a SHA-256 entry' : 'not a digest line' });
  });
  return { entries, rejectedLines };
}

export type SumsStatus = 'ok' | 'mismatch' | 'missing' | 'unreadable' | 'unlisted' | 'duplicate';

export interface SumsFileCheck {
  path: string;
  status: SumsStatus;
  expected: string | null;
  actual: string | null;
  detail?: string;
}

export interface SumsIssue {
  ruleId: 'trust.digest-mismatch' | 'trust.digest-listed-missing' | 'trust.digest-unlisted';
  message: string;
  path: string;
}

export interface SumsCheck {
  /** Every listed file present and equal, nothing unlisted, no conflicting lines. */
  ok: boolean;
  files: SumsFileCheck[];
  problems: SumsIssue[];
  rejectedLines: ParsedSums['rejectedLines'];
  bytesHashed: number;
}

export interface SumsOptions {
  /** The list's own path: not reported as unlisted when it lies in the model folder. */
  sumsPath?: string;
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

/** Checks the model folder (or single file) at `modelPath` against a SHA256SUMS text. */
export async function checkSha256Sums(modelPath: string, sumsText: string, options: SumsOptions = {}): Promise<SumsCheck> {
  const parsed = parseSha256Sums(sumsText);
  const tree = await walkModel(modelPath, { signaturePath: options.sumsPath, signal: options.signal });
  const listed = new Map<string, SumsEntry>();
  const files: SumsFileCheck[] = [];
  const problems: SumsIssue[] = [];
  for (const e of parsed.entries) {
    const name = normaliseIgnorePath(e.name.replace(/^\*/, ''));
    if (name === null) {
      parsed.rejectedLines.push({ line: e.line, reason: `${JSON.stringify(e.name)} is not a path inside the model` });
      continue;
    }
    const prior = listed.get(name);
    if (prior && prior.sha256 !== e.sha256) {
      files.push({ path: name, status: 'duplicate', expected: e.sha256, actual: null, detail: `listed twice with different digests (lines ${prior.line} and ${e.line})` });
      problems.push({ ruleId: 'trust.digest-mismatch', message: `${name} is listed twice with different digests`, path: name });
      continue;
    }
    listed.set(name, e);
  }
  const single = tree.singleFile ? basename(modelPath) : null;
  const toHash = tree.entries.filter((e) => listed.has(e.relPath));
  const bytesTotal = toHash.reduce((n, e) => n + e.size, 0);
  let bytesDone = 0;
  let filesDone = 0;
  for (const e of tree.entries) {
    const expected = listed.get(e.relPath);
    listed.delete(e.relPath);
    if (!expected) {
      files.push({ path: e.relPath, status: 'unlisted', expected: null, actual: null });
      problems.push({ ruleId: 'trust.digest-unlisted', message: `${e.relPath} is not in the digest list`, path: e.relPath });
      continue;
    }
    if (e.kind !== 'file') {
      files.push({ path: e.relPath, status: 'unreadable', expected: expected.sha256, actual: null, detail: e.kind === 'symlink' ? 'symbolic link' : 'special file' });
      problems.push({ ruleId: 'trust.digest-mismatch', message: `${e.relPath} is not a regular file`, path: e.relPath });
      continue;
    }
    try {
      const before = bytesDone;
      const [actual] = await hashRanges(e.absPath, [{ start: 0, end: e.size }], 'sha256', {
        signal: options.signal,
        onBytes: (n) => options.onProgress?.({ bytesDone: before + n, bytesTotal, filesDone, filesTotal: toHash.length, currentFile: e.relPath }),
      });
      bytesDone += e.size;
      filesDone++;
      if (actual === expected.sha256) files.push({ path: e.relPath, status: 'ok', expected: expected.sha256, actual: actual! });
      else {
        files.push({ path: e.relPath, status: 'mismatch', expected: expected.sha256, actual: actual ?? null });
        problems.push({ ruleId: 'trust.digest-mismatch', message: `${e.relPath} has SHA-256 ${actual}, the list says ${expected.sha256}`, path: e.relPath });
      }
    } catch (err) {
      if (options.signal?.aborted) throw err;
      files.push({ path: e.relPath, status: 'unreadable', expected: expected.sha256, actual: null, detail: (err as Error).message });
      problems.push({ ruleId: 'trust.digest-mismatch', message: `${e.relPath} could not be hashed: ${(err as Error).message}`, path: e.relPath });
    }
  }
  // A single-file model is checked against its own line only; other lines describe other files.
  if (!single) {
    for (const [name, e] of listed) {
      files.push({ path: name, status: 'missing', expected: e.sha256, actual: null });
      problems.push({ ruleId: 'trust.digest-listed-missing', message: `${name} is in the digest list but not in the model`, path: name });
    }
  } else if (files.length === 1 && files[0]!.status === 'unlisted') {
    // Fall back to matching the file's name anywhere in the list (lists often carry folders).
    const byBase = [...listed.entries()].filter(([n]) => basename(n) === single);
    if (byBase.length === 1) {
      files.length = 0;
      problems.length = 0;
      const entry = tree.entries[0]!;
      const [actual] = await hashRanges(entry.absPath, [{ start: 0, end: entry.size }], 'sha256', { signal: options.signal });
      bytesDone += entry.size;
      const ok = actual === byBase[0]![1].sha256;
      files.push({ path: entry.relPath, status: ok ? 'ok' : 'mismatch', expected: byBase[0]![1].sha256, actual: actual ?? null, detail: `matched by file name to ${byBase[0]![0]}` });
      if (!ok) problems.push({ ruleId: 'trust.digest-mismatch', message: `${entry.relPath} has SHA-256 ${actual}, the list says ${byBase[0]![1].sha256}`, path: entry.relPath });
    }
  }
  files.sort((a, b) => comparePaths(a.path, b.path));
  return { ok: problems.length === 0, files, problems, rejectedLines: parsed.rejectedLines, bytesHashed: bytesDone };
}
