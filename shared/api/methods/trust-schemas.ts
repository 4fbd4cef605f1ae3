// Entities of the trust layer as they cross the API and as audit bundles hold them: the intake
// policy, waivers and decision, signing keys and trust anchors, verification records, and the
// records of a bundle read back for the read-only view. One definition serves the core, the
// bundle verifier and the renderer.
import { z } from 'zod';
import { POINT_IDS } from '../../checklist/points.ts';
import { SEVERITIES } from '../../findings.ts';
import {
  ArtifactSchema, ArtifactSetSchema, AttachmentSchema, CaseSchema, ChecklistStatusSchema, ChecklistTallySchema,
  CustodyEventSchema, EvidenceSchema, FindingRecordSchema, IdSchema, IsoTimeSchema, PhaseProgressSchema, PointIdSchema,
  Sha256Schema,
} from '../schemas.ts';

// ---- Intake policy, waivers, decision ----

export const POLICY_FORMAT = 'assay-intake-policy';
const PolicyPointId = z.enum(POINT_IDS);
// `$comment` keys document the policy file for the people who edit it; they carry no meaning.
const comment = { $comment: z.union([z.string(), z.array(z.string())]).optional() };

export const IntakePolicySchema = z.object({
  ...comment,
  format: z.literal(POLICY_FORMAT),
  version: z.literal(1),
  name: z.string().min(1).max(200),
  approval: z.object({
    ...comment,
    blockingSeverities: z.array(z.enum(SEVERITIES)).max(SEVERITIES.length),
    requireAllPointsReviewed: z.boolean(),
    mustPass: z.array(PolicyPointId).max(POINT_IDS.length),
    failedPointBlocks: z.boolean(),
    partialPointNeedsConditions: z.boolean(),
  }).strict(),
  waivers: z.object({
    ...comment,
    allowed: z.boolean(),
    minJustificationLength: z.number().int().min(0).max(5000),
    notWaivable: z.array(PolicyPointId).max(POINT_IDS.length),
  }).strict(),
  decision: z.object({
    ...comment,
    minJustificationLength: z.number().int().min(0).max(5000),
    conditionsRequired: z.boolean(),
  }).strict(),
}).strict();
export type IntakePolicy = z.infer<typeof IntakePolicySchema>;

export const DECISION_OUTCOMES = ['approved', 'approved-with-conditions', 'rejected'] as const;
export const DecisionOutcomeSchema = z.enum(DECISION_OUTCOMES);
export type DecisionOutcome = z.infer<typeof DecisionOutcomeSchema>;

export const WaiverSchema = z.object({
  pointId: PolicyPointId,
  justification: z.string().max(5000),
  grantedBy: z.string().max(200),
  grantedAt: z.string().max(40),
});
export type Waiver = z.infer<typeof WaiverSchema>;

export const IntakeDecisionSchema = z.object({
  outcome: DecisionOutcomeSchema,
  conditions: z.array(z.string().max(2000)).max(100),
  justification: z.string().max(20_000),
  decidedBy: z.string().max(200),
  decidedAt: z.string().max(40),
});
export type IntakeDecision = z.infer<typeof IntakeDecisionSchema>;

/** The policy as it was in force: its content, the SHA-256 of its file's bytes, and where it came from. */
export const PolicyInForceSchema = z.object({
  policy: IntakePolicySchema,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  source: z.string().max(4096),
});
export type PolicyInForce = z.infer<typeof PolicyInForceSchema>;

export const BlockerSchema = z.object({
  kind: z.enum(['open-finding', 'not-reviewed', 'must-pass', 'failed-point', 'partial-point']),
  level: z.enum(['block', 'condition']),
  pointId: PointIdSchema.nullable(),
  findingId: z.string().optional(),
  message: z.string(),
  waivedBy: WaiverSchema.nullable(),
});
export type Blocker = z.infer<typeof BlockerSchema>;

export const PolicyEvaluationSchema = z.object({
  policyName: z.string(),
  allowedOutcomes: z.array(DecisionOutcomeSchema),
  blockers: z.array(BlockerSchema),
  rejectedWaivers: z.array(z.object({ waiver: WaiverSchema, reason: z.string() })),
});
export type PolicyEvaluation = z.infer<typeof PolicyEvaluationSchema>;

// ---- Keys and the trust store ----

export const CurveSchema = z.enum(['P-256', 'P-384', 'P-521']);
export const FingerprintSchema = Sha256Schema;

/** An auditor's signing key held (sealed) in the store; the private half never crosses the API. */
export const SigningKeySchema = z.object({
  id: IdSchema,
  label: z.string(),
  fingerprint: FingerprintSchema,
  curve: CurveSchema,
  origin: z.enum(['generated', 'imported']),
  createdAt: IsoTimeSchema,
  createdBy: z.string(),
});
export type SigningKey = z.infer<typeof SigningKeySchema>;

/** A publisher's or fellow auditor's public key, or a certificate root, in the trust store. */
export const TrustAnchorRecordSchema = z.object({
  id: IdSchema,
  kind: z.enum(['public-key', 'certificate']),
  label: z.string(),
  /** Key: SHA-256 of the SPKI DER. Certificate: SHA-256 of the certificate DER. */
  fingerprint: FingerprintSchema,
  /** SHA-256 of the SPKI DER of the (certificate's) public key. */
  keyFingerprint: FingerprintSchema,
  curve: CurveSchema.nullable(),
  subject: z.string().nullable(),
  notBefore: z.string().nullable(),
  notAfter: z.string().nullable(),
  isCa: z.boolean().nullable(),
  addedBy: z.string(),
  addedAt: IsoTimeSchema,
});
export type TrustAnchorRecord = z.infer<typeof TrustAnchorRecordSchema>;

const Passphrase = z.string().max(1024);

/** Which private key signs: one held in the store (unlocked with its passphrase), or a PEM file. */
export const SigningKeyRefSchema = z.union([
  z.object({ keyId: IdSchema, passphrase: Passphrase }),
  z.object({ pemPath: z.string().min(1).max(4096), passphrase: Passphrase.optional() }),
]);
export type SigningKeyRef = z.infer<typeof SigningKeyRefSchema>;

/** What a model signature is checked against. */
export const SignatureTrustSchema = z.discriminatedUnion('kind', [
  /** Anchors of the workstation's trust store: the key the signature names, or every certificate root. */
  z.object({ kind: z.literal('store') }),
  z.object({ kind: z.literal('anchor'), anchorId: IdSchema }),
  z.object({ kind: z.literal('key-file'), path: z.string().min(1).max(4096) }),
  z.object({ kind: z.literal('cert-root-file'), path: z.string().min(1).max(4096) }),
]);
export type SignatureTrust = z.infer<typeof SignatureTrustSchema>;

/** What an audit bundle's signatures are checked against: the trust store or one public key file. */
export const BundleTrustSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('store') }),
  z.object({ kind: z.literal('key-file'), path: z.string().min(1).max(4096) }),
]);
export type BundleTrustRef = z.infer<typeof BundleTrustSchema>;

// ---- Verification records ----

export const VERIFICATION_KINDS = ['oms', 'sha256sums', 'pasted-digest'] as const;
export const VerificationKindSchema = z.enum(VERIFICATION_KINDS);

export const VerificationIssueSchema = z.object({ ruleId: z.string(), message: z.string(), path: z.string().optional() });

export const VerificationFileSchema = z.object({
  path: z.string(),
  /** OMS: verified, modified, missing, extra, symlink, unreadable, not-covered; digest lists: ok, mismatch, missing, unlisted... */
  status: z.string(),
  expected: z.string().nullable(),
  actual: z.string().nullable(),
  detail: z.string().optional(),
});

/** One verification of a model folder or file, as the case keeps it and the bundle carries it. */
export const VerificationRecordSchema = z.object({
  id: IdSchema,
  caseId: IdSchema.nullable(),
  kind: VerificationKindSchema,
  setId: IdSchema.nullable(),
  artifactId: IdSchema.nullable(),
  /** What was verified, for people: the folder or file name and its path. */
  subject: z.string(),
  verifiedAt: IsoTimeSchema,
  verifiedBy: z.string(),
  ok: z.boolean(),
  summary: z.string(),
  /** Who signed (OMS): fingerprint, a description, and the trust-store label when the key is there. */
  signer: z.object({ fingerprint: z.string(), description: z.string(), trustedLabel: z.string().nullable() }).nullable(),
  counts: z.record(z.string(), z.number().int()),
  files: z.array(VerificationFileSchema),
  filesTruncated: z.boolean(),
  problems: z.array(VerificationIssueSchema),
  warnings: z.array(VerificationIssueSchema),
  notes: z.array(z.string()),
  /** A later verification of the same subject and kind replaced this one. */
  superseded: z.boolean(),
});
export type VerificationRecord = z.infer<typeof VerificationRecordSchema>;

// ---- Audit bundles read back ----

export const BUNDLE_FORMAT = 'assay-audit-bundle';
export const BUNDLE_FORMAT_VERSION = 1;

export const BundlePredicateSchema = z.object({
  bundleId: Sha256Schema,
  format: z.object({ name: z.literal(BUNDLE_FORMAT), version: z.literal(BUNDLE_FORMAT_VERSION) }),
  case: z.object({ id: z.string().max(64), name: z.string().max(1000), state: z.string().max(40) }),
  auditor: z.object({ name: z.string().max(200), keyFingerprint: Sha256Schema }),
  tool: z.object({ name: z.string().max(100), version: z.string().max(100) }),
  models: z.array(z.object({ kind: z.enum(['set', 'artifact']), id: z.string().max(64), name: z.string().max(4096), digest: Sha256Schema })).max(100_000),
  custody: z.object({ head: Sha256Schema, events: z.number().int().nonnegative() }),
  vulnerabilityDatabase: z.object({ name: z.string().max(200), sha256: Sha256Schema, date: z.string().max(40) }).nullable(),
  decision: z.object({
    outcome: z.string().max(40), decidedBy: z.string().max(200), decidedAt: z.string().max(40), policySha256: Sha256Schema.nullable(),
  }).nullable(),
  signedAt: z.string().max(40),
});
export type BundlePredicate = z.infer<typeof BundlePredicateSchema>;

/** A custody event exactly as stored, with its chain name (part of what the hash covers). */
export const BundleCustodyEventSchema = CustodyEventSchema.extend({ chain: z.string().max(100) });
export type BundleCustodyEvent = z.infer<typeof BundleCustodyEventSchema>;

export const BundleManifestSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  version: z.literal(BUNDLE_FORMAT_VERSION),
  bundleId: Sha256Schema,
  case: z.object({ id: z.string().max(64), name: z.string() }),
  tool: z.object({ name: z.string(), version: z.string() }),
  stateTime: z.string(),
  /** Whether the PDF report is in the bundle, and why not when it is absent. */
  pdf: z.object({ included: z.boolean(), reason: z.string().nullable() }),
  contents: z.array(z.object({ path: z.string(), role: z.string(), sha256: Sha256Schema, size: z.number().int().nonnegative() })),
});

export const BundleChecklistSchema = z.object({
  caseId: z.string(),
  overall: ChecklistTallySchema,
  phases: z.array(PhaseProgressSchema),
  weakestPhase: z.number().int().nullable(),
  entries: z.array(z.object({
    pointId: PointIdSchema,
    status: ChecklistStatusSchema,
    notes: z.string(),
    auditor: z.string().nullable(),
    updatedAt: z.string().nullable(),
    evidence: z.array(EvidenceSchema),
    attachments: z.array(AttachmentSchema),
    findingIds: z.array(z.string()),
    blockingFindings: z.number().int(),
    suggestedStatus: ChecklistStatusSchema.nullable(),
  })),
});

/** The record documents of a bundle, keyed by what they hold. */
export const BUNDLE_DOCUMENT_SCHEMAS = {
  manifest: BundleManifestSchema,
  case: CaseSchema,
  artifacts: z.object({ artifactSets: z.array(ArtifactSetSchema), artifacts: z.array(ArtifactSchema) }),
  findings: z.object({ findings: z.array(FindingRecordSchema) }),
  checklist: BundleChecklistSchema,
  decision: z.object({
    decision: IntakeDecisionSchema.nullable(),
    policy: PolicyInForceSchema.nullable(),
    waivers: z.array(WaiverSchema),
    evaluation: PolicyEvaluationSchema.nullable(),
  }),
  verifications: z.object({ verifications: z.array(VerificationRecordSchema.extend({ result: z.unknown() })) }),
  custody: z.object({ head: Sha256Schema, events: z.array(BundleCustodyEventSchema) }),
  attachments: z.object({ attachments: z.array(AttachmentSchema.extend({ path: z.string() })) }),
} as const;
type DocumentSchemas = typeof BUNDLE_DOCUMENT_SCHEMAS;
export type BundleDocumentKey = keyof DocumentSchemas;
/** The parsed records of a bundle; a document is null when absent or invalid. */
export type BundleContents = { [K in BundleDocumentKey]: z.infer<DocumentSchemas[K]> | null };
export const BundleContentsSchema = z.object(
  Object.fromEntries(Object.entries(BUNDLE_DOCUMENT_SCHEMAS).map(([k, s]) => [k, s.nullable()])) as { [K in BundleDocumentKey]: z.ZodNullable<DocumentSchemas[K]> },
);

export const BUNDLE_FAILURE_CLASSES = [
  'hostile-zip', 'malformed', 'unsigned', 'bad-signature', 'untrusted-signer', 'foreign-statement',
  'file-modified', 'file-added', 'file-removed', 'file-renamed', 'custody-broken', 'checklist-inconsistent', 'decision-inconsistent',
] as const;
export const BundleFailureClassSchema = z.enum(BUNDLE_FAILURE_CLASSES);
export type BundleFailureClass = z.infer<typeof BundleFailureClassSchema>;

export const BundleFailureSchema = z.object({
  class: BundleFailureClassSchema,
  /** The catalogue rule for this class: `trust.bundle-<class>`. */
  ruleId: z.string(),
  message: z.string(),
  path: z.string().optional(),
  /** For hostile-zip: which structural problem (traversal, duplicate, bomb...). */
  zipProblem: z.string().optional(),
});

export const BundleSignatureSchema = z.object({
  entry: z.string(),
  fingerprint: z.string().nullable(),
  valid: z.boolean(),
  trusted: z.boolean(),
  trustedLabel: z.string().nullable(),
  signedAt: z.string().nullable(),
  message: z.string(),
});

export const BundleFileSchema = z.object({
  path: z.string(),
  status: z.enum(['ok', 'modified', 'added', 'removed', 'renamed', 'unreadable']),
  expected: z.string().nullable(),
  actual: z.string().nullable(),
  size: z.number().nullable(),
  renamedFrom: z.string().optional(),
});

/** A bundle as verified: the verdict, each failure by class, the signatures, every file, and the records. */
export const BundleReportSchema = z.object({
  path: z.string(),
  size: z.number().int(),
  sha256: Sha256Schema,
  /** What the signatures were checked against, for people. */
  trustedAgainst: z.string(),
  ok: z.boolean(),
  failures: z.array(BundleFailureSchema),
  signatures: z.array(BundleSignatureSchema),
  files: z.array(BundleFileSchema),
  bundleId: z.string().nullable(),
  predicate: BundlePredicateSchema.nullable(),
  contents: BundleContentsSchema,
});
export type BundleReport = z.infer<typeof BundleReportSchema>;
