// The root digest of a model folder: SHA-256 over the folder's SHA256SUMS text in canonical
// form — one line `<sha256 hex><two spaces><relative path>\n` per regular file, paths with '/'
// and sorted by their UTF-8 bytes. Anyone can recompute it with coreutils:
//   (cd DIR && find . -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum
import { createHash } from 'node:crypto';
import { compareUtf8 } from './walk.ts';

export interface FileDigestEntry {
  rel: string;
  sha256: string;
}

export function sha256sumsText(entries: readonly FileDigestEntry[]): string {
  return [...entries].sort((a, b) => compareUtf8(a.rel, b.rel)).map((e) => `${e.sha256}  ${e.rel}\n`).join('');
}

export function folderRootDigest(entries: readonly FileDigestEntry[]): string {
  return createHash('sha256').update(sha256sumsText(entries), 'utf8').digest('hex');
}
