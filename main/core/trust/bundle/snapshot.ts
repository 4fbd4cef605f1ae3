// Everything an audit bundle holds, as explicit input: `snapshotCase` (main/core/trust/service)
// reads a case from the store into a CaseSnapshot and the bundle code never touches the store.
import type {
  Artifact, ArtifactSet, Attachment, Case, ChecklistView, FindingRecord,
} from '../../../../shared/api/schemas.ts';
import type {
  BundleCustodyEvent, IntakeDecision, PolicyEvaluation, PolicyInForce, VerificationRecord as VerificationRecordBase, Waiver,
} from '../../../../shared/api/methods/trust-schemas.ts';

export { VERIFICATION_KINDS } from '../../../../shared/api/methods/trust-schemas.ts';
export type VerificationKind = VerificationRecordBase['kind'];

/** One verification run recorded in the case, with the engine's full result object as JSON. */
export type VerificationRecord = VerificationRecordBase & { result: unknown };

export interface AttachmentWithBytes {
  meta: Attachment;
  bytes: Uint8Array;
}

export interface VulnerabilityDatabaseInfo {
  name: string;
  sha256: string;
  /** Date of the newest advisory in the imported database. */
  date: string;
}

export interface CaseSnapshot {
  case: Case;
  artifacts: Artifact[];
  artifactSets: ArtifactSet[];
  findings: FindingRecord[];
  /** The findings as a SARIF 2.1.0 log, rendered by the caller. */
  findingsSarif: unknown;
  checklist: ChecklistView;
  attachments: AttachmentWithBytes[];
  /** The case's custody chain exactly as stored (with the chain name the hashes cover). */
  custody: { events: BundleCustodyEvent[]; head: string };
  decision: IntakeDecision | null;
  policy: PolicyInForce | null;
  waivers: Waiver[];
  verifications: VerificationRecord[];
  /** Dataset analysis records, opaque to the bundle (written as given, in a stable order). */
  datasets: unknown[];
  vulnerabilityDatabase: VulnerabilityDatabaseInfo | null;
  tool: { name: string; version: string };
}

export type { PolicyEvaluation };
