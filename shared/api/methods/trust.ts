// The trust layer's methods: signing keys and the trust store, model signature and digest
// verification, model signing, the intake decision with waivers, and audit bundles.
import { z } from 'zod';
import { defineMethods } from '../define.ts';
import { IdSchema, NameSchema, PathSchema, PointIdSchema, Sha256Schema } from '../schemas.ts';
import {
  BundleReportSchema, BundleTrustSchema, DecisionOutcomeSchema, IntakeDecisionSchema, PolicyEvaluationSchema,
  PolicyInForceSchema, SignatureTrustSchema, SigningKeyRefSchema, SigningKeySchema, TrustAnchorRecordSchema,
  VerificationRecordSchema, WaiverSchema,
} from './trust-schemas.ts';

const JobId = z.string().max(64).optional();
const Passphrase = z.string().max(1024);

/** A model folder (artifact set) or file of a case; a path names the one added from there. */
export const SubjectRefSchema = z.union([
  z.object({ setId: IdSchema }),
  z.object({ artifactId: IdSchema }),
  z.object({ path: PathSchema }),
]);

export const SignatureRefSchema = z.union([z.object({ path: PathSchema }), z.object({ artifactId: IdSchema })]);

const WaiverInputSchema = z.object({ pointId: PointIdSchema, justification: z.string().trim().max(5000) });

export const ExportResultSchema = z.object({
  path: z.string(),
  bundleId: Sha256Schema,
  sha256: Sha256Schema,
  size: z.number().int(),
  files: z.number().int(),
  signer: z.object({ fingerprint: Sha256Schema, description: z.string() }),
  signedAt: z.string(),
  pdf: z.object({ included: z.boolean(), reason: z.string().nullable() }),
});

export const trustMethods = defineMethods({
  'keys.list': {
    description: 'The auditor\'s signing keys held in this workstation (public information only).',
    input: z.object({}),
    output: z.array(SigningKeySchema),
  },
  'keys.generate': {
    description: 'Generates an ECDSA P-256 signing key and stores it sealed with the passphrase (scrypt + AES-256-GCM).',
    input: z.object({ label: NameSchema, passphrase: Passphrase }),
    output: SigningKeySchema,
  },
  'keys.import': {
    description: 'Imports a PEM private key (PKCS#8 or SEC1, encrypted or not) and stores it sealed with the passphrase.',
    input: z.object({
      label: NameSchema,
      pemPath: PathSchema,
      /** Opens an encrypted PEM file; defaults to `passphrase`. */
      pemPassphrase: Passphrase.optional(),
      passphrase: Passphrase,
    }),
    output: SigningKeySchema,
  },
  'keys.exportPublic': {
    description: 'The public key of a stored signing key as PEM, optionally written to a new file.',
    input: z.object({ keyId: IdSchema, outPath: PathSchema.optional() }),
    output: z.object({ key: SigningKeySchema, pem: z.string(), path: z.string().nullable() }),
  },

  'trustStore.list': {
    description: 'Publishers\' and fellow auditors\' public keys and certificate roots trusted on this workstation.',
    input: z.object({}),
    output: z.array(TrustAnchorRecordSchema),
  },
  'trustStore.add': {
    description: 'Adds every public key and certificate of a PEM file to the trust store (custody-logged).',
    input: z.object({ label: NameSchema, path: PathSchema }),
    output: z.object({ added: z.array(TrustAnchorRecordSchema), skipped: z.array(TrustAnchorRecordSchema) }),
  },
  'trustStore.remove': {
    description: 'Removes a key or root from the trust store (custody-logged).',
    input: z.object({ anchorId: IdSchema }),
    output: TrustAnchorRecordSchema,
  },

  'verify.model': {
    description: 'Verifies an OpenSSF Model Signing signature for a model folder or file of a case and records the result (evidence on P11 and P08, findings).',
    long: true,
    input: z.object({ caseId: IdSchema, target: SubjectRefSchema, signature: SignatureRefSchema, trust: SignatureTrustSchema, jobId: JobId }),
    output: VerificationRecordSchema,
  },
  'verify.modelPath': {
    description: 'Verifies an OpenSSF Model Signing signature for a folder or file on disk, outside any case (nothing is stored).',
    long: true,
    input: z.object({ modelPath: PathSchema, signaturePath: PathSchema, trust: SignatureTrustSchema, jobId: JobId }),
    output: VerificationRecordSchema,
  },
  'verify.sums': {
    description: 'Checks a model folder or file of a case against a SHA256SUMS list (a file, or pasted lines) and records the result.',
    long: true,
    input: z.object({ caseId: IdSchema, target: SubjectRefSchema, sumsPath: PathSchema.optional(), sumsText: z.string().max(16 * 1024 * 1024).optional(), jobId: JobId })
      .refine((v) => (v.sumsPath === undefined) !== (v.sumsText === undefined), 'give either the SHA256SUMS file or its pasted lines'),
    output: VerificationRecordSchema,
  },
  'verify.sumsPath': {
    description: 'Checks a folder or file on disk against a SHA256SUMS file, outside any case.',
    long: true,
    input: z.object({ modelPath: PathSchema, sumsPath: PathSchema, jobId: JobId }),
    output: VerificationRecordSchema,
  },
  'verify.digest': {
    description: 'Compares an artifact\'s SHA-256 (recorded at intake) with a digest the auditor pasted, and records the result.',
    input: z.object({
      caseId: IdSchema,
      /** The artifact, or the path it was added from. */
      target: z.union([z.object({ artifactId: IdSchema }), z.object({ path: PathSchema })]),
      digest: z.string().trim().min(1, 'paste a digest').max(1000),
    }),
    output: VerificationRecordSchema,
  },
  'verify.digestPath': {
    description: 'Hashes a file on disk and compares it with a pasted digest, outside any case.',
    long: true,
    input: z.object({ path: PathSchema, digest: z.string().trim().min(1, 'give a digest').max(1000), jobId: JobId }),
    output: VerificationRecordSchema,
  },
  'verify.list': {
    description: 'Verification results of a case, oldest first (superseded ones marked).',
    input: z.object({ caseId: IdSchema }),
    output: z.array(VerificationRecordSchema),
  },

  'sign.model': {
    description: 'Signs a model folder or file in OpenSSF Model Signing key mode with a stored key or a PEM file.',
    long: true,
    input: z.object({
      modelPath: PathSchema,
      key: SigningKeyRefSchema,
      outPath: PathSchema,
      method: z.enum(['files', 'shards']).default('files'),
      shardSize: z.number().int().positive().optional(),
      ignorePaths: z.array(z.string().max(4096)).max(1000).default([]),
      jobId: JobId,
    }),
    output: z.object({
      path: z.string(), rootDigest: Sha256Schema, files: z.number().int(), method: z.enum(['files', 'shards']),
      signer: z.object({ fingerprint: Sha256Schema, hint: Sha256Schema, description: z.string() }),
    }),
  },

  'decision.get': {
    description: 'The policy in force, what it allows for the case now (blockers, waivers) and the current decision.',
    input: z.object({ caseId: IdSchema }),
    output: z.object({
      policy: PolicyInForceSchema.extend({ path: z.string().nullable() }),
      evaluation: PolicyEvaluationSchema,
      waivers: z.array(WaiverSchema),
      decision: IntakeDecisionSchema.nullable(),
      decisionPolicy: PolicyInForceSchema.nullable(),
      history: z.array(IntakeDecisionSchema),
    }),
  },
  'decision.record': {
    description: 'Records the intake decision (with optional waivers) if the policy allows it; the case becomes decided.',
    input: z.object({
      caseId: IdSchema,
      outcome: DecisionOutcomeSchema,
      justification: z.string().max(20_000),
      conditions: z.array(z.string().max(2000)).max(100).default([]),
      waivers: z.array(WaiverInputSchema).max(20).default([]),
    }),
    output: z.object({ decision: IntakeDecisionSchema, evaluation: PolicyEvaluationSchema }),
  },
  'waivers.set': {
    description: 'Records (or replaces) the waiver of one checklist point, with its justification.',
    input: z.object({ caseId: IdSchema, pointId: PointIdSchema, justification: z.string().trim().max(5000) }),
    output: WaiverSchema,
  },
  'waivers.remove': {
    description: 'Removes the waiver of one checklist point.',
    input: z.object({ caseId: IdSchema, pointId: PointIdSchema }),
    output: z.object({ removed: z.boolean() }),
  },

  'bundles.suggestPath': {
    description: 'A new file name for a case\'s audit bundle in the data directory\'s bundles folder.',
    input: z.object({ caseId: IdSchema }),
    output: z.object({ path: z.string() }),
  },
  'bundles.export': {
    description: 'Exports the case as a signed audit bundle (.assay): records, SARIF, AIBOM, HTML and PDF report, attachments, custody log.',
    long: true,
    input: z.object({ caseId: IdSchema, key: SigningKeyRefSchema, outPath: PathSchema, includeModels: z.boolean().default(false), jobId: JobId }),
    output: ExportResultSchema,
  },
  'bundles.verify': {
    description: 'Verifies an audit bundle file against the trust store or a public key file, without extracting it, and returns its records for a read-only view.',
    long: true,
    input: z.object({ path: PathSchema, trust: BundleTrustSchema.default({ kind: 'store' }), jobId: JobId }),
    output: BundleReportSchema,
  },
  'bundles.countersign': {
    description: 'Adds the auditor\'s signature over the same statement to a verified bundle and writes the countersigned bundle.',
    long: true,
    input: z.object({ path: PathSchema, key: SigningKeyRefSchema, outPath: PathSchema, trust: BundleTrustSchema.default({ kind: 'store' }), jobId: JobId }),
    output: z.object({
      path: z.string(), sha256: Sha256Schema, size: z.number().int(),
      signer: z.object({ fingerprint: Sha256Schema, description: z.string() }),
      report: BundleReportSchema,
    }),
  },
});
