// Turns verification results into catalogue findings and into checklist evidence (P11 for the
// signature, P08 for the digests) with a suggested status, for the store to record.
import type { Evidence } from '../../../shared/api/schemas.ts';
import type { ChecklistStatus, PointId } from '../../../shared/checklist/points.ts';
import type { Finding } from '../../../shared/findings.ts';
import { ruleOrThrow } from '../../../shared/rules/catalogue.ts';
import type { PastedCheck } from './digests/pasted.ts';
import type { SumsCheck } from './digests/sha256sums.ts';
import { shortFingerprint } from './keys.ts';
import type { OmsVerification } from './oms/verify.ts';

export type EvidenceDraft = Omit<Evidence, 'id' | 'caseId' | 'createdAt'>;

/** At most this many findings per rule; the rest is summarised in one more finding. */
export const MAX_FINDINGS_PER_RULE = 200;
const MAX_FILES_IN_EVIDENCE = 5000;

interface Issue {
  ruleId: string;
  message: string;
  path?: string;
}

function toFindings(issues: readonly Issue[], members: readonly string[], evidence: Record<string, unknown>): Finding[] {
  const out: Finding[] = [];
  const perRule = new Map<string, number>();
  for (const i of issues) {
    const n = (perRule.get(i.ruleId) ?? 0) + 1;
    perRule.set(i.ruleId, n);
    if (n > MAX_FINDINGS_PER_RULE) continue;
    const rule = ruleOrThrow(i.ruleId);
    out.push({
      ruleId: i.ruleId,
      severity: rule.severity,
      message: i.message,
      location: { members: i.path ? [...members, i.path] : [...members] },
      checklist: [...rule.checklist],
      evidence,
    });
  }
  for (const [ruleId, n] of perRule) {
    if (n <= MAX_FINDINGS_PER_RULE) continue;
    const rule = ruleOrThrow(ruleId);
    out.push({
      ruleId, severity: rule.severity, checklist: [...rule.checklist], evidence,
      message: `${n - MAX_FINDINGS_PER_RULE} more file(s) with the same problem (${rule.title.toLowerCase()})`,
      location: { members: [...members] },
    });
  }
  return out;
}

/** Findings for a model-signature verification (problems and warnings), located under `members`. */
export function omsFindings(result: OmsVerification, members: readonly string[] = []): Finding[] {
  const evidence = { signer: result.signer?.fingerprint ?? null, predicateType: result.statement?.predicateType ?? null };
  return toFindings([...result.problems, ...result.warnings], members, evidence);
}

function signerLabel(r: OmsVerification): string {
  if (!r.signer) return 'unknown signer';
  if (r.signer.kind === 'key') return `key ${shortFingerprint(r.signer.fingerprint)} (${r.signer.curve})`;
  return `certificate "${r.signer.certificate.subject}" (key ${shortFingerprint(r.signer.fingerprint)})`;
}

function draft(pointId: PointId, title: string, summary: string, artifactId: string | null, data: unknown, suggestedStatus: ChecklistStatus): EvidenceDraft {
  return { pointId, source: 'trust', title, summary, artifactId, data, suggestedStatus };
}

/** Evidence on P11 (signature) and P08 (files match what was signed) with suggested statuses. */
export function omsEvidence(result: OmsVerification, artifactId: string | null): EvidenceDraft[] {
  const c = result.counts;
  const data = { ...result, files: result.files.slice(0, MAX_FILES_IN_EVIDENCE), filesTruncated: result.files.length > MAX_FILES_IN_EVIDENCE };
  const fileProblems = c.modified + c.missing + c.symlink + c.unreadable;
  const sigProblem = result.problems.find((p) => !['trust.file-modified', 'trust.file-missing', 'trust.file-unsigned', 'trust.symlink-in-signed-model'].includes(p.ruleId));
  const legacy = result.warnings.some((w) => w.ruleId === 'trust.legacy-signature');
  let p11: ChecklistStatus;
  let p11Summary: string;
  if (!result.signatureValid || sigProblem) {
    p11 = 'fail';
    p11Summary = `Signature not accepted: ${sigProblem?.message ?? 'it does not verify'}.`;
  } else if (fileProblems > 0) {
    p11 = 'fail';
    p11Summary = `Signature by ${signerLabel(result)} is valid, but ${fileProblems} file(s) are not as signed.`;
  } else {
    p11 = legacy || c.extra > 0 ? 'partial' : 'pass';
    p11Summary = `Signature by ${signerLabel(result)} verifies${legacy ? ' (legacy v0.2 format)' : ''}; ${c.verified} file(s) verified${c.extra > 0 ? `, ${c.extra} unsigned file(s) present` : ''}.`;
  }
  let p08: ChecklistStatus;
  let p08Summary: string;
  if (!result.signatureValid || !result.statement) {
    p08 = 'fail';
    p08Summary = 'No file digest could be checked: the signature was not accepted.';
  } else if (fileProblems > 0) {
    p08 = 'fail';
    p08Summary = `${c.modified} modified, ${c.missing} missing, ${c.symlink + c.unreadable} unreadable or linked file(s) against the signed digests; ${c.verified} verified.`;
  } else if (c.extra > 0) {
    p08 = 'partial';
    p08Summary = `${c.verified} file(s) match the signed digests; ${c.extra} file(s) are not covered by the signature.`;
  } else {
    p08 = result.ok ? 'pass' : 'partial';
    p08Summary = `All ${c.verified} file(s) match the signed digests (${result.statement.method}, root ${result.statement.rootDigest ?? 'n/a'}).`;
  }
  return [
    draft('P11', 'Model signature verification', p11Summary, artifactId, data, p11),
    draft('P08', 'File digests checked against the signature', p08Summary, artifactId, data, p08),
  ];
}

export function sumsFindings(check: SumsCheck, members: readonly string[] = []): Finding[] {
  return toFindings(check.problems, members, { source: 'SHA256SUMS' });
}

export function sumsEvidence(check: SumsCheck, artifactId: string | null): EvidenceDraft[] {
  const n = (s: string) => check.files.filter((f) => f.status === s).length;
  const bad = n('mismatch') + n('missing') + n('unreadable') + n('duplicate');
  const status: ChecklistStatus = bad > 0 ? 'fail' : n('unlisted') > 0 ? 'partial' : 'pass';
  const summary = bad > 0
    ? `${n('mismatch') + n('duplicate')} file(s) differ from the published digest list, ${n('missing')} listed file(s) missing; ${n('ok')} match.`
    : `${n('ok')} file(s) match the published digest list${n('unlisted') > 0 ? `; ${n('unlisted')} file(s) are not listed` : ''}.`;
  return [draft('P08', 'Files checked against a published SHA256SUMS list', summary, artifactId, check, status)];
}

export function pastedDigestEvidence(check: PastedCheck, artifactId: string | null): EvidenceDraft[] {
  return [draft('P08', 'File checked against a digest supplied by the auditor', check.message, artifactId, check, check.match ? 'pass' : 'fail')];
}

export function pastedDigestFindings(check: PastedCheck, members: readonly string[] = []): Finding[] {
  return check.match || check.algorithm !== 'sha256' ? [] : toFindings([{ ruleId: 'trust.digest-mismatch', message: check.message }], members, { source: 'pasted digest' });
}
