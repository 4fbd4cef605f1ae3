// Every CLI command, as one table. Each command calls the core only through the typed API
// (core.invoke), the same contract the Electron app and the loopback host use.
import type { Command } from '../types.ts';
import { addCommand } from './add.ts';
import { BEHAVE_COMMANDS } from './behave.ts';
import { CASE_COMMANDS } from './cases.ts';
import { checklistCommand } from './checklist.ts';
import { DATASET_COMMANDS } from './dataset.ts';
import { FINDINGS_COMMANDS } from './findings.ts';
import { LOG_COMMANDS } from './log.ts';
import { MISC_COMMANDS } from './misc.ts';
import { scanCommand } from './scan.ts';
import { serveCommand } from './serve.ts';
import { TRUST_COMMANDS } from './trust.ts';

export const COMMANDS: readonly Command[] = [
  ...CASE_COMMANDS,
  addCommand,
  checklistCommand,
  ...FINDINGS_COMMANDS,
  ...LOG_COMMANDS,
  ...MISC_COMMANDS,
  scanCommand,
  serveCommand,
  ...TRUST_COMMANDS,
  ...BEHAVE_COMMANDS,
  ...DATASET_COMMANDS,
];
