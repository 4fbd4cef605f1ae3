import { ApiError } from '../../../shared/api/errors.ts';
import type { Case, CaseSummary } from '../../../shared/api/schemas.ts';
import { tally } from '../../../shared/checklist/progress.ts';
import { countArtifacts } from '../../store/repos/artifacts.ts';
import { getCase, insertCase, listCases, updateCase } from '../../store/repos/cases.ts';
import { getChecklist, initChecklist } from '../../store/repos/checklist.ts';
import { caseSeverityCounts } from '../../store/repos/findings.ts';
import { newId } from '../../store/ids.ts';
import type { CoreContext } from '../context.ts';
import { recordCustody } from '../custody/log.ts';

export function requireCase(ctx: CoreContext, caseId: string): Case {
  const c = getCase(ctx.db, caseId);
  if (!c) throw new ApiError('not_found', `no case with id ${caseId}`);
  return c;
}

export function summarize(ctx: CoreContext, c: Case): CaseSummary {
  return {
    ...c,
    artifactCount: countArtifacts(ctx.db, c.id),
    findingCounts: caseSeverityCounts(ctx.db, c.id),
    checklist: tally(getChecklist(ctx.db, c.id).map((r) => r.status)),
  };
}

export function createCase(ctx: CoreContext, input: { name: string; description: string; auditor?: string | undefined }): Case {
  const c: Case = {
    id: newId(),
    name: input.name,
    description: input.description,
    auditor: input.auditor?.trim() || ctx.actor(),
    createdAt: ctx.now(),
    state: 'open',
  };
  ctx.db.transaction(() => {
    insertCase(ctx.db, c);
    initChecklist(ctx.db, c.id);
    recordCustody(ctx, { caseId: c.id, action: 'case.created', subject: c.id, details: { name: c.name, description: c.description, auditor: c.auditor } });
  }).immediate();
  ctx.events.emit({ type: 'changed', caseId: c.id, what: 'case' });
  return c;
}

export function listCaseSummaries(ctx: CoreContext): CaseSummary[] {
  return listCases(ctx.db).map((c) => summarize(ctx, c));
}

export function editCase(ctx: CoreContext, caseId: string, patch: { name?: string | undefined; description?: string | undefined }): Case {
  const before = requireCase(ctx, caseId);
  const changes: Record<string, unknown> = {};
  if (patch.name !== undefined && patch.name !== before.name) changes.name = { from: before.name, to: patch.name };
  if (patch.description !== undefined && patch.description !== before.description) changes.description = { from: before.description, to: patch.description };
  if (Object.keys(changes).length === 0) return before;
  ctx.db.transaction(() => {
    updateCase(ctx.db, caseId, { ...(patch.name !== undefined ? { name: patch.name } : {}), ...(patch.description !== undefined ? { description: patch.description } : {}) });
    recordCustody(ctx, { caseId, action: 'case.updated', subject: caseId, details: changes });
  }).immediate();
  ctx.events.emit({ type: 'changed', caseId, what: 'case' });
  return requireCase(ctx, caseId);
}
