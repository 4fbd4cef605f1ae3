import { createInterface } from 'node:readline';
import { z } from 'zod';
import { ApiError } from '../../../shared/api/errors.ts';
import { CHECKLIST, CHECKLIST_STATUSES, PHASES, isPointId, type ChecklistStatus, type PointId } from '../../../shared/checklist/points.ts';
import { printJson } from '../output.ts';
import { resolveCase } from '../resolve.ts';
import { EXIT, UsageError, type CliContext, type Command, type ExitCode } from '../types.ts';

function parseSet(text: string): { pointId: PointId; status: ChecklistStatus } {
  const m = /^(P\d\d)=([a-z_]+)$/.exec(text.trim());
  if (!m || !isPointId(m[1]!)) throw new UsageError(`--set takes POINT=STATUS, e.g. P10=pass (got "${text}")`);
  if (!(CHECKLIST_STATUSES as readonly string[]).includes(m[2]!)) throw new UsageError(`status must be one of ${CHECKLIST_STATUSES.join(', ')} (got "${m[2]}")`);
  return { pointId: m[1] as PointId, status: m[2] as ChecklistStatus };
}

const BatchLine = z.object({
  point: z.string().refine(isPointId, 'a point id P01..P20'),
  status: z.enum(CHECKLIST_STATUSES).optional(),
  note: z.string().optional(),
});

/**
 * --batch: one JSON object per stdin line, {"point":"P03","status":"pass","note":"..."}. Each
 * line is committed before its acknowledgement is printed, so a caller that saw the ack can
 * rely on the update being durable.
 */
async function runBatch(ctx: CliContext, caseId: string): Promise<ExitCode> {
  const lines = createInterface({ input: ctx.io.stdin, crlfDelay: Infinity });
  let failures = 0;
  let n = 0;
  for await (const raw of lines) {
    if (raw.trim() === '') continue;
    n++;
    let parsed;
    try {
      parsed = BatchLine.parse(JSON.parse(raw));
    } catch (e) {
      failures++;
      ctx.io.out(`${JSON.stringify({ line: n, ok: false, error: e instanceof Error ? e.message : String(e) })}\n`);
      continue;
    }
    try {
      const entry = await ctx.core().invoke('checklist.set', {
        caseId, pointId: parsed.point as PointId, ...(parsed.status ? { status: parsed.status } : {}), ...(parsed.note !== undefined ? { notes: parsed.note } : {}),
      }, { face: 'cli' });
      ctx.io.out(`${JSON.stringify({ line: n, ok: true, point: entry.pointId, status: entry.status, updatedAt: entry.updatedAt })}\n`);
    } catch (e) {
      failures++;
      ctx.io.out(`${JSON.stringify({ line: n, ok: false, error: e instanceof Error ? e.message : String(e) })}\n`);
    }
  }
  return failures > 0 ? EXIT.checkFailed : EXIT.ok;
}

export const checklistCommand: Command = {
  path: ['checklist'],
  usage: 'assay checklist CASE [--set P10=pass ...] [--note TEXT] [--point P10 --note TEXT] [--batch]',
  summary: 'Show the 20-point checklist, or set statuses and notes. A point cannot pass while an open high or critical finding is linked to it (exit 1).',
  options: {
    set: { type: 'string', multiple: true },
    note: { type: 'string' },
    point: { type: 'string' },
    batch: { type: 'boolean' },
  },
  async run(ctx, args) {
    const c = await resolveCase(ctx, args.positionals[0]);
    if (args.values.batch) return runBatch(ctx, c.id);
    const sets = ((args.values.set as string[] | undefined) ?? []).map(parseSet);
    const note = args.values.note as string | undefined;
    const point = args.values.point as string | undefined;
    if (point !== undefined && !isPointId(point)) throw new UsageError(`--point takes a point id P01..P20 (got "${point}")`);
    if (note !== undefined && sets.length > 1) throw new UsageError('--note applies to one point: use one --set, or --point');
    if (note !== undefined && sets.length === 0 && point === undefined) throw new UsageError('--note needs --set POINT=STATUS or --point POINT');

    const updates: { pointId: PointId; status?: ChecklistStatus; notes?: string }[] = sets.map((s) => ({ ...s }));
    if (note !== undefined) {
      if (updates[0]) updates[0].notes = note;
      else updates.push({ pointId: point as PointId, notes: note });
    }
    const core = ctx.core();
    if (updates.length > 0) {
      const done = [];
      for (const u of updates) {
        try {
          done.push(await core.invoke('checklist.set', { caseId: c.id, ...u }, { face: 'cli' }));
        } catch (e) {
          if (e instanceof ApiError && e.code === 'rule_violation') {
            ctx.io.err(`refused: ${e.message}\n`);
            if (ctx.json) printJson(ctx, { updated: done, refused: { pointId: u.pointId, message: e.message } });
            return EXIT.checkFailed;
          }
          throw e;
        }
      }
      if (ctx.json) printJson(ctx, { updated: done });
      else for (const d of done) ctx.io.out(`${d.pointId} ${d.status}${d.notes ? ` — ${d.notes}` : ''}\n`);
      return EXIT.ok;
    }

    const view = await core.invoke('checklist.get', { caseId: c.id }, { face: 'cli' });
    if (ctx.json) {
      printJson(ctx, view);
      return EXIT.ok;
    }
    const byId = new Map(view.entries.map((e) => [e.pointId, e]));
    for (const phase of PHASES) {
      const p = view.phases.find((x) => x.phase === phase.id)!;
      const weakest = phase.id === view.weakestPhase ? '  <- weakest phase' : '';
      ctx.io.out(`\nPhase ${phase.id}: ${phase.title} (${p.tally.reviewed}/${p.tally.total} reviewed, strength ${(p.strength * 100).toFixed(0)}%)${weakest}\n`);
      for (const point of CHECKLIST.filter((x) => x.phase === phase.id)) {
        const e = byId.get(point.id)!;
        const flags = [
          e.blockingFindings > 0 ? `${e.blockingFindings} blocking finding(s)` : '',
          e.suggestedStatus && e.suggestedStatus !== e.status ? `suggested: ${e.suggestedStatus}` : '',
          e.evidence.length > 0 ? `${e.evidence.length} evidence` : '',
          e.attachments.length > 0 ? `${e.attachments.length} attachment(s)` : '',
        ].filter(Boolean).join(', ');
        ctx.io.out(`  ${point.id} ${e.status.padEnd(14)} ${point.title}${flags ? `  [${flags}]` : ''}\n`);
        if (e.notes) ctx.io.out(`      ${e.notes.replace(/\n/g, '\n      ')}\n`);
      }
    }
    ctx.io.out(`\noverall: ${view.overall.reviewed}/${view.overall.total} reviewed, ${view.overall.pass} pass, ${view.overall.fail} fail, ${view.overall.partial} partial\n`);
    return EXIT.ok;
  },
};
