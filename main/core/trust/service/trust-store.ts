// The workstation's trust store: publishers' and fellow auditors' public keys and certificate
// roots, each with a label, fingerprint, who added it and when. Every change is an event on the
// workstation custody chain.
import { X509Certificate, type KeyObject } from 'node:crypto';
import { ApiError } from '../../../../shared/api/errors.ts';
import type { TrustAnchorRecord } from '../../../../shared/api/methods/trust-schemas.ts';
import { deleteAnchor, findAnchorByFingerprint, getAnchor, insertAnchor, listAnchors } from '../../../store/repos/trust.ts';
import { newId } from '../../../store/ids.ts';
import type { CoreContext } from '../../context.ts';
import { recordCustody } from '../../custody/log.ts';
import type { TrustedKey } from '../bundle/verify.ts';
import { importPublicKeyPem, shortFingerprint } from '../keys.ts';
import { parseTrustAnchors, type TrustAnchor } from '../trust-anchor.ts';
import { apiErrors, MAX_PEM_FILE, readSmallFile } from './errors.ts';

function toRecord(a: TrustAnchor, label: string, ctx: CoreContext): TrustAnchorRecord & { pem: string } {
  const base = { id: newId(), label, addedBy: ctx.actor(), addedAt: ctx.now(), pem: a.pem };
  return a.kind === 'public-key'
    ? { ...base, kind: 'public-key', fingerprint: a.fingerprint, keyFingerprint: a.fingerprint, curve: a.curve, subject: null, notBefore: null, notAfter: null, isCa: null }
    : { ...base, kind: 'certificate', fingerprint: a.fingerprint, keyFingerprint: a.keyFingerprint, curve: null, subject: a.subject, notBefore: a.notBefore, notAfter: a.notAfter, isCa: a.isCa };
}

/** Imports every public key and certificate of a PEM file; ones already in the store are skipped. */
export function addAnchors(ctx: CoreContext, input: { label: string; path: string }): Promise<{ added: TrustAnchorRecord[]; skipped: TrustAnchorRecord[] }> {
  return apiErrors(async () => {
    const text = (await readSmallFile(input.path, MAX_PEM_FILE, 'the key or certificate file')).toString('utf8');
    const anchors = parseTrustAnchors(text);
    const added: TrustAnchorRecord[] = [];
    const skipped: TrustAnchorRecord[] = [];
    ctx.db.transaction(() => {
      anchors.forEach((a, i) => {
        const existing = findAnchorByFingerprint(ctx.db, a.fingerprint);
        if (existing) {
          skipped.push(existing);
          return;
        }
        const record = toRecord(a, anchors.length > 1 ? `${input.label} (${i + 1})` : input.label, ctx);
        insertAnchor(ctx.db, record);
        recordCustody(ctx, {
          caseId: null, action: 'trust-store.added', subject: record.id,
          details: { label: record.label, kind: record.kind, fingerprint: record.fingerprint, keyFingerprint: record.keyFingerprint, subject: record.subject },
        });
        const { pem: _pem, ...shown } = record;
        added.push(shown);
      });
    }).immediate();
    if (added.length === 0) {
      throw new ApiError('conflict', `already in the trust store: ${skipped.map((s) => `"${s.label}" (${shortFingerprint(s.fingerprint)})`).join(', ')}`);
    }
    ctx.events.emit({ type: 'changed', caseId: null, what: 'trust-store' });
    return { added, skipped };
  });
}

export function listTrustAnchors(ctx: CoreContext): TrustAnchorRecord[] {
  return listAnchors(ctx.db).map(({ pem: _pem, ...a }) => a);
}

export function removeAnchor(ctx: CoreContext, anchorId: string): TrustAnchorRecord {
  const a = getAnchor(ctx.db, anchorId);
  if (!a) throw new ApiError('not_found', `no trust-store entry with id ${anchorId}`);
  ctx.db.transaction(() => {
    deleteAnchor(ctx.db, anchorId);
    recordCustody(ctx, {
      caseId: null, action: 'trust-store.removed', subject: anchorId,
      details: { label: a.label, kind: a.kind, fingerprint: a.fingerprint },
    });
  }).immediate();
  ctx.events.emit({ type: 'changed', caseId: null, what: 'trust-store' });
  const { pem: _pem, ...shown } = a;
  return shown;
}

/** The anchor's key: a stored public key, or a certificate's. */
export function anchorKey(a: { kind: TrustAnchorRecord['kind']; pem: string }): KeyObject {
  return a.kind === 'public-key' ? importPublicKeyPem(a.pem) : new X509Certificate(a.pem).publicKey;
}

/** Keys the trust store vouches for, for audit-bundle signatures (public keys only). */
export function trustedBundleKeys(ctx: CoreContext): TrustedKey[] {
  return listAnchors(ctx.db).filter((a) => a.kind === 'public-key').map((a) => ({ label: a.label, publicKey: importPublicKeyPem(a.pem) }));
}

export function anchorLabelByKeyFingerprint(ctx: CoreContext, keyFingerprint: string): string | null {
  return listAnchors(ctx.db).find((a) => a.keyFingerprint === keyFingerprint)?.label ?? null;
}
