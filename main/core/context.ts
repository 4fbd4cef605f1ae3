// What every core service is given: the database, the data directory, the clock, the actor,
// and the shared machinery (events, jobs, worker pool). Built once per face by createCore().
import type { Database } from 'better-sqlite3';
import type { EventBus } from './events.ts';
import type { JobRegistry } from './jobs/registry.ts';
import type { WorkerPool } from './work/pool.ts';

/**
 * What only the face can provide. Each capability has one interface here and an implementation
 * per face (Electron shell, CLI/host); a missing one means the face cannot do it.
 */
export interface FaceCapabilities {
  /** Renders self-contained HTML to PDF (Electron's printToPDF; headless Chromium elsewhere). */
  renderPdf?: (html: string) => Promise<Uint8Array>;
  /**
   * How to start a plain Node.js runtime for sandboxed worker processes: the current Node in
   * the CLI and host; the app's own binary with ELECTRON_RUN_AS_NODE=1 in the packaged app.
   */
  nodeRuntime?: { execPath: string; env: Record<string, string> };
}

export interface CoreContext {
  readonly db: Database;
  readonly dataDir: string;
  readonly version: string;
  readonly events: EventBus;
  readonly jobs: JobRegistry;
  readonly pool: WorkerPool;
  readonly capabilities: FaceCapabilities;
  /** Current time as an ISO-8601 string (injectable for tests). */
  now(): string;
  /** The auditor recorded as the actor of changes. */
  actor(): string;
}
