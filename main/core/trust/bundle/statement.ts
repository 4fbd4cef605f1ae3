// The signed statement of an audit bundle: an in-toto Statement v1 whose subjects are every file
// of the bundle (except the signatures) with its SHA-256, and a predicate naming the bundle, the
// case, the auditor, the tool, the models, the custody head, the vulnerability database and the
// decision. Countersignatures sign the same statement bytes.
import { z } from 'zod';
import { IN_TOTO_STATEMENT_V1 } from '../oms/statement.ts';
import { BundlePredicateSchema, type BundlePredicate } from '../../../../shared/api/methods/trust-schemas.ts';
import { BUNDLE_PREDICATE_TYPE } from './layout.ts';

export { BundlePredicateSchema, type BundlePredicate };

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const BundleStatementSchema = z.object({
  _type: z.literal(IN_TOTO_STATEMENT_V1),
  subject: z.array(z.object({ name: z.string().min(1).max(4096), digest: z.object({ sha256: Hex64 }) })).max(1_000_000),
  predicateType: z.literal(BUNDLE_PREDICATE_TYPE),
  predicate: BundlePredicateSchema,
});
export type BundleStatement = z.infer<typeof BundleStatementSchema>;

export interface BundleSubject {
  name: string;
  sha256: string;
}

/** The statement bytes: compact JSON in a fixed key order (never re-serialised when verifying). */
export function buildBundleStatement(subjects: readonly BundleSubject[], predicate: BundlePredicate): Buffer {
  const statement: BundleStatement = {
    _type: IN_TOTO_STATEMENT_V1,
    subject: subjects.map((s) => ({ name: s.name, digest: { sha256: s.sha256 } })),
    predicateType: BUNDLE_PREDICATE_TYPE,
    predicate,
  };
  return Buffer.from(JSON.stringify(statement), 'utf8');
}

export function parseBundleStatement(payload: Uint8Array): { ok: true; statement: BundleStatement } | { ok: false; message: string } {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'));
  } catch {
    return { ok: false, message: 'the signed statement is not JSON' };
  }
  const r = BundleStatementSchema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0];
    return { ok: false, message: `the signed statement is not an Assay bundle statement (${i ? `${i.path.join('.')}: ${i.message}` : 'invalid'})` };
  }
  return { ok: true, statement: r.data };
}
