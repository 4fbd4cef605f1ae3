// Lists the files of a model (a folder or a single file) the way OpenSSF model signing sees
// them: regular files under the root, minus the default git exclusions, the signature file and
// the signed `ignore_paths`. Links and special files are listed, never silently skipped, so the
// verifier can report them.
import type { Dirent } from 'node:fs';
import { lstat, opendir, realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, posix, relative, sep } from 'node:path';

export const DEFAULT_GIT_IGNORES = ['.git', '.gitattributes', '.github', '.gitignore'] as const;

export type EntryKind = 'file' | 'symlink' | 'special';

export interface ModelEntry {
  /** Path relative to the model root, `/`-separated; the file name for a single-file model. */
  relPath: string;
  absPath: string;
  kind: EntryKind;
  /** Size of the file (of the link target for followed links); 0 when unknown. */
  size: number;
  /** For links: whether the target is a regular file that may be hashed (links allowed). */
  followable?: boolean;
  /** For links: the target resolves outside the model. */
  outside?: boolean;
}

export interface ModelTree {
  root: string;
  singleFile: boolean;
  entries: ModelEntry[];
  /** Relative paths skipped because an ignore rule matched. */
  ignored: string[];
  notes: string[];
}

export interface WalkOptions {
  /** Paths relative to the model root (posix). */
  ignorePaths?: readonly string[];
  ignoreGitPaths?: boolean;
  /** The signature file: excluded when it lies inside the model. */
  signaturePath?: string;
  /** Follow links to regular files (their target is hashed); otherwise links are reported. */
  allowSymlinks?: boolean;
  maxFiles?: number;
  maxDepth?: number;
  signal?: AbortSignal;
}

export class ModelWalkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelWalkError';
  }
}

/** Compares by Unicode code point (Python's str order), not UTF-16 units. */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/** Order of paths by their components (PurePosixPath order). */
export function comparePaths(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const c = compareCodePoints(pa[i]!, pb[i]!);
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
}

/** Normalises an ignore entry to a relative posix path; null when it does not stay inside the model. */
export function normaliseIgnorePath(p: string): string | null {
  if (p === '' || isAbsolute(p) || p.startsWith('/') || /^[A-Za-z]:/.test(p)) return null;
  const n = posix.normalize(p.replace(/\\/g, '/')).replace(/\/+$/, '');
  if (n === '.' || n === '' || n === '..' || n.startsWith('../')) return null;
  return n;
}

function matches(rel: string, ignores: ReadonlySet<string>): boolean {
  if (ignores.has(rel)) return true;
  let i = rel.indexOf('/');
  while (i >= 0) {
    if (ignores.has(rel.slice(0, i))) return true;
    i = rel.indexOf('/', i + 1);
  }
  return false;
}

function toPosix(rel: string): string {
  return sep === '/' ? rel : rel.split(sep).join('/');
}

async function describeLink(abs: string, rootReal: string): Promise<Pick<ModelEntry, 'size' | 'followable' | 'outside'>> {
  try {
    const target = await realpath(abs);
    const st = await stat(abs);
    const rel = relative(rootReal, target);
    return { size: st.isFile() ? st.size : 0, followable: st.isFile(), outside: rel.startsWith('..') || isAbsolute(rel) };
  } catch {
    return { size: 0, followable: false, outside: false };
  }
}

export async function walkModel(modelPath: string, options: WalkOptions = {}): Promise<ModelTree> {
  const maxFiles = options.maxFiles ?? 1_000_000;
  const maxDepth = options.maxDepth ?? 64;
  const notes: string[] = [];
  const top = await lstat(modelPath).catch(() => null);
  if (!top) throw new ModelWalkError(`${modelPath} does not exist`);

  if (!top.isDirectory()) {
    const name = basename(modelPath);
    let entry: ModelEntry;
    if (top.isFile()) entry = { relPath: name, absPath: modelPath, kind: 'file', size: top.size };
    else if (top.isSymbolicLink()) {
      const info = await describeLink(modelPath, await realpath(join(modelPath, '..')).catch(() => modelPath));
      if (!info.followable) throw new ModelWalkError(`${modelPath} is a link that does not lead to a regular file`);
      entry = { relPath: name, absPath: modelPath, kind: 'symlink', ...info, outside: false };
    } else throw new ModelWalkError(`${modelPath} is neither a file nor a folder`);
    return { root: modelPath, singleFile: true, entries: [entry], ignored: [], notes };
  }

  const rootReal = await realpath(modelPath);
  const ignores = new Set<string>();
  for (const p of options.ignorePaths ?? []) {
    const n = normaliseIgnorePath(p);
    if (n === null) notes.push(`ignore entry ${JSON.stringify(p)} does not name a path inside the model and was not applied`);
    else ignores.add(n);
  }
  if (options.ignoreGitPaths ?? true) for (const g of DEFAULT_GIT_IGNORES) ignores.add(g);
  if (options.signaturePath) {
    const sigReal = await realpath(options.signaturePath).catch(() => null);
    const rel = sigReal ? relative(rootReal, sigReal) : null;
    if (rel && !rel.startsWith('..') && !isAbsolute(rel)) ignores.add(toPosix(rel));
  }

  const entries: ModelEntry[] = [];
  const ignored: string[] = [];
  const stack: { abs: string; rel: string; depth: number }[] = [{ abs: modelPath, rel: '', depth: 0 }];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('cancelled');
    if (dir.depth > maxDepth) throw new ModelWalkError(`the model is nested deeper than ${maxDepth} folders`);
    const children: Dirent[] = [];
    for await (const d of await opendir(dir.abs)) {
      children.push(d);
      if (entries.length + children.length > maxFiles) throw new ModelWalkError(`the model has more than ${maxFiles} entries`);
    }
    children.sort((a, b) => compareCodePoints(b.name, a.name)); // reversed: the stack pops in order
    for (const d of children) {
      const rel = dir.rel === '' ? d.name : `${dir.rel}/${d.name}`;
      const abs = join(dir.abs, d.name);
      if (matches(rel, ignores)) {
        ignored.push(rel);
        continue;
      }
      if (d.isDirectory()) stack.push({ abs, rel, depth: dir.depth + 1 });
      else if (d.isFile()) {
        const st = await lstat(abs);
        entries.push({ relPath: rel, absPath: abs, kind: 'file', size: st.size });
      } else if (d.isSymbolicLink()) {
        entries.push({ relPath: rel, absPath: abs, kind: 'symlink', ...(await describeLink(abs, rootReal)) });
      } else entries.push({ relPath: rel, absPath: abs, kind: 'special', size: 0 });
    }
  }
  entries.sort((a, b) => comparePaths(a.relPath, b.relPath));
  ignored.sort(comparePaths);
  return { root: modelPath, singleFile: false, entries, ignored, notes };
}
