// Every migration, in order. Add a new file with the next number; never edit a released one.
import { foundation } from './001-foundation.ts';
import type { Migration } from './types.ts';

export const MIGRATIONS: readonly Migration[] = [foundation];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;
