// Turns a path a person gave into something Assay can add — a regular file or a folder — or
// into a clear reason why not. Nothing is stored for a path that fails here.
import { constants } from 'node:fs';
import { access, lstat, realpath, stat } from 'node:fs/promises';
import { describeFileKind } from './hash.ts';

export type Inspected =
  | { ok: true; kind: 'file' | 'folder'; path: string; realPath: string; size: number }
  | { ok: false; path: string; message: string };

export function ioMessage(path: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT': return `${path} does not exist`;
    case 'EACCES':
    case 'EPERM': return `${path} cannot be read: permission denied`;
    case 'ELOOP': return `${path} is a symbolic link loop`;
    case 'ENOTDIR': return `${path}: a part of the path is not a folder`;
    case 'ENAMETOOLONG': return `${path}: the path is too long`;
    case 'EISDIR': return `${path} is a folder`;
    default: return `${path}: ${e instanceof Error ? e.message : String(e)}`;
  }
}

export async function inspectPath(path: string): Promise<Inspected> {
  try {
    const link = await lstat(path);
    let real = path;
    if (link.isSymbolicLink()) {
      try {
        real = await realpath(path);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return { ok: false, path, message: `${path} is a symbolic link to something that does not exist` };
        return { ok: false, path, message: ioMessage(path, e) };
      }
    } else {
      real = await realpath(path);
    }
    const st = await stat(real);
    if (st.isDirectory()) {
      await access(real, constants.R_OK | constants.X_OK);
      return { ok: true, kind: 'folder', path, realPath: real, size: 0 };
    }
    if (!st.isFile()) return { ok: false, path, message: `${path} is ${describeFileKind(st)}, not a regular file or folder` };
    await access(real, constants.R_OK);
    return { ok: true, kind: 'file', path, realPath: real, size: st.size };
  } catch (e) {
    return { ok: false, path, message: ioMessage(path, e) };
  }
}
