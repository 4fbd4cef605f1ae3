// Every migration, in order. Add a new file with the next number; never edit a released one.
import { foundation } from './001-foundation.ts';
import { scan } from './002-scan.ts';
import { trust } from './003-trust.ts';
import { behave } from './004-behave.ts';
import { dataset } from './005-dataset.ts';
import type { Migration } from './types.ts';

export const MIGRATIONS: readonly Migration[] = [
  foundation,
  scan,
  trust,
  behave,
  dataset,
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;
