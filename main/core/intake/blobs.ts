// Content-addressed storage inside the data directory: blobs/sha256/ab/abcdef... Imported
// artifacts and auditor attachments are copied here while being hashed (one read), written to
// a temporary name, flushed, and renamed into place, so a crash never leaves a partial blob
// under a real digest.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileChunks, type FileDigest, type ReadOptions } from './hash.ts';

export function blobRelPath(sha256: string): string {
  return join('blobs', 'sha256', sha256.slice(0, 2), sha256);
}

export async function copyIntoBlobs(dataDir: string, source: string, options: ReadOptions = {}): Promise<FileDigest & { blobPath: string }> {
  const tmpDir = join(dataDir, 'blobs', 'tmp');
  await mkdir(tmpDir, { recursive: true });
  const tmp = join(tmpDir, `${randomBytes(8).toString('hex')}.part`);
  const out = await open(tmp, 'wx', 0o600);
  const hash = createHash('sha256');
  let meta;
  try {
    meta = await readFileChunks(source, async (chunk) => {
      hash.update(chunk);
      let written = 0;
      while (written < chunk.length) written += (await out.write(chunk, written, chunk.length - written)).bytesWritten;
    }, options);
    await out.sync();
  } catch (e) {
    await out.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await out.close();
  const sha256 = hash.digest('hex');
  const rel = blobRelPath(sha256);
  const dest = join(dataDir, rel);
  const existing = await stat(dest).catch(() => null);
  if (existing && existing.size === meta.size) {
    await rm(tmp, { force: true }); // same content already stored
  } else {
    await mkdir(join(dataDir, 'blobs', 'sha256', sha256.slice(0, 2)), { recursive: true });
    await rename(tmp, dest);
  }
  return { sha256, ...meta, blobPath: rel };
}
