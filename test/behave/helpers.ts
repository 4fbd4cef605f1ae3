// Shared by the behaviour tests: the worker bundle (built once per test process) and what
// isolation this machine offers.
import { chooseLevel, resolveRuntimePaths, type RuntimePaths } from '../../main/core/behave/launcher.ts';
import type { IsolationLevel } from '../../main/core/behave/types.ts';
import { testWorkerBundle } from './worker-bundle.ts';

export async function runtime(): Promise<{ workerPath: string }> {
  return { workerPath: await testWorkerBundle() };
}

export async function runtimePaths(): Promise<RuntimePaths> {
  return resolveRuntimePaths(await runtime());
}

/** The level 'auto' picks here (bubblewrap on this workstation; maybe less in another CI). */
export async function bestLevel(): Promise<IsolationLevel> {
  return chooseLevel('auto', await runtimePaths()).level;
}

export async function levelWorks(level: IsolationLevel): Promise<boolean> {
  try {
    chooseLevel(level, await runtimePaths());
    return true;
  } catch {
    return false;
  }
}

/** True while a process with this id exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Writes a version-1 .npy file (what numpy.save produces for a little-endian C-order array). */
export function npyBytes(descr: string, shape: number[], data: ArrayBufferView): Uint8Array {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  let header = dict;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const head = new Uint8Array(10 + header.length);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(head.buffer).setUint16(8, header.length, true);
  head.set(new TextEncoder().encode(header), 10);
  return Buffer.concat([head, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)]);
}

/** Processes whose command line names this worker bundle (Linux /proc; empty elsewhere). */
export async function workersRunning(workerPath: string): Promise<number[]> {
  const { readdir, readFile } = await import('node:fs/promises');
  let entries: string[] = [];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      const cmd = await readFile(`/proc/${e}/cmdline`, 'utf8');
      if (cmd.includes(workerPath)) out.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
