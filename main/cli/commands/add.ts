import { resolve } from 'node:path';
import { formatBytes, printJson, table, withProgress } from '../output.ts';
import { resolveCase } from '../resolve.ts';
import { EXIT, UsageError, type Command } from '../types.ts';

const KINDS = ['auto', 'model', 'dataset', 'other'] as const;

export const addCommand: Command = {
  path: ['add'],
  usage: 'assay add CASE PATH... [--import] [--kind auto|model|dataset|other]',
  summary: 'Add files and folders (a folder is one artifact set): hash, detect format, scan, record custody. --import also copies the bytes into the data directory.',
  options: { import: { type: 'boolean' }, kind: { type: 'string' } },
  async run(ctx, args) {
    const [caseRef, ...paths] = args.positionals;
    if (paths.length === 0) throw new UsageError('give at least one file or folder to add');
    const kind = (args.values.kind as string | undefined) ?? 'auto';
    if (!(KINDS as readonly string[]).includes(kind)) throw new UsageError(`--kind must be one of ${KINDS.join(', ')}`);
    const c = await resolveCase(ctx, caseRef);
    const result = await withProgress(ctx, () => ctx.core().invoke('artifacts.add', {
      caseId: c.id,
      paths: paths.map((p) => resolve(p)),
      storage: args.values.import ? 'import' : 'reference',
      kind: kind as (typeof KINDS)[number],
    }, { face: 'cli' }));
    if (ctx.json) printJson(ctx, result);
    else {
      const rows = [
        ...result.added.map((a) => ['added', a.displayName, a.formatLabel, formatBytes(a.size), a.verdict ?? '-', a.sha256]),
        ...result.existing.map((a) => ['already in case', a.displayName, a.formatLabel, formatBytes(a.size), a.verdict ?? '-', a.sha256]),
      ];
      if (rows.length > 0) ctx.io.out(table(rows, ['', 'NAME', 'FORMAT', 'SIZE', 'VERDICT', 'SHA-256']));
      for (const s of result.sets) ctx.io.out(`folder ${s.name}: ${s.fileCount} files, root digest ${s.rootDigest}\n`);
      for (const e of result.errors) ctx.io.err(`error: ${e.message}\n`);
    }
    return result.errors.length > 0 ? EXIT.usage : EXIT.ok;
  },
};
