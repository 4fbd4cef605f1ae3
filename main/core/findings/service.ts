// Storing analyzer findings against artifacts (keeping auditors' reviews across re-scans) and
// reviewing them.
import { createHash } from 'node:crypto';
import { ApiError } from '../../../shared/api/errors.ts';
import type { FindingRecord, FindingStatus } from '../../../shared/api/schemas.ts';
import type { Finding } from '../../../shared/findings.ts';
import { deleteFindings, getFinding, insertFinding, reviewsByFingerprint, setFindingReview } from '../../store/repos/findings.ts';
import { newId } from '../../store/ids.ts';
import type { CoreContext } from '../context.ts';
import { recordCustody } from '../custody/log.ts';
import { canonicalJson } from '../util/canonical-json.ts';

export type FindingSource = 'scan' | 'behave' | 'dataset' | 'trust' | 'intake';

/** Identifies "the same finding" across runs: rule, place and message. */
export function findingFingerprint(f: Finding): string {
  return createHash('sha256').update(canonicalJson({ ruleId: f.ruleId, location: f.location, message: f.message })).digest('hex');
}

/**
 * Replaces the findings one source made about one artifact (or about the case when artifactId is
 * null). Reviews of findings that reappear carry over. Call inside a transaction.
 */
export function replaceFindings(ctx: CoreContext, caseId: string, artifactId: string | null, source: FindingSource, findings: readonly Finding[]): number {
  const reviews = reviewsByFingerprint(ctx.db, artifactId, caseId, source);
  deleteFindings(ctx.db, artifactId, caseId, source);
  const now = ctx.now();
  const seen = new Set<string>();
  for (const f of findings) {
    let fingerprint = findingFingerprint(f);
    // Two identical findings in one run stay two rows with distinct fingerprints.
    for (let n = 2; seen.has(fingerprint); n++) fingerprint = `${findingFingerprint(f)}:${n}`;
    seen.add(fingerprint);
    const review = reviews.get(fingerprint);
    insertFinding(ctx.db, {
      id: newId(), caseId, artifactId, source, ruleId: f.ruleId, severity: f.severity, message: f.message,
      location: f.location, evidence: f.evidence ?? null, checklist: f.checklist, fingerprint,
      status: review?.status ?? 'open', justification: review?.justification ?? null,
      reviewedBy: review?.reviewedBy ?? null, reviewedAt: review?.reviewedAt ?? null, createdAt: now,
    });
  }
  return findings.length;
}

export function reviewFinding(ctx: CoreContext, input: { findingId: string; status: FindingStatus; justification: string }): FindingRecord {
  const before = getFinding(ctx.db, input.findingId);
  if (!before) throw new ApiError('not_found', `no finding with id ${input.findingId}`);
  ctx.db.transaction(() => {
    const reopened = input.status === 'open';
    setFindingReview(ctx.db, input.findingId, {
      status: input.status,
      justification: reopened ? null : input.justification,
      reviewedBy: reopened ? null : ctx.actor(),
      reviewedAt: reopened ? null : ctx.now(),
    });
    recordCustody(ctx, {
      caseId: before.caseId,
      action: 'finding.reviewed',
      subject: input.findingId,
      details: { ruleId: before.ruleId, severity: before.severity, artifactId: before.artifactId, status: input.status, previousStatus: before.status, justification: input.justification },
    });
  }).immediate();
  ctx.events.emit({ type: 'changed', caseId: before.caseId, what: 'findings' });
  return getFinding(ctx.db, input.findingId)!;
}
