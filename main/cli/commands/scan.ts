import { writeFile } from 'node:fs/promises';
import { atLeast, formatLocation, isSeverity, type Severity } from '../../../shared/findings.ts';
import { scanJsonDocument } from '../../core/report/scan-json.ts';
import { toSarif } from '../../core/report/sarif.ts';
import { withProgress } from '../output.ts';
import { EXIT, UsageError, type Command } from '../types.ts';

const FORMATS = ['text', 'json', 'sarif'] as const;

export const scanCommand: Command = {
  path: ['scan'],
  usage: 'assay scan PATH... [--format text|json|sarif] [--fail-on SEVERITY] [--out FILE]',
  summary: 'Scan model files and folders statically (nothing is loaded or executed). Exit 0: nothing at or above --fail-on (default high); 1: findings at or above it; 2: usage or I/O error; 3: nothing scannable.',
  options: { format: { type: 'string' }, 'fail-on': { type: 'string' }, out: { type: 'string' } },
  async run(ctx, args) {
    if (args.positionals.length === 0) throw new UsageError('give at least one file or folder to scan');
    const format = (args.values.format as string | undefined) ?? (ctx.json ? 'json' : 'text');
    if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
    const failOnText = (args.values['fail-on'] as string | undefined) ?? 'high';
    if (!isSeverity(failOnText)) throw new UsageError('--fail-on must be one of info, low, medium, high, critical');
    const failOn: Severity = failOnText;

    const core = ctx.core();
    // Paths go to the core as given, so results name them as the auditor typed them.
    const result = await withProgress(ctx, () => core.invoke('scan.paths', { paths: args.positionals }, { face: 'cli' }));
    const shown = result.files;
    const tool = { name: 'Assay', version: core.context.version };

    let text: string;
    if (format === 'json') text = `${JSON.stringify(scanJsonDocument(shown, tool), null, 2)}\n`;
    else if (format === 'sarif') text = `${JSON.stringify(toSarif(shown, tool), null, 2)}\n`;
    else {
      const lines: string[] = [];
      for (const f of shown) {
        lines.push(`${f.verdict.toUpperCase().padEnd(11)} ${f.path}  (${f.formatLabel}, ${f.size} bytes, sha256 ${f.sha256})`);
        for (const x of f.findings) {
          const where = formatLocation(x.location);
          lines.push(`  ${x.severity.padEnd(8)} ${x.ruleId}${where ? ` @ ${where}` : ''}: ${x.message}`);
        }
      }
      const counts = shown.reduce<Record<string, number>>((m, f) => ({ ...m, [f.verdict]: (m[f.verdict] ?? 0) + 1 }), {});
      lines.push(`${shown.length} file${shown.length === 1 ? '' : 's'} scanned: ${Object.entries(counts).map(([v, n]) => `${n} ${v}`).join(', ') || 'none'}`);
      text = `${lines.join('\n')}\n`;
    }
    const out = args.values.out as string | undefined;
    if (out) await writeFile(out, text);
    else ctx.io.out(text);
    for (const e of result.errors) ctx.io.err(`error: ${e.message}\n`);

    if (result.errors.length > 0) return EXIT.usage;
    if (shown.some((f) => f.findings.some((x) => atLeast(x.severity, failOn)))) return EXIT.checkFailed;
    if (shown.length === 0 || shown.every((f) => f.verdict === 'unsupported')) return EXIT.nothingScannable;
    return EXIT.ok;
  },
};
