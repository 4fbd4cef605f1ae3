// The checklist of a case: reading it with everything linked to each point, and changing a
// point under the core's rule that a point cannot pass while an open high or critical finding
// is linked to it.
import { createHash } from 'node:crypto';
import { ApiError } from '../../../shared/api/errors.ts';
import type { ChecklistEntry, ChecklistView, Evidence } from '../../../shared/api/schemas.ts';
import { phaseProgress } from '../../../shared/checklist/progress.ts';
import { checklistPoint, type ChecklistStatus, type PointId } from '../../../shared/checklist/points.ts';
import { getChecklist, getChecklistEntry, updateChecklistEntry, type ChecklistRow } from '../../store/repos/checklist.ts';
import { listAttachments, listEvidence } from '../../store/repos/evidence.ts';
import { blockingFindingCount, findingsForPoint } from '../../store/repos/findings.ts';
import { requireCase } from '../cases/service.ts';
import type { CoreContext } from '../context.ts';
import { recordCustody } from '../custody/log.ts';

/** Worst first: the suggestion of a point is the most severe its evidence suggests. */
const SUGGESTION_ORDER: ChecklistStatus[] = ['fail', 'partial', 'pass', 'not_applicable', 'not_reviewed'];

export function suggestStatus(evidence: readonly Evidence[], blocking: number): ChecklistStatus | null {
  const suggestions = evidence.map((e) => e.suggestedStatus).filter((s): s is ChecklistStatus => s !== null);
  if (blocking > 0) suggestions.push('fail');
  if (suggestions.length === 0) return null;
  return SUGGESTION_ORDER.find((s) => suggestions.includes(s)) ?? null;
}

function entryFor(ctx: CoreContext, caseId: string, row: ChecklistRow, evidence: Evidence[], attachments: ReturnType<typeof listAttachments>): ChecklistEntry {
  const blocking = blockingFindingCount(ctx.db, caseId, row.pointId);
  return {
    pointId: row.pointId,
    status: row.status,
    notes: row.notes,
    auditor: row.auditor,
    updatedAt: row.updatedAt,
    evidence,
    attachments: attachments.filter((a) => a.pointId === row.pointId),
    findings: findingsForPoint(ctx.db, caseId, row.pointId),
    blockingFindings: blocking,
    suggestedStatus: suggestStatus(evidence, blocking),
  };
}

export function getChecklistView(ctx: CoreContext, caseId: string): ChecklistView {
  requireCase(ctx, caseId);
  const rows = getChecklist(ctx.db, caseId);
  const evidence = listEvidence(ctx.db, caseId);
  const attachments = listAttachments(ctx.db, caseId);
  const entries = rows.map((r) => entryFor(ctx, caseId, r, evidence.filter((e) => e.pointId === r.pointId), attachments));
  const status = new Map(rows.map((r) => [r.pointId, r.status]));
  const progress = phaseProgress((id) => status.get(id) ?? 'not_reviewed');
  return { caseId, entries, ...progress };
}

export function getChecklistEntryView(ctx: CoreContext, caseId: string, pointId: PointId): ChecklistEntry {
  const row = getChecklistEntry(ctx.db, caseId, pointId);
  if (!row) throw new ApiError('not_found', `case ${caseId} has no checklist point ${pointId}`);
  return entryFor(ctx, caseId, row, listEvidence(ctx.db, caseId, pointId), listAttachments(ctx.db, caseId));
}

export function setChecklistEntry(ctx: CoreContext, input: { caseId: string; pointId: PointId; status?: ChecklistStatus | undefined; notes?: string | undefined }): ChecklistEntry {
  requireCase(ctx, input.caseId);
  ctx.db.transaction(() => {
    const before = getChecklistEntry(ctx.db, input.caseId, input.pointId);
    if (!before) throw new ApiError('not_found', `case ${input.caseId} has no checklist point ${input.pointId}`);
    if (input.status === 'pass') {
      const blocking = blockingFindingCount(ctx.db, input.caseId, input.pointId);
      if (blocking > 0) {
        throw new ApiError('rule_violation',
          `${input.pointId} (${checklistPoint(input.pointId).title}) cannot pass: ${blocking} open high or critical finding${blocking === 1 ? ' is' : 's are'} linked to it. Resolve, accept or dismiss ${blocking === 1 ? 'it' : 'them'} with a justification first.`,
          { blockingFindings: blocking });
      }
    }
    const after: ChecklistRow = {
      pointId: input.pointId,
      status: input.status ?? before.status,
      notes: input.notes ?? before.notes,
      auditor: ctx.actor(),
      updatedAt: ctx.now(),
    };
    if (after.status === before.status && after.notes === before.notes) return;
    updateChecklistEntry(ctx.db, input.caseId, after);
    recordCustody(ctx, {
      caseId: input.caseId,
      action: 'checklist.set',
      subject: input.pointId,
      details: {
        status: after.status,
        previousStatus: before.status,
        // The notes themselves live in the entry; the chain commits to them by digest.
        notesSha256: createHash('sha256').update(after.notes, 'utf8').digest('hex'),
        notesLength: after.notes.length,
      },
    });
  }).immediate();
  ctx.events.emit({ type: 'changed', caseId: input.caseId, what: 'checklist' });
  return getChecklistEntryView(ctx, input.caseId, input.pointId);
}
