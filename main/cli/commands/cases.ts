import { formatBytes, printJson, table } from '../output.ts';
import { resolveCase } from '../resolve.ts';
import { EXIT, UsageError, type Command } from '../types.ts';

const caseCreate: Command = {
  path: ['case', 'create'],
  usage: 'assay case create NAME [--description TEXT] [--auditor NAME]',
  summary: 'Create an audit case (all 20 checklist points start as not reviewed).',
  options: { description: { type: 'string' }, auditor: { type: 'string' } },
  async run(ctx, args) {
    const name = args.positionals.join(' ').trim();
    if (!name) throw new UsageError('a case name is required');
    const c = await ctx.core().invoke('cases.create', {
      name,
      description: (args.values.description as string | undefined) ?? '',
      auditor: args.values.auditor as string | undefined,
    }, { face: 'cli' });
    if (ctx.json) printJson(ctx, c);
    else ctx.io.out(`created case ${c.id} "${c.name}" (auditor ${c.auditor})\n`);
    return EXIT.ok;
  },
};

const caseList: Command = {
  path: ['case', 'list'],
  usage: 'assay case list',
  summary: 'List cases, newest first.',
  async run(ctx) {
    const cases = await ctx.core().invoke('cases.list', {}, { face: 'cli' });
    if (ctx.json) {
      printJson(ctx, cases);
      return EXIT.ok;
    }
    if (cases.length === 0) {
      ctx.io.out('no cases yet: `assay case create NAME` or `assay demo`\n');
      return EXIT.ok;
    }
    ctx.io.out(table(cases.map((c) => [
      c.id, c.name, c.state, String(c.artifactCount), `${c.checklist.reviewed}/${c.checklist.total}`,
      `${c.findingCounts.critical}C ${c.findingCounts.high}H ${c.findingCounts.medium}M`, c.createdAt.slice(0, 16).replace('T', ' '),
    ]), ['ID', 'NAME', 'STATE', 'ARTIFACTS', 'REVIEWED', 'FINDINGS', 'CREATED']));
    return EXIT.ok;
  },
};

const caseShow: Command = {
  path: ['case', 'show'],
  usage: 'assay case show CASE',
  summary: 'Show a case: its artifacts, finding counts and checklist progress by phase.',
  async run(ctx, args) {
    const c = await resolveCase(ctx, args.positionals[0]);
    const core = ctx.core();
    const artifacts = await core.invoke('artifacts.list', { caseId: c.id, limit: 10_000 }, { face: 'cli' });
    const checklist = await core.invoke('checklist.get', { caseId: c.id }, { face: 'cli' });
    if (ctx.json) {
      printJson(ctx, { case: c, artifacts: artifacts.items, sets: artifacts.sets, phases: checklist.phases, weakestPhase: checklist.weakestPhase });
      return EXIT.ok;
    }
    ctx.io.out(`${c.name}  (${c.id}, ${c.state}, auditor ${c.auditor}, created ${c.createdAt})\n`);
    if (c.description) ctx.io.out(`${c.description}\n`);
    ctx.io.out(`\nartifacts: ${artifacts.total}\n`);
    ctx.io.out(table(artifacts.items.map((a) => [
      a.displayName, a.formatLabel + (a.extensionMismatch ? ' (name says otherwise)' : ''), formatBytes(a.size),
      a.verdict ?? '-', a.sha256,
    ]), ['NAME', 'FORMAT', 'SIZE', 'VERDICT', 'SHA-256']));
    ctx.io.out('\nchecklist:\n');
    for (const p of checklist.phases) {
      const marker = p.phase === checklist.weakestPhase ? '  <- weakest' : '';
      ctx.io.out(`  phase ${p.phase} ${p.title}: ${p.tally.reviewed}/${p.tally.total} reviewed, ${p.tally.pass} pass, ${p.tally.fail} fail${marker}\n`);
    }
    return EXIT.ok;
  },
};

export const CASE_COMMANDS: Command[] = [caseCreate, caseList, caseShow];
