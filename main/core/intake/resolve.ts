// Turns the paths a person gave into loose files and folders (walked, links not followed),
// with every unusable path explained, and the byte total known before any content is read.
import { basename } from 'node:path';
import { inspectPath, ioMessage } from './inspect.ts';
import { walkFolder, type WalkFile } from './walk.ts';

export interface LooseFile {
  abs: string;
  rel: string | null;
  name: string;
  originalPath: string;
}

export interface ResolvedFolder {
  /** The path as given. */
  path: string;
  realPath: string;
  files: WalkFile[];
  symlinks: string[];
  special: string[];
}

export interface ResolvedInputs {
  loose: LooseFile[];
  folders: ResolvedFolder[];
  errors: { path: string; message: string }[];
  bytesTotal: number;
  itemsTotal: number;
}

export async function resolveInputs(paths: readonly string[], signal: AbortSignal): Promise<ResolvedInputs> {
  const out: ResolvedInputs = { loose: [], folders: [], errors: [], bytesTotal: 0, itemsTotal: 0 };
  for (const path of paths) {
    const inspected = await inspectPath(path);
    if (!inspected.ok) {
      out.errors.push({ path, message: inspected.message });
      continue;
    }
    if (inspected.kind === 'file') {
      out.loose.push({ abs: inspected.realPath, rel: null, name: basename(path), originalPath: inspected.realPath });
      out.bytesTotal += inspected.size;
      out.itemsTotal++;
      continue;
    }
    try {
      const walked = await walkFolder(inspected.realPath, { signal });
      for (const u of walked.unreadable) out.errors.push({ path: `${path}/${u.rel}`, message: `folder could not be listed: ${u.message}` });
      if (walked.files.length === 0) {
        out.errors.push({ path, message: `${path} contains no regular files` });
        continue;
      }
      out.folders.push({ path, realPath: inspected.realPath, files: walked.files, symlinks: walked.symlinks, special: walked.special });
      out.bytesTotal += walked.files.reduce((n, f) => n + f.size, 0);
      out.itemsTotal += walked.files.length;
    } catch (e) {
      if (signal.aborted) throw e;
      out.errors.push({ path, message: ioMessage(path, e) });
    }
  }
  return out;
}
