// Appends custody events inside the caller's transaction, so an event exists exactly when the
// change it records was committed.
import type { ChainStatus } from '../../../shared/api/schemas.ts';
import { chainHead, insertCustodyEvent, iterateChain, type StoredCustodyEvent } from '../../store/repos/custody.ts';
import type { CoreContext } from '../context.ts';
import { canonicalJson } from '../util/canonical-json.ts';
import { caseChain, eventHash, GENESIS_HASH, verifyChain, WORKSTATION_CHAIN } from './chain.ts';

export interface CustodyEntry {
  caseId: string | null;
  action: string;
  subject: string;
  details: Record<string, unknown>;
}

export function recordCustody(ctx: CoreContext, entry: CustodyEntry): StoredCustodyEvent {
  if (!ctx.db.inTransaction) throw new Error('custody events must be written in the transaction of the change they record');
  const chain = entry.caseId ? caseChain(entry.caseId) : WORKSTATION_CHAIN;
  const head = chainHead(ctx.db, chain);
  // Round-trip through canonical JSON so what is hashed is exactly what is stored and read back.
  const canonicalDetails = canonicalJson(entry.details);
  const fields = {
    chain, seq: (head?.seq ?? 0) + 1, caseId: entry.caseId, at: ctx.now(), actor: ctx.actor(),
    action: entry.action, subject: entry.subject, details: JSON.parse(canonicalDetails) as Record<string, unknown>,
    prevHash: head?.hash ?? GENESIS_HASH,
  };
  const event: StoredCustodyEvent = { ...fields, hash: eventHash(fields) };
  insertCustodyEvent(ctx.db, event, canonicalDetails);
  return event;
}

export function verifyCaseCustody(ctx: CoreContext, caseId: string): ChainStatus {
  return verifyChain(iterateChain(ctx.db, caseChain(caseId)));
}
