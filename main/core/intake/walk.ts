// Lists the regular files of a folder without following symbolic links, with paths relative
// to the folder using '/', sorted by their UTF-8 bytes so every machine lists them alike.
import { lstat, opendir } from 'node:fs/promises';
import { join } from 'node:path';

export interface WalkFile {
  abs: string;
  rel: string;
  size: number;
}

export interface WalkResult {
  files: WalkFile[];
  /** Symbolic links found (not followed). */
  symlinks: string[];
  /** Pipes, sockets, devices: never read. */
  special: string[];
  /** Sub-folders that could not be listed, with the reason. */
  unreadable: { rel: string; message: string }[];
}

export class TooManyFilesError extends Error {}

export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export async function walkFolder(root: string, options: { maxFiles?: number; signal?: AbortSignal } = {}): Promise<WalkResult> {
  const maxFiles = options.maxFiles ?? 200_000;
  const result: WalkResult = { files: [], symlinks: [], special: [], unreadable: [] };
  const stack: string[] = [''];
  while (stack.length > 0) {
    options.signal?.throwIfAborted();
    const relDir = stack.pop()!;
    let dir;
    try {
      dir = await opendir(join(root, relDir));
    } catch (e) {
      result.unreadable.push({ rel: relDir || '.', message: e instanceof Error ? e.message : String(e) });
      continue;
    }
    for await (const entry of dir) {
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (entry.isSymbolicLink()) result.symlinks.push(rel);
      else if (entry.isDirectory()) stack.push(rel);
      else if (entry.isFile()) {
        const abs = join(root, rel);
        const st = await lstat(abs);
        result.files.push({ abs, rel, size: st.size });
        if (result.files.length > maxFiles) throw new TooManyFilesError(`${root} holds more than ${maxFiles} files`);
      } else result.special.push(rel);
    }
  }
  result.files.sort((a, b) => compareUtf8(a.rel, b.rel));
  result.symlinks.sort(compareUtf8);
  result.special.sort(compareUtf8);
  return result;
}
