// What the worker threads do: the CPU- and I/O-heavy part of adding a file (hash, optional
// copy into the blob store, format detection, static scan), off the thread that answers the UI.
import { basename } from 'node:path';
import type { FormatId } from '../formats/catalogue.ts';
import { detectFormat } from '../formats/detect.ts';
import { copyIntoBlobs } from '../intake/blobs.ts';
import { sha256File } from '../intake/hash.ts';
import { DATASET_TASKS } from '../dataset/service/worker-tasks.ts';
import { FileSource } from '../io/byte-source.ts';
import { scanSource, type ScanReport } from '../scan/engine.ts';

export interface IntakeInput {
  path: string;
  /** Display name (the extension is compared with the content). */
  name: string;
  /** Data directory to copy the bytes into, or null to only reference the file. */
  importInto: string | null;
  scan: boolean;
}

export interface IntakeOutput {
  sha256: string;
  size: number;
  mtimeMs: number;
  mode: number;
  blobPath: string | null;
  format: FormatId;
  formatDetail: string;
  scan: ScanReport | null;
}

export interface TaskIo {
  signal: AbortSignal;
  progress(bytesDone: number, bytesTotal: number): void;
}

async function intake(input: IntakeInput, io: TaskIo): Promise<IntakeOutput> {
  const readOptions = { signal: io.signal, onProgress: io.progress };
  const digest = input.importInto
    ? await copyIntoBlobs(input.importInto, input.path, readOptions)
    : { ...(await sha256File(input.path, readOptions)), blobPath: null };
  // Detection and scanning read the small parts they need; the bulk was read once above.
  const source = await FileSource.open(input.path);
  try {
    if (input.scan) {
      const scan = await scanSource(source, { name: input.name || basename(input.path), signal: io.signal });
      return { ...digest, format: scan.format, formatDetail: scan.formatDetail, scan };
    }
    const detection = await detectFormat(source);
    return { ...digest, format: detection.format, formatDetail: detection.detail, scan: null };
  } finally {
    await source.close();
  }
}

export const TASKS = { intake, ...DATASET_TASKS } as const;
export type TaskName = keyof typeof TASKS;
export type TaskInput<T extends TaskName> = Parameters<(typeof TASKS)[T]>[0];
export type TaskOutput<T extends TaskName> = Awaited<ReturnType<(typeof TASKS)[T]>>;
