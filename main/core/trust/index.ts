// The trust layer's public API: keys, model signatures (OpenSSF Model Signing), published
// digests, evidence, the intake policy and decision, and audit bundles. Pure modules over
// explicit inputs; the store, API, CLI and views call these.
export {
  CURVES, KeyError, curveOf, generateSigningKey, importPrivateKeyPem, importPublicKeyPem, keyFingerprint, omsKeyHint,
  publicKeyOf, publicKeyPem, shortFingerprint, signerFromPrivateKey,
  type Curve, type KeyErrorCode, type Signer,
} from './keys.ts';
export { DEFAULT_SCRYPT, inspectSealedKey, openSealedKey, sealPrivateKey, type SealOptions, type SealedKey } from './key-vault.ts';
export { parseCertificatesPem, verifyCertificateChain, type CertificateIdentity, type ChainCheck } from './x509-chain.ts';
export { pae, signEnvelope, verifyEnvelopeSignature, IN_TOTO_PAYLOAD_TYPE } from './dsse.ts';
export {
  FILE_STATUSES, verifyModelSignature,
  type FileCheck, type FileStatus, type OmsIssue, type OmsSigner, type OmsTrust, type OmsVerification, type OmsVerifyInput, type OmsVerifyOptions,
} from './oms/verify.ts';
export { DEFAULT_SHARD_SIZE, signModel, SignError, type OmsSignOptions, type OmsSignResult } from './oms/sign.ts';
export type { HashProgress, ProgressCallback } from './oms/progress.ts';
export { checkSha256Sums, parseSha256Sums, type SumsCheck, type SumsFileCheck, type SumsOptions } from './digests/sha256sums.ts';
export { checkFileDigest, comparePastedDigest, parsePastedDigest, type PastedCheck, type PastedDigest } from './digests/pasted.ts';
export {
  omsEvidence, omsFindings, pastedDigestEvidence, pastedDigestFindings, sumsEvidence, sumsFindings, type EvidenceDraft,
} from './evidence.ts';
export {
  DECISION_OUTCOMES, IntakeDecisionSchema, IntakePolicySchema, PolicyInForceSchema, WaiverSchema,
  type DecisionOutcome, type IntakeDecision, type IntakePolicy, type PolicyInForce, type Waiver,
} from './policy/schema.ts';
export { checkDecision, decisionCustodyDetails, evaluatePolicy, type Blocker, type DecisionCheck, type PolicyEvaluation, type PolicyInput } from './policy/evaluate.ts';
export { defaultPolicy, defaultPolicyPath, loadPolicyFile, parsePolicy, POLICY_FILE_NAME, policyForDataDir, PolicyError } from './policy/load.ts';
export type { AttachmentWithBytes, CaseSnapshot, VerificationKind, VerificationRecord, VulnerabilityDatabaseInfo } from './bundle/snapshot.ts';
export { exportBundle, exportBundleToFile, writeBundle, type ExportOptions, type ExportSummary, type ModelFileToInclude } from './bundle/export.ts';
export {
  BUNDLE_FAILURE_CLASSES, verifyBundle,
  type BundleFailure, type BundleFailureClass, type BundleTrust, type BundleVerification, type BundleVerifyOptions, type TrustedKey,
} from './bundle/verify.ts';
export { countersignBundle, CountersignError } from './bundle/countersign.ts';
export type { BundleContents } from './bundle/contents.ts';
export { buildAibom } from './bundle/aibom.ts';
export { renderReportHtml } from './bundle/report-html.ts';
export { normalizePdfDates, type PdfRenderer } from './bundle/pdf.ts';
export { BUNDLE_PREDICATE_TYPE, ENTRY as BUNDLE_ENTRY } from './bundle/layout.ts';
export { parseTrustAnchors, type TrustAnchor } from './trust-anchor.ts';

// Store-backed services (what the API handlers call).
export { exportCaseBundle, countersignBundleFile, verifyBundleFile, type ExportResult } from './service/bundles.ts';
export { casePolicyInput, decisionState, loadPolicy, recordDecision, removeWaiver, setWaiver, type DecisionState } from './service/decision.ts';
export { exportPublicKey, generateKey, importKey, listKeys, resolveSigner, MIN_PASSPHRASE_LENGTH, type ResolvedSigner } from './service/keys.ts';
export { signModelFile } from './service/sign.ts';
export { snapshotCase } from './service/snapshot.ts';
export { addAnchors, listTrustAnchors, removeAnchor, trustedBundleKeys } from './service/trust-store.ts';
export {
  checkDigestAtPath, checkDigestInCase, checkSumsAtPath, checkSumsInCase, listCaseVerifications, verifyModelAtPath, verifyModelInCase,
} from './service/verify.ts';
