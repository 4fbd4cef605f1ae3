import { resolve } from 'node:path';
import { FINDING_STATUSES } from '../../../shared/api/schemas.ts';
import { isPointId, type PointId } from '../../../shared/checklist/points.ts';
import { formatLocation } from '../../../shared/findings.ts';
import { printJson, table } from '../output.ts';
import { resolveCase } from '../resolve.ts';
import { EXIT, UsageError, type Command } from '../types.ts';

const findingsList: Command = {
  path: ['findings', 'list'],
  usage: 'assay findings list CASE',
  summary: 'List the findings of a case, most severe first.',
  async run(ctx, args) {
    const c = await resolveCase(ctx, args.positionals[0]);
    const findings = await ctx.core().invoke('findings.list', { caseId: c.id }, { face: 'cli' });
    if (ctx.json) printJson(ctx, findings);
    else ctx.io.out(table(findings.map((f) => [f.id, f.severity, f.status, f.ruleId, formatLocation(f.location), f.message]), ['ID', 'SEVERITY', 'STATUS', 'RULE', 'LOCATION', 'MESSAGE']));
    return EXIT.ok;
  },
};

const findingsReview: Command = {
  path: ['findings', 'review'],
  usage: 'assay findings review FINDING_ID --status accepted|false_positive|open --justification TEXT',
  summary: 'Accept a finding or mark it a false positive (a justification is required), or reopen it.',
  options: { status: { type: 'string' }, justification: { type: 'string' } },
  async run(ctx, args) {
    const id = args.positionals[0];
    if (!id) throw new UsageError('name the finding id (see `assay findings list CASE`)');
    const status = args.values.status as string | undefined;
    if (!status || !(FINDING_STATUSES as readonly string[]).includes(status)) throw new UsageError(`--status must be one of ${FINDING_STATUSES.join(', ')}`);
    const f = await ctx.core().invoke('findings.review', {
      findingId: id, status: status as (typeof FINDING_STATUSES)[number], justification: (args.values.justification as string | undefined) ?? '',
    }, { face: 'cli' });
    if (ctx.json) printJson(ctx, f);
    else ctx.io.out(`${f.id} ${f.ruleId}: ${f.status}\n`);
    return EXIT.ok;
  },
};

const attach: Command = {
  path: ['attach'],
  usage: 'assay attach CASE FILE [--point P05]',
  summary: 'Store an auditor evidence file (by its SHA-256) in the case, optionally linked to a checklist point.',
  options: { point: { type: 'string' } },
  async run(ctx, args) {
    const [caseRef, file] = args.positionals;
    if (!file) throw new UsageError('name the file to attach');
    const point = args.values.point as string | undefined;
    if (point !== undefined && !isPointId(point)) throw new UsageError(`--point takes a point id P01..P20 (got "${point}")`);
    const c = await resolveCase(ctx, caseRef);
    const a = await ctx.core().invoke('attachments.add', { caseId: c.id, pointId: (point as PointId | undefined) ?? null, path: resolve(file) }, { face: 'cli' });
    if (ctx.json) printJson(ctx, a);
    else ctx.io.out(`attached ${a.name} (${a.sha256})${a.pointId ? ` to ${a.pointId}` : ''}\n`);
    return EXIT.ok;
  },
};

export const FINDINGS_COMMANDS: Command[] = [findingsList, findingsReview, attach];
