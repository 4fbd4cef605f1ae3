// Auditor evidence files: copied into the content-addressed blob store while hashed, linked to
// a case (and optionally one point), custody-logged.
import { basename } from 'node:path';
import { ApiError } from '../../../shared/api/errors.ts';
import type { Attachment } from '../../../shared/api/schemas.ts';
import type { PointId } from '../../../shared/checklist/points.ts';
import { insertAttachment } from '../../store/repos/evidence.ts';
import { newId } from '../../store/ids.ts';
import { requireCase } from '../cases/service.ts';
import type { CoreContext } from '../context.ts';
import { recordCustody } from '../custody/log.ts';
import { copyIntoBlobs } from '../intake/blobs.ts';
import { inspectPath } from '../intake/inspect.ts';

export async function addAttachment(ctx: CoreContext, input: { caseId: string; pointId: PointId | null; path: string; name?: string }): Promise<Attachment> {
  requireCase(ctx, input.caseId);
  const inspected = await inspectPath(input.path);
  if (!inspected.ok) throw new ApiError('invalid_input', inspected.message);
  if (inspected.kind !== 'file') throw new ApiError('invalid_input', `${input.path} is a folder; attach files one by one`);
  let copied;
  try {
    copied = await copyIntoBlobs(ctx.dataDir, inspected.realPath);
  } catch (e) {
    throw new ApiError('io_error', e instanceof Error ? e.message : String(e));
  }
  const attachment: Attachment = {
    id: newId(), caseId: input.caseId, pointId: input.pointId, name: input.name ?? basename(input.path),
    size: copied.size, sha256: copied.sha256, addedAt: ctx.now(), addedBy: ctx.actor(),
  };
  ctx.db.transaction(() => {
    insertAttachment(ctx.db, attachment);
    recordCustody(ctx, {
      caseId: input.caseId, action: 'attachment.added', subject: attachment.id,
      details: { name: attachment.name, pointId: attachment.pointId, sha256: attachment.sha256, size: attachment.size },
    });
  }).immediate();
  ctx.events.emit({ type: 'changed', caseId: input.caseId, what: 'attachments' });
  return attachment;
}
