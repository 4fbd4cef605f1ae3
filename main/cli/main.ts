// The `assay` command: global options, command lookup in the table, exit codes.
//   0 ok · 1 a check failed · 2 usage or I/O error · 3 nothing scannable (assay scan)
import { parseArgs } from 'node:util';
import { ApiError } from '../../shared/api/errors.ts';
import { createCore, defaultDataDir, type Core } from '../core/create-core.ts';
import { chromiumPath, chromiumPdfRenderer } from '../core/report/pdf-chromium.ts';
import { COMMANDS } from './commands/index.ts';
import { EXIT, UsageError, type CliContext, type Command, type ExitCode, type Io } from './types.ts';

const GLOBAL_OPTIONS = {
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
  auditor: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

function findCommand(words: string[]): { command: Command; rest: string[] } | null {
  let best: Command | null = null;
  for (const c of COMMANDS) {
    if (c.path.every((w, i) => words[i] === w) && (!best || c.path.length > best.path.length)) best = c;
  }
  return best ? { command: best, rest: words.slice(best.path.length) } : null;
}

/** The leading non-option words of argv, skipping global options and their values. */
function commandWords(argv: string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a.startsWith('-')) {
      const name = a.replace(/^-+/, '').split('=')[0]!;
      const spec = (GLOBAL_OPTIONS as Record<string, { type: string }>)[name];
      if (spec?.type === 'string' && !a.includes('=')) i++;
      continue;
    }
    words.push(a);
  }
  return words;
}

export function helpText(): string {
  const lines = [
    'assay — offline workstation for auditing the AI supply chain',
    '',
    'usage: assay [--data-dir DIR] [--json] [--auditor NAME] COMMAND ...',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.usage}\n      ${c.summary}`),
    '',
    'global options:',
    '  --data-dir DIR   data directory (default: $ASSAY_HOME or ~/.assay)',
    '  --json           machine-readable output',
    '  --auditor NAME   actor recorded for this invocation (default: the stored auditor, else the OS user)',
    '',
    'exit codes: 0 ok, 1 a check failed, 2 usage or I/O error, 3 nothing scannable',
  ];
  return `${lines.join('\n')}\n`;
}

export async function runCli(argv: string[], io: Io, env: NodeJS.ProcessEnv = process.env): Promise<ExitCode> {
  // Global options may appear anywhere; the command's own options are parsed after lookup.
  const words = commandWords(argv);
  const found = findCommand(words);
  const options = { ...GLOBAL_OPTIONS, ...(found?.command.options ?? {}) };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    io.err(`assay: ${e instanceof Error ? e.message : String(e)}\n${found ? `usage: ${found.command.usage}\n` : ''}`);
    return EXIT.usage;
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (values.version) {
    io.out('assay 0.1.0\n');
    return EXIT.ok;
  }
  if (values.help || !found) {
    if (!found && words.length > 0) io.err(`assay: unknown command "${words.join(' ')}"\n\n`);
    io.out(helpText());
    return found || words.length === 0 ? EXIT.ok : EXIT.usage;
  }
  const dataDir = (values['data-dir'] as string | undefined) ?? defaultDataDir(env);
  let core: Core | null = null;
  const ctx: CliContext = {
    io,
    json: values.json === true,
    dataDir,
    core: () => {
      if (!core) {
        // PDF reports through headless Chromium when it is installed (the app uses printToPDF).
        const renderPdf = chromiumPdfRenderer(chromiumPath(env));
        core = createCore({
          dataDir, ...(typeof values.auditor === 'string' ? { defaultActor: values.auditor } : {}),
          capabilities: renderPdf ? { renderPdf } : {},
        });
      }
      return core;
    },
  };
  const positionals = parsed.positionals.slice(found.command.path.length);
  try {
    return await found.command.run(ctx, { positionals, values });
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`assay: ${e.message}\nusage: ${found.command.usage}\n`);
      return EXIT.usage;
    }
    if (e instanceof ApiError) {
      io.err(`assay: ${e.message}\n`);
      if (ctx.json) io.out(`${JSON.stringify({ error: e.toShape() })}\n`);
      return e.code === 'rule_violation' ? EXIT.checkFailed : EXIT.usage;
    }
    io.err(`assay: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.usage;
  } finally {
    await (core as Core | null)?.close();
  }
}
