// Audit bundle verification: reads the zip from memory without extracting anything, then checks,
// naming the class of every failure: the zip's structure (hostile-zip), the records (malformed),
// the signatures (unsigned, bad-signature, untrusted-signer), that the statement belongs to this
// bundle (foreign-statement), every file against its signed digest (file-modified, -added,
// -removed, -renamed), the custody chain (custody-broken), the checklist against the findings
// (checklist-inconsistent) and the decision against the recorded policy (decision-inconsistent).
import type { KeyObject } from 'node:crypto';
import type { z } from 'zod';
import {
  BUNDLE_FAILURE_CLASSES, BundleFailureSchema, BundleFileSchema, BundleSignatureSchema, type BundleFailureClass,
} from '../../../../shared/api/methods/trust-schemas.ts';
import type { ByteSource } from '../../io/byte-source.ts';
import { caseChain, verifyChain } from '../../custody/chain.ts';
import { IN_TOTO_PAYLOAD_TYPE, verifyEnvelopeSignature } from '../dsse.ts';
import { importPublicKeyPem, keyFingerprint } from '../keys.ts';
import { checkDecision } from '../policy/evaluate.ts';
import { BundleFormatError, parseSigstoreBundle, type ParsedSigstoreBundle } from '../sigstore-bundle.ts';
import { DOCUMENT_ENTRIES, emptyContents, parseDocument, type BundleContents, type BundleDocumentKey } from './contents.ts';
import { computeBundleId } from './export.ts';
import { ENTRY, isSignatureEntry, SIGNATURE_DIR } from './layout.ts';
import { parseBundleStatement, type BundleStatement } from './statement.ts';
import { readZip, type ZipLimits, type ZipMember } from './zip-read.ts';

export { BUNDLE_FAILURE_CLASSES, type BundleFailureClass };

export type BundleFailure = z.infer<typeof BundleFailureSchema>;

export interface TrustedKey {
  label: string;
  publicKey: KeyObject;
}

export interface BundleTrust {
  keys: readonly TrustedKey[];
}

export type BundleSignatureReport = z.infer<typeof BundleSignatureSchema>;

export type BundleFileReport = z.infer<typeof BundleFileSchema>;
export type BundleFileStatus = BundleFileReport['status'];

export interface BundleVerification {
  /** Intact and signed by a trusted key, with no failure of any class. */
  ok: boolean;
  failures: BundleFailure[];
  signatures: BundleSignatureReport[];
  files: BundleFileReport[];
  bundleId: string | null;
  statement: BundleStatement | null;
  /** Parsed records for the read-only bundle view (null where absent or invalid). */
  contents: BundleContents;
}

export interface BundleVerifyOptions {
  limits?: ZipLimits;
}

const fail = (cls: BundleFailureClass, message: string, path?: string): BundleFailure => ({ class: cls, ruleId: `trust.bundle-${cls}`, message, ...(path ? { path } : {}) });

interface SignatureOutcome {
  report: BundleSignatureReport;
  payload: Buffer | null;
  payloadType: string | null;
}

function checkSignature(entry: string, member: ZipMember, members: Map<string, ZipMember>, trust: BundleTrust): SignatureOutcome {
  const base: BundleSignatureReport = { entry, fingerprint: null, valid: false, trusted: false, trustedLabel: null, signedAt: null, message: '' };
  let parsed: ParsedSigstoreBundle;
  try {
    parsed = parseSigstoreBundle(member.bytes ?? Buffer.alloc(0));
  } catch (e) {
    return { report: { ...base, message: e instanceof BundleFormatError ? e.message : (e as Error).message }, payload: null, payloadType: null };
  }
  const hint = parsed.material.kind === 'public-key' ? parsed.material.hint : null;
  if (!hint) return { report: { ...base, message: 'the signature names no signing key (hint)' }, payload: parsed.envelope.payload, payloadType: parsed.envelope.payloadType };
  const env = parsed.envelope;
  // Trusted keys first, the one the hint names before the others (a hint can be edited).
  const trusted = [...trust.keys].sort((a, b) => Number(keyFingerprint(b.publicKey) === hint) - Number(keyFingerprint(a.publicKey) === hint));
  for (const k of trusted) {
    if (verifyEnvelopeSignature(env, k.publicKey).valid) {
      return { report: { ...base, fingerprint: keyFingerprint(k.publicKey), valid: true, trusted: true, trustedLabel: k.label, message: `valid signature by trusted key "${k.label}"` }, payload: env.payload, payloadType: env.payloadType };
    }
  }
  // Not a trusted key: check it with the public key shipped beside it to tell "unknown signer" from "broken".
  const pemEntry = members.get(entry.replace(/\.sigstore\.json$/, '.pub.pem'));
  let embedded: KeyObject | null = null;
  try {
    embedded = pemEntry?.bytes ? importPublicKeyPem(pemEntry.bytes.toString('utf8')) : null;
  } catch {
    embedded = null;
  }
  if (embedded && keyFingerprint(embedded) === hint && verifyEnvelopeSignature(env, embedded).valid) {
    return { report: { ...base, fingerprint: hint, valid: true, message: `valid signature by key ${hint}, which is not trusted` }, payload: env.payload, payloadType: env.payloadType };
  }
  const trustedNamed = trust.keys.some((k) => keyFingerprint(k.publicKey) === hint);
  return {
    report: { ...base, fingerprint: hint, message: trustedNamed ? `the signature does not verify with the trusted key it names (${hint})` : `the signature does not verify (it names key ${hint})` },
    payload: env.payload,
    payloadType: env.payloadType,
  };
}

function compareFiles(statement: BundleStatement, members: readonly ZipMember[], failures: BundleFailure[]): BundleFileReport[] {
  const expected = new Map(statement.subject.map((s) => [s.name, s.digest.sha256]));
  const files: BundleFileReport[] = [];
  const added: ZipMember[] = [];
  for (const m of members) {
    if (isSignatureEntry(m.name)) continue;
    const exp = expected.get(m.name);
    if (exp === undefined) {
      added.push(m);
      continue;
    }
    expected.delete(m.name);
    if (m.sha256 === null) files.push({ path: m.name, status: 'unreadable', expected: exp, actual: null, size: m.size });
    else if (m.sha256 === exp) files.push({ path: m.name, status: 'ok', expected: exp, actual: m.sha256, size: m.size });
    else {
      files.push({ path: m.name, status: 'modified', expected: exp, actual: m.sha256, size: m.size });
      failures.push(fail('file-modified', `${m.name} has SHA-256 ${m.sha256}, the signed statement records ${exp}`, m.name));
    }
  }
  // A removed name whose digest reappears under an added name is a rename.
  const removedByDigest = new Map<string, string[]>();
  for (const [name, digest] of expected) removedByDigest.set(digest, [...(removedByDigest.get(digest) ?? []), name]);
  for (const m of added) {
    const from = m.sha256 ? removedByDigest.get(m.sha256)?.shift() : undefined;
    if (from !== undefined) {
      expected.delete(from);
      files.push({ path: m.name, status: 'renamed', expected: m.sha256, actual: m.sha256, size: m.size, renamedFrom: from });
      failures.push(fail('file-renamed', `${from} was renamed to ${m.name}`, m.name));
    } else {
      files.push({ path: m.name, status: 'added', expected: null, actual: m.sha256, size: m.size });
      failures.push(fail('file-added', `${m.name} is not in the signed statement`, m.name));
    }
  }
  for (const [name, digest] of expected) {
    files.push({ path: name, status: 'removed', expected: digest, actual: null, size: null });
    failures.push(fail('file-removed', `${name} is in the signed statement but not in the bundle`, name));
  }
  return files;
}

function semanticChecks(contents: BundleContents, statement: BundleStatement | null, failures: BundleFailure[]): void {
  const custody = contents.custody;
  if (custody) {
    // The core's own formula (main/core/custody/chain.ts) over the events exactly as stored.
    const chain = verifyChain(custody.events);
    const caseId = contents.case?.id ?? statement?.predicate.case.id ?? null;
    const foreign = caseId === null ? undefined : custody.events.find((e) => e.chain !== caseChain(caseId) || e.caseId !== caseId);
    if (!chain.ok && chain.firstBroken) failures.push(fail('custody-broken', `custody event ${chain.firstBroken.seq}: ${chain.firstBroken.reason}`, ENTRY.custody));
    else if (chain.head !== custody.head) failures.push(fail('custody-broken', `the recorded head ${custody.head} is not the chain's head ${chain.head}`, ENTRY.custody));
    if (foreign) failures.push(fail('custody-broken', `custody event ${foreign.seq} belongs to ${foreign.chain}, not to this case's chain`, ENTRY.custody));
    if (statement && statement.predicate.custody.head !== custody.head) {
      failures.push(fail('custody-broken', `the signature records custody head ${statement.predicate.custody.head}, the bundle's log ends at ${custody.head}`, ENTRY.custody));
    }
  }
  const checklist = contents.checklist;
  const findings = contents.findings?.findings;
  if (checklist && findings) {
    for (const e of checklist.entries) {
      if (e.status !== 'pass') continue;
      const blocking = findings.filter((f) => f.status === 'open' && (f.severity === 'critical' || f.severity === 'high') && f.checklist.includes(e.pointId));
      if (blocking.length > 0) {
        failures.push(fail('checklist-inconsistent', `${e.pointId} is marked pass while ${blocking.length} open ${blocking.some((f) => f.severity === 'critical') ? 'critical' : 'high'} finding(s) are linked to it (${blocking.slice(0, 3).map((f) => f.id).join(', ')})`, ENTRY.checklist));
      }
    }
  }
  const decision = contents.decision;
  if (decision?.decision && decision.policy && checklist && findings) {
    const check = checkDecision(decision.policy.policy, {
      checklist: checklist.entries.map((e) => ({ pointId: e.pointId, status: e.status })),
      findings: findings.map((f) => ({ id: f.id, ruleId: f.ruleId, severity: f.severity, status: f.status, checklist: f.checklist, message: f.message })),
      waivers: decision.waivers,
    }, decision.decision);
    for (const p of check.problems) failures.push(fail('decision-inconsistent', p, ENTRY.decision));
  }
}

/** Verifies an audit bundle held in memory (or behind a ByteSource) against trusted keys. */
export async function verifyBundle(input: Uint8Array | ByteSource, trust: BundleTrust, options: BundleVerifyOptions = {}): Promise<BundleVerification> {
  const failures: BundleFailure[] = [];
  const contents = emptyContents();
  const keep = (name: string) => Object.values(DOCUMENT_ENTRIES).includes(name) || isSignatureEntry(name);
  const zip = await readZip(input, keep, options.limits);
  for (const p of zip.problems) {
    failures.push({ ...fail('hostile-zip', `${p.kind}${p.entry !== null ? ` (${JSON.stringify(p.entry)})` : ''}: ${p.message}`, p.entry ?? undefined), zipProblem: p.kind });
  }
  const result = (statement: BundleStatement | null, signatures: BundleSignatureReport[], files: BundleFileReport[], bundleId: string | null): BundleVerification => ({
    ok: failures.length === 0 && signatures.some((s) => s.valid && s.trusted),
    failures, signatures, files, bundleId, statement, contents,
  });
  if (zip.members.length === 0) return result(null, [], [], null);
  const members = new Map(zip.members.map((m) => [m.name, m]));

  for (const key of Object.keys(DOCUMENT_ENTRIES) as BundleDocumentKey[]) {
    const name = DOCUMENT_ENTRIES[key];
    const m = members.get(name);
    if (!m) {
      failures.push(fail('malformed', `${name} is missing`, name));
      continue;
    }
    if (!m.bytes) continue; // unsafe or unreadable: already reported
    const r = parseDocument(key, m.bytes);
    if (r.ok) (contents as Record<BundleDocumentKey, unknown>)[key] = r.value;
    else failures.push(fail('malformed', r.message, name));
  }
  const manifest = contents.manifest;

  // Signatures.
  const sigEntries = zip.members.filter((m) => isSignatureEntry(m.name) && m.name.endsWith('.sigstore.json'));
  for (const m of zip.members) {
    if (isSignatureEntry(m.name) && !/^signatures\/\d{2}-[0-9a-f]{16}\.(sigstore\.json|pub\.pem)$/.test(m.name)) {
      failures.push(fail('file-added', `${m.name} is not a signature file Assay writes`, m.name));
    }
  }
  if (sigEntries.length === 0) failures.push(fail('unsigned', `the bundle has no signature (no ${SIGNATURE_DIR}*.sigstore.json)`));
  const outcomes = sigEntries.map((m) => checkSignature(m.name, m, members, trust));
  for (const o of outcomes) {
    if (!o.report.valid) failures.push(fail('bad-signature', `${o.report.entry}: ${o.report.message}`, o.report.entry));
    else if (o.payloadType !== IN_TOTO_PAYLOAD_TYPE) failures.push(fail('malformed', `${o.report.entry}: payload type ${o.payloadType}`, o.report.entry));
  }
  const valid = outcomes.filter((o) => o.report.valid && o.payload);
  if (valid.length > 0 && !valid.some((o) => o.report.trusted)) {
    failures.push(fail('untrusted-signer', `no signature is by a trusted key (signed by ${[...new Set(valid.map((o) => o.report.fingerprint))].join(', ')})`));
  }

  // The statement: from a valid signature (trusted first); all valid signatures must sign the same bytes.
  const primary = valid.find((o) => o.report.trusted) ?? valid[0] ?? outcomes.find((o) => o.payload);
  for (const o of valid) {
    if (primary?.payload && o.payload && !o.payload.equals(primary.payload)) {
      failures.push(fail('foreign-statement', `${o.report.entry} signs a different statement than ${primary.report.entry}`, o.report.entry));
    }
  }
  let statement: BundleStatement | null = null;
  if (primary?.payload) {
    const parsed = parseBundleStatement(primary.payload);
    if (parsed.ok) statement = parsed.statement;
    else failures.push(fail('malformed', `${primary.report.entry}: ${parsed.message}`, primary.report.entry));
  }
  for (const o of outcomes) {
    if (statement && o.report.valid) o.report.signedAt = o === primary ? statement.predicate.signedAt : null;
  }

  let files: BundleFileReport[] = [];
  let bundleId: string | null = manifest?.bundleId ?? null;
  if (statement) {
    const foreign = manifest && (statement.predicate.bundleId !== manifest.bundleId || statement.predicate.case.id !== manifest.case.id);
    if (foreign) {
      failures.push(fail('foreign-statement', `the signature is for bundle ${statement.predicate.bundleId} of case ${statement.predicate.case.id}, this is bundle ${manifest.bundleId} of case ${manifest.case.id}`));
    }
    const fileFailures: BundleFailure[] = [];
    files = compareFiles(statement, zip.members, fileFailures);
    // A statement from another bundle makes every file differ; report the cause, not the symptoms.
    if (!foreign) failures.push(...fileFailures);
    bundleId = statement.predicate.bundleId;
    if (manifest && !foreign) {
      const recomputed = computeBundleId(manifest.contents.filter((c) => c.path !== ENTRY.manifest));
      if (recomputed !== manifest.bundleId) failures.push(fail('file-modified', `the manifest's content list does not give its bundle id (${recomputed})`, ENTRY.manifest));
    }
    const caseDoc = contents.case;
    if (!foreign && caseDoc && caseDoc.id !== statement.predicate.case.id) {
      failures.push(fail('foreign-statement', `the case record is case ${caseDoc.id}, the signature is for case ${statement.predicate.case.id}`, ENTRY.case));
    }
  }
  semanticChecks(contents, statement, failures);
  return result(statement, outcomes.map((o) => o.report), files, bundleId);
}
