// Hashing throughput of the intake path (sha256File: one pass, two reusable buffers) against
// coreutils `sha256sum` on the same generated 2 GiB file, in the same run. Target: >= 0.9.
import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sha256File } from '../../main/core/intake/hash.ts';
import type { Bench } from './types.ts';

const run = promisify(execFile);
const SIZE = 2 * 1024 * 1024 * 1024;

export async function writePseudoRandomFile(path: string, size: number): Promise<void> {
  const fh = await open(path, 'w');
  const block = Buffer.alloc(8 * 1024 * 1024);
  let x = 0x9e3779b9;
  for (let i = 0; i < block.length; i += 4) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    block.writeUInt32LE(x >>> 0, i);
  }
  try {
    for (let written = 0; written < size; written += block.length) {
      block.writeUInt32LE(written / block.length, 0); // no two blocks alike
      await fh.write(block, 0, Math.min(block.length, size - written));
    }
  } finally {
    await fh.close();
  }
}

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

const bench: Bench = {
  description: 'SHA-256 of a 2 GiB file: Assay intake hashing vs sha256sum (ratio = sha256sum time / Assay time)',
  async run(ctx) {
    const file = join(ctx.tmpDir, 'blob.bin');
    ctx.log('writing a 2 GiB pseudo-random file…');
    await writePseudoRandomFile(file, SIZE);
    // Warm the page cache once so both sides read from the same state; then alternate.
    await run('sha256sum', [file]);
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const a = await time(() => sha256File(file));
      const b = await time(() => run('sha256sum', [file]));
      if (a.value.sha256 !== b.value.stdout.slice(0, 64)) throw new Error('digests disagree');
      ours.push(a.ms);
      theirs.push(b.ms);
    }
    const best = (xs: number[]) => Math.min(...xs);
    const ratio = best(theirs) / best(ours);
    return [{
      name: 'hash throughput ratio (sha256sum time / Assay time)',
      value: ratio,
      unit: 'x',
      target: { bound: 0.9, better: 'higher' },
      detail: {
        assay_ms: best(ours).toFixed(0), sha256sum_ms: best(theirs).toFixed(0),
        assay_MBps: (SIZE / 1e6 / (best(ours) / 1000)).toFixed(0), sha256sum_MBps: (SIZE / 1e6 / (best(theirs) / 1000)).toFixed(0),
      },
    }];
  },
};

export default bench;
