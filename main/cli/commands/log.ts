import { printJson, table } from '../output.ts';
import { resolveCase } from '../resolve.ts';
import { EXIT, type Command } from '../types.ts';

const logVerify: Command = {
  path: ['log', 'verify'],
  usage: 'assay log verify CASE',
  summary: 'Recompute the custody hash chain of a case; exit 1 and name the first broken event if it does not verify.',
  async run(ctx, args) {
    const c = await resolveCase(ctx, args.positionals[0]);
    const status = await ctx.core().invoke('custody.verify', { caseId: c.id }, { face: 'cli' });
    if (ctx.json) printJson(ctx, status);
    else if (status.ok) ctx.io.out(`custody chain of ${c.id} verifies: ${status.events} events, head ${status.head}\n`);
    else ctx.io.out(`custody chain of ${c.id} is BROKEN at event ${status.firstBroken!.seq}: ${status.firstBroken!.reason}\n`);
    return status.ok ? EXIT.ok : EXIT.checkFailed;
  },
};

const logShow: Command = {
  path: ['log', 'show'],
  usage: 'assay log show CASE',
  summary: 'Print the custody events of a case, oldest first.',
  async run(ctx, args) {
    const c = await resolveCase(ctx, args.positionals[0]);
    const { events } = await ctx.core().invoke('custody.list', { caseId: c.id, limit: 10_000 }, { face: 'cli' });
    if (ctx.json) printJson(ctx, events);
    else ctx.io.out(table(events.map((e) => [String(e.seq), e.at, e.actor, e.action, e.subject, e.hash.slice(0, 16)]), ['SEQ', 'AT', 'ACTOR', 'ACTION', 'SUBJECT', 'HASH']));
    return EXIT.ok;
  },
};

export const LOG_COMMANDS: Command[] = [logVerify, logShow];
