// The custody hash chain, independent of storage: each event's hash is SHA-256 over the
// canonical JSON of its fields including the previous event's hash, so editing, removing or
// reordering any event breaks every hash after it.
import { createHash } from 'node:crypto';
import type { ChainStatus } from '../../../shared/api/schemas.ts';
import { canonicalJson } from '../util/canonical-json.ts';

export const GENESIS_HASH = '0'.repeat(64);

export interface ChainFields {
  chain: string;
  seq: number;
  caseId: string | null;
  at: string;
  actor: string;
  action: string;
  subject: string;
  details: Record<string, unknown>;
  prevHash: string;
}

/** The exact bytes hashed for an event (version 1 of the encoding). */
export function eventPreimage(e: ChainFields): string {
  return canonicalJson({
    v: 1, chain: e.chain, seq: e.seq, caseId: e.caseId, at: e.at, actor: e.actor, action: e.action,
    subject: e.subject, details: e.details, prevHash: e.prevHash,
  });
}

export function eventHash(e: ChainFields): string {
  return createHash('sha256').update(eventPreimage(e), 'utf8').digest('hex');
}

/** Recomputes a chain in order and names the first event that does not verify. */
export function verifyChain(events: Iterable<ChainFields & { hash: string }>): ChainStatus {
  let expectedPrev = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for (const e of events) {
    count++;
    const broken = (reason: string): ChainStatus => ({ ok: false, events: count, head: expectedPrev, firstBroken: { seq: e.seq, reason } });
    if (e.seq !== expectedSeq) return broken(`expected event ${expectedSeq} here, found ${e.seq}: an event was removed or inserted`);
    if (e.prevHash !== expectedPrev) return broken('its previous-hash field does not match the hash of the event before it');
    const recomputed = eventHash(e);
    if (recomputed !== e.hash) return broken('its content does not match its recorded hash: the event was edited');
    expectedPrev = e.hash;
    expectedSeq++;
  }
  return { ok: true, events: count, head: expectedPrev, firstBroken: null };
}

export function caseChain(caseId: string): string {
  return `case:${caseId}`;
}

export const WORKSTATION_CHAIN = 'workstation';
