// Pseudonym keys: 32 random bytes per case (the same value gets the same pseudonym within a
// case, a different one in another), and one for masked exports outside any case. Created on
// first use; the custody event says a key was created, never what it is.
import { randomBytes } from 'node:crypto';
import { getPseudonymKey, insertPseudonymKey } from '../../../store/repos/datasets.ts';
import type { CoreContext } from '../../context.ts';
import { recordCustody } from '../../custody/log.ts';

const KEY_BYTES = 32;

/** The key of a case, or of the workstation for `caseId` null. Call inside a transaction. */
export function pseudonymKey(ctx: CoreContext, caseId: string | null): Buffer {
  const scope = caseId ? `case:${caseId}` : 'workstation';
  const existing = getPseudonymKey(ctx.db, scope);
  if (existing) return existing;
  insertPseudonymKey(ctx.db, scope, randomBytes(KEY_BYTES), ctx.now());
  recordCustody(ctx, { caseId, action: 'pseudonym-key.created', subject: scope, details: { bytes: KEY_BYTES } });
  return getPseudonymKey(ctx.db, scope)!;
}
