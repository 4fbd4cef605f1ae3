// What every core service is given: the database, the data directory, the clock, the actor,
// and the shared machinery (events, jobs, worker pool). Built once per face by createCore().
import type { Database } from 'better-sqlite3';
import type { EventBus } from './events.ts';
import type { JobRegistry } from './jobs/registry.ts';
import type { WorkerPool } from './work/pool.ts';

export interface CoreContext {
  readonly db: Database;
  readonly dataDir: string;
  readonly version: string;
  readonly events: EventBus;
  readonly jobs: JobRegistry;
  readonly pool: WorkerPool;
  /** Current time as an ISO-8601 string (injectable for tests). */
  now(): string;
  /** The auditor recorded as the actor of changes. */
  actor(): string;
}
