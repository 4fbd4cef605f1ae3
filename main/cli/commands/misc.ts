import { printJson, withProgress } from '../output.ts';
import { EXIT, UsageError, type Command } from '../types.ts';

const info: Command = {
  path: ['info'],
  usage: 'assay info',
  summary: 'Version, data directory, schema version and the current auditor.',
  async run(ctx) {
    const i = await ctx.core().invoke('app.info', {}, { face: 'cli' });
    if (ctx.json) printJson(ctx, i);
    else ctx.io.out(`Assay ${i.version}\ndata directory: ${i.dataDir}\nschema version: ${i.schemaVersion}\nauditor: ${i.auditor}\n`);
    return EXIT.ok;
  },
};

const auditor: Command = {
  path: ['auditor'],
  usage: 'assay auditor NAME',
  summary: 'Set the auditor name recorded as the actor of every change made in this data directory.',
  async run(ctx, args) {
    const name = args.positionals.join(' ').trim();
    if (!name) throw new UsageError('give the auditor name');
    const r = await ctx.core().invoke('app.setAuditor', { auditor: name }, { face: 'cli' });
    if (ctx.json) printJson(ctx, r);
    else ctx.io.out(`auditor set to ${r.auditor}\n`);
    return EXIT.ok;
  },
};

const demo: Command = {
  path: ['demo'],
  usage: 'assay demo',
  summary: 'Create a demo case from sample artifacts generated on the spot.',
  async run(ctx) {
    const c = await withProgress(ctx, () => ctx.core().invoke('demo.create', {}, { face: 'cli' }));
    if (ctx.json) printJson(ctx, c);
    else ctx.io.out(`created demo case ${c.id} "${c.name}": try \`assay case show ${c.id}\` or \`assay serve\`\n`);
    return EXIT.ok;
  },
};

export const MISC_COMMANDS: Command[] = [info, auditor, demo];
