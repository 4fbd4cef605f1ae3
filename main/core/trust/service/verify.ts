// Model signature (OMS), SHA256SUMS and pasted-digest checks, in a case or on a path. In a case a
// result is stored as a verification record; it replaces the previous one of the same subject
// and kind, becomes checklist evidence on P11 and P08 with a suggested status, and its findings
// go through replaceFindings with source 'trust'. Outside a case (the CLI on a path) nothing is
// stored.
import { X509Certificate } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ApiError } from '../../../../shared/api/errors.ts';
import type { SignatureTrust, VerificationRecord } from '../../../../shared/api/methods/trust-schemas.ts';
import type { Evidence } from '../../../../shared/api/schemas.ts';
import type { Finding } from '../../../../shared/findings.ts';
import { getArtifact } from '../../../store/repos/artifacts.ts';
import { insertEvidence } from '../../../store/repos/evidence.ts';
import { getAnchor, listAnchors } from '../../../store/repos/trust.ts';
import {
  currentVerificationFindings, deleteVerificationEvidence, insertVerification, listVerifications, supersedeVerifications,
} from '../../../store/repos/trust.ts';
import { newId } from '../../../store/ids.ts';
import { requireCase } from '../../cases/service.ts';
import type { CoreContext } from '../../context.ts';
import { recordCustody } from '../../custody/log.ts';
import { replaceFindings } from '../../findings/service.ts';
import type { Job } from '../../jobs/registry.ts';
import { checkFileDigest, comparePastedDigest, type PastedCheck } from '../digests/pasted.ts';
import { checkSha256Sums, MAX_SUMS_BYTES, type SumsCheck } from '../digests/sha256sums.ts';
import {
  omsEvidence, omsFindings, pastedDigestEvidence, pastedDigestFindings, sumsEvidence, sumsFindings, type EvidenceDraft,
} from '../evidence.ts';
import { importPublicKeyPem, keyFingerprint, omsKeyHint, shortFingerprint } from '../keys.ts';
import type { HashProgress } from '../oms/progress.ts';
import { verifyModelSignature, type OmsTrust, type OmsVerification } from '../oms/verify.ts';
import { MAX_SIGNATURE_FILE, parseSigstoreBundle } from '../sigstore-bundle.ts';
import { parseCertificatesPem } from '../x509-chain.ts';
import { parseTrustAnchors } from '../trust-anchor.ts';
import { apiErrors, MAX_PEM_FILE, readSmallFile } from './errors.ts';
import {
  materialize, resolveFile, resolveSubject, subjectDescription, subjectKey, subjectName, type MaterializedModel, type Subject, type SubjectRef,
} from './model-source.ts';
import { anchorKey, anchorLabelByKeyFingerprint } from './trust-store.ts';

/** Per-file lists kept in a record (the evidence keeps the same cap). */
const MAX_FILES_IN_RECORD = 5000;

export type SignatureRef = { path: string } | { artifactId: string };

interface Outcome {
  kind: VerificationRecord['kind'];
  ok: boolean;
  summary: string;
  signer: VerificationRecord['signer'];
  counts: Record<string, number>;
  files: VerificationRecord['files'];
  filesTruncated: boolean;
  problems: VerificationRecord['problems'];
  warnings: VerificationRecord['warnings'];
  notes: string[];
  result: unknown;
  findings: Finding[];
  evidence: EvidenceDraft[];
}

function progressTo(job: Job | undefined): ((p: HashProgress) => void) | undefined {
  if (!job) return undefined;
  return (p) => job.update({ bytesDone: p.bytesDone, bytesTotal: p.bytesTotal, itemsDone: p.filesDone, itemsTotal: p.filesTotal, currentItem: p.currentFile });
}

// ---- Trust for a model signature ----

async function readPemFile(path: string, what: string): Promise<string> {
  return (await readSmallFile(path, MAX_PEM_FILE, what)).toString('utf8');
}

/** Turns what the caller named into the engine's trust input, and says which anchor it was. */
async function omsTrustFor(ctx: CoreContext, trust: SignatureTrust, signature: Buffer): Promise<{ trust: OmsTrust; against: string }> {
  switch (trust.kind) {
    case 'key-file': {
      const anchors = parseTrustAnchors(await readPemFile(trust.path, 'the public key file'));
      const key = anchors.find((a) => a.kind === 'public-key');
      if (!key) throw new ApiError('invalid_input', `${trust.path} holds no public key (for a certificate root, use the certificate-root option)`);
      return { trust: { kind: 'key', publicKey: importPublicKeyPem(key.pem) }, against: `public key file ${trust.path}` };
    }
    case 'cert-root-file': {
      const roots = parseCertificatesPem(await readPemFile(trust.path, 'the certificate root file'));
      if (roots.length === 0) throw new ApiError('invalid_input', `${trust.path} holds no certificate`);
      return { trust: { kind: 'certificate', roots }, against: `certificate root file ${trust.path}` };
    }
    case 'anchor': {
      const a = getAnchor(ctx.db, trust.anchorId);
      if (!a) throw new ApiError('not_found', `no trust-store entry with id ${trust.anchorId}`);
      return a.kind === 'public-key'
        ? { trust: { kind: 'key', publicKey: anchorKey(a) }, against: `trust-store key "${a.label}"` }
        : { trust: { kind: 'certificate', roots: [new X509Certificate(a.pem)] }, against: `trust-store root "${a.label}"` };
    }
    case 'store': {
      const anchors = listAnchors(ctx.db);
      let material;
      try {
        material = parseSigstoreBundle(signature).material;
      } catch {
        // Unreadable: any key will do, the engine reports the malformed signature precisely.
        const anyKey = anchors.find((a) => a.kind === 'public-key');
        if (anyKey) return { trust: { kind: 'key', publicKey: anchorKey(anyKey) }, against: 'the trust store' };
        throw new ApiError('invalid_input', 'the signature file is not a Sigstore bundle, and the trust store holds no key to report against');
      }
      if (material.kind === 'certificate-chain') {
        const roots = anchors.filter((a) => a.kind === 'certificate').map((a) => new X509Certificate(a.pem));
        if (roots.length === 0) throw new ApiError('invalid_input', 'the signature is in certificate mode and the trust store holds no certificate root: import the publisher\'s root first');
        return { trust: { kind: 'certificate', roots }, against: `the trust store's ${roots.length} certificate root(s)` };
      }
      const keys = anchors.filter((a) => a.kind === 'public-key').map((a) => ({ a, key: anchorKey(a) }));
      let embeddedFp: string | null = null;
      if (material.rawBytes) {
        try {
          embeddedFp = keyFingerprint(importPublicKeyPem(material.rawBytes.toString('utf8')));
        } catch {
          embeddedFp = null;
        }
      }
      const match = keys.find(({ key }) => (material.hint !== null && omsKeyHint(key) === material.hint) || (embeddedFp !== null && keyFingerprint(key) === embeddedFp));
      if (!match) {
        throw new ApiError('invalid_input', `no key in the trust store matches the key this signature names (${material.hint ?? embeddedFp ?? 'none'}): import the publisher's public key into the trust store, or give the key file`);
      }
      return { trust: { kind: 'key', publicKey: match.key }, against: `trust-store key "${match.a.label}"` };
    }
  }
}

function signerOf(ctx: CoreContext, r: OmsVerification): VerificationRecord['signer'] {
  if (!r.signer) return null;
  const description = r.signer.kind === 'key'
    ? `key ${shortFingerprint(r.signer.fingerprint)} (${r.signer.curve})`
    : `certificate "${r.signer.certificate.subject}" (key ${shortFingerprint(r.signer.fingerprint)})`;
  return { fingerprint: r.signer.fingerprint, description, trustedLabel: anchorLabelByKeyFingerprint(ctx, r.signer.fingerprint) };
}

function capFiles<T extends { path: string; status: string; expected: string | null; actual: string | null; detail?: string | undefined }>(files: readonly T[]): { files: VerificationRecord['files']; filesTruncated: boolean } {
  return {
    files: files.slice(0, MAX_FILES_IN_RECORD).map((f) => ({ path: f.path, status: f.status, expected: f.expected, actual: f.actual, ...(f.detail ? { detail: f.detail } : {}) })),
    filesTruncated: files.length > MAX_FILES_IN_RECORD,
  };
}

function omsOutcome(ctx: CoreContext, r: OmsVerification, members: string[], against: string, extraNotes: string[]): Outcome {
  const evidence = omsEvidence(r, null);
  const sig = evidence.find((e) => e.pointId === 'P11')!;
  const firstProblem = r.problems[0]?.message;
  return {
    kind: 'oms', ok: r.ok,
    summary: `${sig.summary}${!r.ok && firstProblem && !sig.summary.includes(firstProblem) ? ` ${firstProblem}.` : ''} Checked against ${against}.`,
    signer: signerOf(ctx, r),
    counts: { ...r.counts },
    ...capFiles(r.files),
    problems: r.problems, warnings: r.warnings, notes: [...r.notes, ...extraNotes],
    result: r, findings: omsFindings(r, members), evidence,
  };
}

function sumsOutcome(check: SumsCheck, members: string[], sumsName: string): Outcome {
  const counts: Record<string, number> = {};
  for (const f of check.files) counts[f.status] = (counts[f.status] ?? 0) + 1;
  const evidence = sumsEvidence(check, null);
  return {
    kind: 'sha256sums', ok: check.ok, summary: `${evidence[0]!.summary} (list: ${sumsName})`, signer: null, counts,
    ...capFiles(check.files),
    problems: check.problems, warnings: [],
    notes: check.rejectedLines.slice(0, 20).map((l) => `line ${l.line} of the list ignored: ${l.reason}`),
    result: check, findings: sumsFindings(check, members), evidence,
  };
}

function pastedOutcome(check: PastedCheck, name: string): Outcome {
  return {
    kind: 'pasted-digest', ok: check.match, summary: `${name}: ${check.message}`, signer: null,
    counts: { [check.match ? 'ok' : 'mismatch']: 1 },
    files: [{ path: name, status: check.match ? 'ok' : 'mismatch', expected: check.expected, actual: check.actual }], filesTruncated: false,
    problems: check.match ? [] : [{ ruleId: 'trust.digest-mismatch', message: check.message }], warnings: [], notes: [],
    result: check, findings: pastedDigestFindings(check, []), evidence: pastedDigestEvidence(check, null),
  };
}

function recordOf(ctx: CoreContext, o: Outcome, caseId: string | null, subject: { setId: string | null; artifactId: string | null; name: string }): VerificationRecord {
  return {
    id: newId(), caseId, kind: o.kind, setId: subject.setId, artifactId: subject.artifactId, subject: subject.name,
    verifiedAt: ctx.now(), verifiedBy: ctx.actor(), ok: o.ok, summary: o.summary, signer: o.signer, counts: o.counts,
    files: o.files, filesTruncated: o.filesTruncated, problems: o.problems, warnings: o.warnings, notes: o.notes, superseded: false,
  };
}

/** Stores a verification of a case subject: record, evidence, findings and custody event, in one transaction. */
function storeOutcome(ctx: CoreContext, caseId: string, subject: Subject, o: Outcome): VerificationRecord {
  const artifactId = subject.kind === 'artifact' ? subject.artifact.id : null;
  const record = recordOf(ctx, o, caseId, { setId: subject.kind === 'set' ? subject.set.id : null, artifactId, name: subjectDescription(subject) });
  const key = subjectKey(subject);
  ctx.db.transaction(() => {
    const superseded = supersedeVerifications(ctx.db, caseId, key, o.kind);
    deleteVerificationEvidence(ctx.db, caseId, superseded);
    insertVerification(ctx.db, { record, subjectKey: key, result: o.result, findings: o.findings });
    for (const d of o.evidence) {
      const row: Evidence = {
        id: newId(), caseId, pointId: d.pointId, source: 'trust', title: `${d.title}: ${subjectName(subject)}`, summary: d.summary,
        artifactId, data: { verificationId: record.id, ...(d.data as Record<string, unknown>) }, suggestedStatus: d.suggestedStatus, createdAt: ctx.now(),
      };
      insertEvidence(ctx.db, row);
    }
    // Findings of every current verification anchored on the same artifact (or, for folders, the case).
    replaceFindings(ctx, caseId, artifactId, 'trust', currentVerificationFindings(ctx.db, caseId, artifactId));
    recordCustody(ctx, {
      caseId, action: 'verification.recorded', subject: record.id,
      details: {
        kind: o.kind, subject: key, name: subjectName(subject), ok: o.ok, summary: o.summary,
        signer: o.signer?.fingerprint ?? null, counts: o.counts, replaces: superseded,
      },
    });
  }).immediate();
  ctx.events.emit({ type: 'changed', caseId, what: 'verifications' });
  return record;
}

async function readSignature(ctx: CoreContext, ref: SignatureRef): Promise<{ bytes: Buffer; originalPath: string; name: string; blobPath: string | null }> {
  if ('path' in ref) return { bytes: await readSmallFile(ref.path, MAX_SIGNATURE_FILE, 'the signature file'), originalPath: ref.path, name: basename(ref.path), blobPath: null };
  const a = getArtifact(ctx.db, ref.artifactId);
  if (!a) throw new ApiError('not_found', `no artifact with id ${ref.artifactId}`);
  const path = a.blobPath ? `${ctx.dataDir}/${a.blobPath}` : a.originalPath;
  return { bytes: await readSmallFile(path, MAX_SIGNATURE_FILE, 'the signature file'), originalPath: a.originalPath, name: a.displayName, blobPath: a.blobPath };
}

/** Intake recorded each file's SHA-256: a file verified now with other bytes changed since. */
function changedSinceIntake(subject: Subject, r: OmsVerification): string[] {
  if (subject.kind !== 'set') return [];
  const intake = new Map(subject.files.map((f) => [f.relPath ?? f.displayName, f.sha256]));
  return r.files.filter((f) => f.actual !== null && intake.has(f.path) && intake.get(f.path) !== f.actual)
    .slice(0, 20).map((f) => `${f.path} differs from the bytes recorded at intake (${intake.get(f.path)})`);
}

/** Where the signature file lies in the folder being verified (so it is not taken for a model file). */
function signatureInModel(subject: Subject, model: MaterializedModel, ref: SignatureRef, originalPath: string): string | undefined {
  if ('artifactId' in ref && subject.kind === 'set') {
    const member = subject.files.find((f) => f.id === ref.artifactId);
    if (member?.relPath) return model.source === 'imported copy' ? join(model.path, ...member.relPath.split('/')) : member.originalPath;
  }
  return model.mapOriginal(originalPath) ?? undefined;
}

export interface ModelVerifyInput {
  caseId: string;
  target: SubjectRef;
  signature: SignatureRef;
  trust: SignatureTrust;
}

/** Verifies a model signature for a folder or file of a case and stores the result. */
export function verifyModelInCase(ctx: CoreContext, input: ModelVerifyInput, job?: Job): Promise<VerificationRecord> {
  return apiErrors(async () => {
    requireCase(ctx, input.caseId);
    const subject = resolveSubject(ctx, input.caseId, input.target);
    const sig = await readSignature(ctx, input.signature);
    const { trust, against } = await omsTrustFor(ctx, input.trust, sig.bytes);
    const model = await materialize(ctx, subject);
    try {
      const signaturePath = signatureInModel(subject, model, input.signature, sig.originalPath);
      const r = await verifyModelSignature({ modelPath: model.path, signature: sig.bytes, signaturePath, trust }, { signal: job?.signal, onProgress: progressTo(job) });
      const notes = [`verified the ${model.source} of ${subjectName(subject)}`, ...(model.source === 'original files' ? changedSinceIntake(subject, r) : [])];
      return storeOutcome(ctx, input.caseId, subject, omsOutcome(ctx, r, [subjectName(subject)], against, notes));
    } finally {
      await model.cleanup();
    }
  });
}

/** Verifies a model signature for a path outside any case (nothing is stored). */
export function verifyModelAtPath(ctx: CoreContext, input: { modelPath: string; signaturePath: string; trust: SignatureTrust }, job?: Job): Promise<VerificationRecord> {
  return apiErrors(async () => {
    const bytes = await readSmallFile(input.signaturePath, MAX_SIGNATURE_FILE, 'the signature file');
    const { trust, against } = await omsTrustFor(ctx, input.trust, bytes);
    const r = await verifyModelSignature({ modelPath: input.modelPath, signature: bytes, signaturePath: input.signaturePath, trust }, { signal: job?.signal, onProgress: progressTo(job) });
    return recordOf(ctx, omsOutcome(ctx, r, [basename(input.modelPath)], against, []), null, { setId: null, artifactId: null, name: input.modelPath });
  });
}

async function readSums(input: { sumsPath?: string | undefined; sumsText?: string | undefined }): Promise<{ text: string; name: string; path: string | undefined }> {
  if (input.sumsText !== undefined) return { text: input.sumsText, name: 'pasted list', path: undefined };
  if (input.sumsPath === undefined) throw new ApiError('invalid_input', 'give the SHA256SUMS file or paste its lines');
  return { text: (await readSmallFile(input.sumsPath, MAX_SUMS_BYTES, 'the digest list')).toString('utf8'), name: basename(input.sumsPath), path: input.sumsPath };
}

export function checkSumsInCase(ctx: CoreContext, input: { caseId: string; target: SubjectRef; sumsPath?: string | undefined; sumsText?: string | undefined }, job?: Job): Promise<VerificationRecord> {
  return apiErrors(async () => {
    requireCase(ctx, input.caseId);
    const subject = resolveSubject(ctx, input.caseId, input.target);
    const sums = await readSums(input);
    const model = await materialize(ctx, subject);
    try {
      const check = await checkSha256Sums(model.path, sums.text, { sumsPath: sums.path ? model.mapOriginal(sums.path) ?? undefined : undefined, signal: job?.signal, onProgress: progressTo(job) });
      return storeOutcome(ctx, input.caseId, subject, sumsOutcome(check, [subjectName(subject)], sums.name));
    } finally {
      await model.cleanup();
    }
  });
}

export function checkSumsAtPath(ctx: CoreContext, input: { modelPath: string; sumsPath: string }, job?: Job): Promise<VerificationRecord> {
  return apiErrors(async () => {
    const sums = await readSums(input);
    const check = await checkSha256Sums(input.modelPath, sums.text, { sumsPath: input.sumsPath, signal: job?.signal, onProgress: progressTo(job) });
    return recordOf(ctx, sumsOutcome(check, [basename(input.modelPath)], sums.name), null, { setId: null, artifactId: null, name: input.modelPath });
  });
}

/** Compares the SHA-256 recorded at intake for an artifact with a digest the auditor pasted. */
export function checkDigestInCase(ctx: CoreContext, input: { caseId: string; target: { artifactId: string } | { path: string }; digest: string }): VerificationRecord {
  requireCase(ctx, input.caseId);
  const a = resolveFile(ctx, input.caseId, input.target);
  const check = comparePastedDigest(a.sha256, input.digest);
  // A file inside a folder is its own subject here: the digest is about that file.
  return storeOutcome(ctx, input.caseId, { kind: 'artifact', artifact: a }, pastedOutcome(check, a.relPath ?? a.displayName));
}

export function checkDigestAtPath(ctx: CoreContext, input: { path: string; digest: string }, job?: Job): Promise<VerificationRecord> {
  return apiErrors(async () => {
    job?.update({ currentItem: basename(input.path) });
    const st = await stat(input.path).catch(() => null);
    if (!st?.isFile()) throw new ApiError('invalid_input', `${input.path} is not a readable regular file`);
    const check = await checkFileDigest(input.path, input.digest, { signal: job?.signal });
    return recordOf(ctx, pastedOutcome(check, basename(input.path)), null, { setId: null, artifactId: null, name: input.path });
  });
}

export function listCaseVerifications(ctx: CoreContext, caseId: string): VerificationRecord[] {
  requireCase(ctx, caseId);
  return listVerifications(ctx.db, caseId).map((v) => v.record);
}
