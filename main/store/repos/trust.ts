// The trust layer's tables: sealed signing keys, the trust store, verification records, waivers
// and intake decisions. SQL only; the rules live in main/core/trust/service.
import type { Database } from 'better-sqlite3';
import type { PointId } from '../../../shared/checklist/points.ts';
import type { Finding } from '../../../shared/findings.ts';
import type {
  IntakeDecision, PolicyInForce, SigningKey, TrustAnchorRecord, VerificationRecord, Waiver,
} from '../../../shared/api/methods/trust-schemas.ts';
import { stmt } from '../statements.ts';

// ---- Signing keys ----

interface KeyRow {
  id: string; label: string; fingerprint: string; curve: SigningKey['curve']; origin: SigningKey['origin'];
  public_pem: string; sealed: string; created_at: string; created_by: string;
}

const toKey = (r: KeyRow): SigningKey => ({
  id: r.id, label: r.label, fingerprint: r.fingerprint, curve: r.curve, origin: r.origin, createdAt: r.created_at, createdBy: r.created_by,
});

export function insertSigningKey(db: Database, k: SigningKey & { publicPem: string; sealed: string }): void {
  stmt(db, `INSERT INTO signing_keys (id, label, fingerprint, curve, origin, public_pem, sealed, created_at, created_by)
    VALUES (@id, @label, @fingerprint, @curve, @origin, @publicPem, @sealed, @createdAt, @createdBy)`).run(k);
}

export function listSigningKeys(db: Database): SigningKey[] {
  return (stmt(db, 'SELECT * FROM signing_keys ORDER BY created_at, rowid').all() as KeyRow[]).map(toKey);
}

export function getSigningKey(db: Database, id: string): (SigningKey & { publicPem: string; sealed: string }) | null {
  const r = stmt(db, 'SELECT * FROM signing_keys WHERE id = ?').get(id) as KeyRow | undefined;
  return r ? { ...toKey(r), publicPem: r.public_pem, sealed: r.sealed } : null;
}

export function findSigningKeyByFingerprint(db: Database, fingerprint: string): SigningKey | null {
  const r = stmt(db, 'SELECT * FROM signing_keys WHERE fingerprint = ?').get(fingerprint) as KeyRow | undefined;
  return r ? toKey(r) : null;
}

// ---- Trust store ----

interface AnchorRow {
  id: string; kind: TrustAnchorRecord['kind']; label: string; fingerprint: string; key_fingerprint: string;
  curve: TrustAnchorRecord['curve']; subject: string | null; not_before: string | null; not_after: string | null;
  is_ca: number | null; pem: string; added_by: string; added_at: string;
}

const toAnchor = (r: AnchorRow): TrustAnchorRecord => ({
  id: r.id, kind: r.kind, label: r.label, fingerprint: r.fingerprint, keyFingerprint: r.key_fingerprint, curve: r.curve,
  subject: r.subject, notBefore: r.not_before, notAfter: r.not_after, isCa: r.is_ca === null ? null : r.is_ca === 1,
  addedBy: r.added_by, addedAt: r.added_at,
});

export function insertAnchor(db: Database, a: TrustAnchorRecord & { pem: string }): void {
  stmt(db, `INSERT INTO trust_anchors (id, kind, label, fingerprint, key_fingerprint, curve, subject, not_before, not_after, is_ca, pem, added_by, added_at)
    VALUES (@id, @kind, @label, @fingerprint, @keyFingerprint, @curve, @subject, @notBefore, @notAfter, @isCa, @pem, @addedBy, @addedAt)`)
    .run({ ...a, isCa: a.isCa === null ? null : a.isCa ? 1 : 0 });
}

export function listAnchors(db: Database): (TrustAnchorRecord & { pem: string })[] {
  return (stmt(db, 'SELECT * FROM trust_anchors ORDER BY added_at, rowid').all() as AnchorRow[]).map((r) => ({ ...toAnchor(r), pem: r.pem }));
}

export function getAnchor(db: Database, id: string): (TrustAnchorRecord & { pem: string }) | null {
  const r = stmt(db, 'SELECT * FROM trust_anchors WHERE id = ?').get(id) as AnchorRow | undefined;
  return r ? { ...toAnchor(r), pem: r.pem } : null;
}

export function findAnchorByFingerprint(db: Database, fingerprint: string): TrustAnchorRecord | null {
  const r = stmt(db, 'SELECT * FROM trust_anchors WHERE fingerprint = ?').get(fingerprint) as AnchorRow | undefined;
  return r ? toAnchor(r) : null;
}

export function deleteAnchor(db: Database, id: string): boolean {
  return stmt(db, 'DELETE FROM trust_anchors WHERE id = ?').run(id).changes > 0;
}

// ---- Verifications ----

interface VerificationRow {
  id: string; case_id: string; kind: VerificationRecord['kind']; subject_key: string; set_id: string | null;
  artifact_id: string | null; subject: string; verified_at: string; verified_by: string; ok: number; summary: string;
  record: string; result: string; findings: string; superseded: number;
}

export interface StoredVerification {
  record: VerificationRecord;
  /** Which subject it verified (`set:<id>` or `artifact:<id>`); the latest per subject and kind is current. */
  subjectKey: string;
  result: unknown;
  findings: Finding[];
}

const toVerification = (r: VerificationRow): StoredVerification => ({
  record: { ...(JSON.parse(r.record) as VerificationRecord), superseded: r.superseded === 1 },
  subjectKey: r.subject_key,
  result: JSON.parse(r.result) as unknown,
  findings: JSON.parse(r.findings) as Finding[],
});

/** Marks the current verifications of one subject and kind superseded; returns their ids. */
export function supersedeVerifications(db: Database, caseId: string, subjectKey: string, kind: VerificationRecord['kind']): string[] {
  const ids = (stmt(db, 'SELECT id FROM verifications WHERE case_id = ? AND subject_key = ? AND kind = ? AND superseded = 0')
    .all(caseId, subjectKey, kind) as { id: string }[]).map((r) => r.id);
  stmt(db, 'UPDATE verifications SET superseded = 1 WHERE case_id = ? AND subject_key = ? AND kind = ? AND superseded = 0').run(caseId, subjectKey, kind);
  return ids;
}

export function insertVerification(db: Database, v: StoredVerification): void {
  const r = v.record;
  if (r.caseId === null) throw new Error('a stored verification belongs to a case');
  stmt(db, `INSERT INTO verifications (id, case_id, kind, subject_key, set_id, artifact_id, subject, verified_at, verified_by, ok, summary, record, result, findings, superseded)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`)
    .run(r.id, r.caseId, r.kind, v.subjectKey, r.setId, r.artifactId, r.subject, r.verifiedAt, r.verifiedBy, r.ok ? 1 : 0, r.summary,
      JSON.stringify(r), JSON.stringify(v.result ?? null), JSON.stringify(v.findings));
}

export function listVerifications(db: Database, caseId: string, options: { currentOnly?: boolean } = {}): StoredVerification[] {
  const sql = `SELECT * FROM verifications WHERE case_id = ?${options.currentOnly ? ' AND superseded = 0' : ''} ORDER BY verified_at, rowid`;
  return (stmt(db, sql).all(caseId) as VerificationRow[]).map(toVerification);
}

/** Findings of the current verifications stored against one artifact (or the case, for null). */
export function currentVerificationFindings(db: Database, caseId: string, artifactId: string | null): Finding[] {
  const rows = stmt(db, `SELECT findings FROM verifications WHERE case_id = ? AND superseded = 0 AND
      (CASE WHEN set_id IS NOT NULL THEN NULL ELSE artifact_id END) IS ? ORDER BY verified_at, rowid`).all(caseId, artifactId) as { findings: string }[];
  return rows.flatMap((r) => JSON.parse(r.findings) as Finding[]);
}

/** Removes the checklist evidence written for the given verifications (they were superseded). */
export function deleteVerificationEvidence(db: Database, caseId: string, verificationIds: readonly string[]): void {
  const del = stmt(db, `DELETE FROM evidence WHERE case_id = ? AND source = 'trust' AND json_extract(data, '$.verificationId') = ?`);
  for (const id of verificationIds) del.run(caseId, id);
}

// ---- Waivers ----

interface WaiverRow { case_id: string; point_id: PointId; justification: string; granted_by: string; granted_at: string }

const toWaiver = (r: WaiverRow): Waiver => ({ pointId: r.point_id, justification: r.justification, grantedBy: r.granted_by, grantedAt: r.granted_at });

export function listWaivers(db: Database, caseId: string): Waiver[] {
  return (stmt(db, 'SELECT * FROM waivers WHERE case_id = ? ORDER BY point_id').all(caseId) as WaiverRow[]).map(toWaiver);
}

export function getWaiver(db: Database, caseId: string, pointId: PointId): Waiver | null {
  const r = stmt(db, 'SELECT * FROM waivers WHERE case_id = ? AND point_id = ?').get(caseId, pointId) as WaiverRow | undefined;
  return r ? toWaiver(r) : null;
}

export function upsertWaiver(db: Database, caseId: string, w: Waiver): void {
  stmt(db, `INSERT INTO waivers (case_id, point_id, justification, granted_by, granted_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT(case_id, point_id) DO UPDATE SET justification = excluded.justification, granted_by = excluded.granted_by, granted_at = excluded.granted_at`)
    .run(caseId, w.pointId, w.justification, w.grantedBy, w.grantedAt);
}

export function deleteWaiver(db: Database, caseId: string, pointId: PointId): boolean {
  return stmt(db, 'DELETE FROM waivers WHERE case_id = ? AND point_id = ?').run(caseId, pointId).changes > 0;
}

// ---- Decisions ----

interface DecisionRow {
  id: string; case_id: string; outcome: IntakeDecision['outcome']; conditions: string; justification: string;
  decided_by: string; decided_at: string; policy: string; waivers: string;
}

export interface StoredDecision {
  id: string;
  caseId: string;
  decision: IntakeDecision;
  policy: PolicyInForce;
  waivers: Waiver[];
}

const toDecision = (r: DecisionRow): StoredDecision => ({
  id: r.id, caseId: r.case_id,
  decision: { outcome: r.outcome, conditions: JSON.parse(r.conditions) as string[], justification: r.justification, decidedBy: r.decided_by, decidedAt: r.decided_at },
  policy: JSON.parse(r.policy) as PolicyInForce,
  waivers: JSON.parse(r.waivers) as Waiver[],
});

export function insertDecision(db: Database, d: StoredDecision): void {
  stmt(db, `INSERT INTO decisions (id, case_id, outcome, conditions, justification, decided_by, decided_at, policy, waivers)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(d.id, d.caseId, d.decision.outcome, JSON.stringify(d.decision.conditions), d.decision.justification,
    d.decision.decidedBy, d.decision.decidedAt, JSON.stringify(d.policy), JSON.stringify(d.waivers));
}

export function currentDecision(db: Database, caseId: string): StoredDecision | null {
  const r = stmt(db, 'SELECT * FROM decisions WHERE case_id = ? ORDER BY rowid DESC LIMIT 1').get(caseId) as DecisionRow | undefined;
  return r ? toDecision(r) : null;
}

export function listDecisions(db: Database, caseId: string): StoredDecision[] {
  return (stmt(db, 'SELECT * FROM decisions WHERE case_id = ? ORDER BY rowid').all(caseId) as DecisionRow[]).map(toDecision);
}
