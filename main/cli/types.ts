import type { ParseArgsConfig } from 'node:util';
import type { Core } from '../core/create-core.ts';

export const EXIT = {
  ok: 0,
  /** A check failed: findings at or above the threshold, a broken custody chain, a refused rule. */
  checkFailed: 1,
  /** Bad usage or an I/O error. */
  usage: 2,
  /** Nothing scannable was given (assay scan). */
  nothingScannable: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface Io {
  out(text: string): void;
  err(text: string): void;
  readonly stderrIsTTY: boolean;
  readonly stdin: NodeJS.ReadableStream;
}

export interface CliContext {
  readonly io: Io;
  readonly json: boolean;
  readonly dataDir: string;
  /** Opens the core on first use (commands such as --help never touch the data directory). */
  core(): Core;
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
}

export interface Command {
  /** Words that name the command, e.g. ['case', 'create']. */
  path: string[];
  usage: string;
  summary: string;
  options?: OptionSpec;
  run(ctx: CliContext, args: ParsedArgs): Promise<ExitCode>;
}

/** Thrown for bad usage; the runner prints it with the command's usage and exits 2. */
export class UsageError extends Error {}
