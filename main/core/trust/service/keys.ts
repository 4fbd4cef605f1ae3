// The auditor's signing keys in the store: generated or imported, sealed with a passphrase
// (scrypt + AES-256-GCM) before they touch the database, opened only to sign. Also resolves
// what a caller names as "the key" — a stored key id or a PEM file — into a Signer.
import { ApiError } from '../../../../shared/api/errors.ts';
import type { SigningKey, SigningKeyRef } from '../../../../shared/api/methods/trust-schemas.ts';
import { findSigningKeyByFingerprint, getSigningKey, insertSigningKey, listSigningKeys } from '../../../store/repos/trust.ts';
import { newId } from '../../../store/ids.ts';
import type { CoreContext } from '../../context.ts';
import { recordCustody } from '../../custody/log.ts';
import { openSealedKey, sealPrivateKey } from '../key-vault.ts';
import {
  curveOf, generateSigningKey, importPrivateKeyPem, keyFingerprint, publicKeyOf, publicKeyPem, shortFingerprint,
  signerFromPrivateKey, type Signer,
} from '../keys.ts';
import { apiErrors, MAX_PEM_FILE, readSmallFile } from './errors.ts';

/** A sealed key is only as strong as its passphrase. */
export const MIN_PASSPHRASE_LENGTH = 8;

function checkNewPassphrase(passphrase: string): void {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new ApiError('invalid_input', `choose a passphrase of at least ${MIN_PASSPHRASE_LENGTH} characters: it is all that protects the stored key`);
  }
}

async function store(ctx: CoreContext, label: string, origin: SigningKey['origin'], privateKey: import('node:crypto').KeyObject, passphrase: string): Promise<SigningKey> {
  const fingerprint = keyFingerprint(privateKey);
  const existing = findSigningKeyByFingerprint(ctx.db, fingerprint);
  if (existing) throw new ApiError('conflict', `this key is already stored as "${existing.label}" (${existing.id}, fingerprint ${shortFingerprint(fingerprint)})`);
  const sealed = await sealPrivateKey(privateKey, passphrase, { now: () => new Date(ctx.now()) });
  const key: SigningKey = {
    id: newId(), label, fingerprint, curve: curveOf(privateKey), origin, createdAt: ctx.now(), createdBy: ctx.actor(),
  };
  ctx.db.transaction(() => {
    insertSigningKey(ctx.db, { ...key, publicPem: publicKeyPem(publicKeyOf(privateKey)), sealed });
    recordCustody(ctx, {
      caseId: null, action: origin === 'generated' ? 'key.generated' : 'key.imported', subject: key.id,
      details: { label, fingerprint, curve: key.curve },
    });
  }).immediate();
  ctx.events.emit({ type: 'changed', caseId: null, what: 'keys' });
  return key;
}

export function generateKey(ctx: CoreContext, input: { label: string; passphrase: string }): Promise<SigningKey> {
  return apiErrors(async () => {
    checkNewPassphrase(input.passphrase);
    return store(ctx, input.label, 'generated', generateSigningKey('P-256'), input.passphrase);
  });
}

/** Imports a PEM private key (PKCS#8 or SEC1, encrypted or not) and stores it sealed. */
export function importKey(ctx: CoreContext, input: { label: string; pemPath: string; pemPassphrase?: string | undefined; passphrase: string }): Promise<SigningKey> {
  return apiErrors(async () => {
    checkNewPassphrase(input.passphrase);
    const pem = (await readSmallFile(input.pemPath, MAX_PEM_FILE, 'the key file')).toString('utf8');
    const key = importPrivateKeyPem(pem, input.pemPassphrase ?? input.passphrase);
    return store(ctx, input.label, 'imported', key, input.passphrase);
  });
}

export function listKeys(ctx: CoreContext): SigningKey[] {
  return listSigningKeys(ctx.db);
}

export function exportPublicKey(ctx: CoreContext, keyId: string): { key: SigningKey; pem: string } {
  const k = getSigningKey(ctx.db, keyId);
  if (!k) throw new ApiError('not_found', `no signing key with id ${keyId} (see the list of keys)`);
  const { publicPem, sealed: _sealed, ...key } = k;
  return { key, pem: publicPem };
}

export interface ResolvedSigner {
  signer: Signer;
  /** For people and the custody log: the stored key's label and id, or the PEM file. */
  description: string;
  keyId: string | null;
}

/** Opens the key a caller names: a stored key with its passphrase, or a PEM file. */
export function resolveSigner(ctx: CoreContext, ref: SigningKeyRef): Promise<ResolvedSigner> {
  return apiErrors(async () => {
    if ('keyId' in ref) {
      const k = getSigningKey(ctx.db, ref.keyId);
      if (!k) throw new ApiError('not_found', `no signing key with id ${ref.keyId} (see the list of keys)`);
      const privateKey = await openSealedKey(k.sealed, ref.passphrase);
      return { signer: signerFromPrivateKey(privateKey), description: `"${k.label}" (${k.id})`, keyId: k.id };
    }
    const pem = (await readSmallFile(ref.pemPath, MAX_PEM_FILE, 'the key file')).toString('utf8');
    const privateKey = importPrivateKeyPem(pem, ref.passphrase);
    return { signer: signerFromPrivateKey(privateKey), description: `key file ${ref.pemPath}`, keyId: null };
  });
}
