// Reading the records of a bundle back (for verification and the read-only bundle view). Every
// document is validated with the shared schemas: a bundle is untrusted input until its signature
// and digests check out.
import type { z } from 'zod';
import { BUNDLE_DOCUMENT_SCHEMAS, type BundleContents, type BundleDocumentKey } from '../../../../shared/api/methods/trust-schemas.ts';
import { ENTRY } from './layout.ts';

export type { BundleContents, BundleDocumentKey };

/** Which zip entry holds which record document. */
export const DOCUMENT_ENTRIES: Record<BundleDocumentKey, string> = {
  manifest: ENTRY.manifest,
  case: ENTRY.case,
  artifacts: ENTRY.artifacts,
  findings: ENTRY.findings,
  checklist: ENTRY.checklist,
  decision: ENTRY.decision,
  verifications: ENTRY.verifications,
  custody: ENTRY.custody,
  attachments: ENTRY.attachments,
};

const KEY_BY_ENTRY = new Map<string, BundleDocumentKey>(Object.entries(DOCUMENT_ENTRIES).map(([k, e]) => [e, k as BundleDocumentKey]));

export function isDocumentEntry(name: string): boolean {
  return KEY_BY_ENTRY.has(name);
}

export function emptyContents(): BundleContents {
  return Object.fromEntries(Object.keys(DOCUMENT_ENTRIES).map((k) => [k, null])) as BundleContents;
}

export function parseDocument<K extends BundleDocumentKey>(key: K, bytes: Buffer): { ok: true; value: NonNullable<BundleContents[K]> } | { ok: false; message: string } {
  const name = DOCUMENT_ENTRIES[key];
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { ok: false, message: `${name} is not JSON` };
  }
  const r = (BUNDLE_DOCUMENT_SCHEMAS[key] as z.ZodType).safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0];
    return { ok: false, message: `${name} is not valid (${i ? `${i.path.join('.') || '(root)'}: ${i.message}` : 'invalid'})` };
  }
  return { ok: true, value: r.data as NonNullable<BundleContents[K]> };
}
