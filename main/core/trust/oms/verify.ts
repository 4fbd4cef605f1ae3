// Verifies an OpenSSF Model Signing signature (key or certificate mode) against a model on disk
// and reports precisely: whether the signature is valid, who signed, and for every file whether
// it is verified, modified, missing or extra. Order: media type → signature over the PAE →
// payload type → statement and predicate → root digest → re-hash of the local model.
import { X509Certificate, type KeyObject } from 'node:crypto';
import { IN_TOTO_PAYLOAD_TYPE, verifyEnvelopeSignature, type SignatureForm } from '../dsse.ts';
import { curveOf, importPublicKeyPem, keyFingerprint, omsKeyHint, type Curve } from '../keys.ts';
import { BundleFormatError, parseSigstoreBundle, type ParsedSigstoreBundle } from '../sigstore-bundle.ts';
import { certificateIdentity, verifyCertificateChain, type CertificateIdentity, type ChainCheck } from '../x509-chain.ts';
import { FileChangedError, hashRanges, parseShardName, shardName, shardRanges, type Range } from './hash-ranges.ts';
import { comparePaths, ModelWalkError, walkModel, type ModelEntry, type ModelTree } from './model-walk.ts';
import type { ProgressCallback } from './progress.ts';
import { parseOmsStatement, StatementError, type OmsStatement } from './statement.ts';

export type OmsTrust =
  | { kind: 'key'; publicKey: KeyObject }
  | { kind: 'certificate'; roots: readonly X509Certificate[]; /** Validity instant; default: the signing certificate's notBefore. */ at?: Date };

export const FILE_STATUSES = ['verified', 'modified', 'missing', 'extra', 'symlink', 'unreadable', 'not-covered'] as const;
export type FileStatus = (typeof FILE_STATUSES)[number];

export interface FileCheck {
  path: string;
  status: FileStatus;
  size: number | null;
  /** Signed digest (files method) — null for shards, missing resources or extra files. */
  expected: string | null;
  /** Digest of the local file (files method) when it was hashed. */
  actual: string | null;
  /** Shards method: shards signed for this file, and how many of them match. */
  shards?: { signed: number; matching: number };
  detail?: string;
}

/** A reason the verification fails (problems) or a remark that does not fail it (warnings). */
export interface OmsIssue {
  ruleId: string;
  message: string;
  path?: string;
}

export type OmsSigner =
  | { kind: 'key'; fingerprint: string; curve: Curve; hint: string | null; hintMatches: boolean | null }
  | { kind: 'certificate'; fingerprint: string; curve: Curve; certificate: CertificateIdentity; chain: ChainCheck };

export interface OmsStatementSummary {
  predicateType: string;
  compat: boolean;
  subjectName: string;
  rootDigest: string | null;
  method: 'files' | 'shards';
  hashType: string;
  shardSize: number | null;
  allowSymlinks: boolean;
  ignorePaths: string[];
  resourceCount: number;
}

export interface OmsVerification {
  /** True only when the signature is valid and trusted and every file verifies. */
  ok: boolean;
  signatureValid: boolean;
  /** `dsse-v1`, or the v0.2 compatibility form that matched. */
  signatureForm: SignatureForm | null;
  mode: 'key' | 'certificate' | null;
  signer: OmsSigner | null;
  statement: OmsStatementSummary | null;
  files: FileCheck[];
  counts: Record<FileStatus, number>;
  problems: OmsIssue[];
  warnings: OmsIssue[];
  notes: string[];
  bytesHashed: number;
  durationMs: number;
}

export interface OmsVerifyInput {
  modelPath: string;
  /** The signature file's content (Sigstore bundle JSON). */
  signature: string | Uint8Array;
  /** Where the signature file lives: excluded from the model when it lies inside it. */
  signaturePath?: string;
  trust: OmsTrust;
}

export interface OmsVerifyOptions {
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
  /** Accept the v0.2 library's malformed PAE and `Digests/v0.1` statements (default true). */
  allowLegacy?: boolean;
  maxFiles?: number;
  now?: Date;
}

function emptyCounts(): Record<FileStatus, number> {
  return Object.fromEntries(FILE_STATUSES.map((s) => [s, 0])) as Record<FileStatus, number>;
}

class Report {
  readonly started = Date.now();
  readonly problems: OmsIssue[] = [];
  readonly warnings: OmsIssue[] = [];
  readonly notes: string[] = [];
  files: FileCheck[] = [];
  signatureValid = false;
  signatureForm: SignatureForm | null = null;
  mode: 'key' | 'certificate' | null = null;
  signer: OmsSigner | null = null;
  statement: OmsStatementSummary | null = null;
  bytesHashed = 0;

  finish(): OmsVerification {
    const counts = emptyCounts();
    for (const f of this.files) counts[f.status]++;
    return {
      ok: this.signatureValid && this.problems.length === 0,
      signatureValid: this.signatureValid,
      signatureForm: this.signatureForm,
      mode: this.mode,
      signer: this.signer,
      statement: this.statement,
      files: this.files,
      counts,
      problems: this.problems,
      warnings: this.warnings,
      notes: this.notes,
      bytesHashed: this.bytesHashed,
      durationMs: Date.now() - this.started,
    };
  }
}

/** The verification key: the supplied key, or the chain-checked signing certificate's key. */
function resolveKey(bundle: ParsedSigstoreBundle, trust: OmsTrust, report: Report, now: Date): KeyObject | null {
  const m = bundle.material;
  if (trust.kind === 'key') {
    report.mode = 'key';
    const key = trust.publicKey;
    const curve = curveOf(key);
    const fingerprint = keyFingerprint(key);
    let hint: string | null = null;
    let hintMatches: boolean | null = null;
    if (m.kind === 'public-key') {
      if (m.hint) {
        hint = m.hint;
        hintMatches = m.hint === omsKeyHint(key);
        if (!hintMatches) {
          report.problems.push({ ruleId: 'trust.key-hint-mismatch', message: `the signature names key ${m.hint}, the supplied key's hint is ${omsKeyHint(key)}` });
        }
      } else if (m.rawBytes) {
        report.warnings.push({ ruleId: 'trust.legacy-signature', message: 'the signature embeds the signer\'s key (pre-1.0 verification material) instead of a key hint' });
        let embedded: KeyObject | null = null;
        try {
          embedded = importPublicKeyPem(m.rawBytes.toString('utf8'));
        } catch {
          report.notes.push('the embedded public key could not be read');
        }
        hintMatches = embedded ? keyFingerprint(embedded) === fingerprint : null;
        if (hintMatches === false) {
          report.problems.push({ ruleId: 'trust.key-hint-mismatch', message: 'the public key embedded in the signature is not the supplied key' });
        }
      }
    } else {
      report.notes.push('the signature is in certificate mode; it was checked with the supplied key and its certificate chain was not evaluated');
    }
    report.signer = { kind: 'key', fingerprint, curve, hint, hintMatches };
    return key;
  }
  report.mode = 'certificate';
  if (m.kind !== 'certificate-chain') {
    report.problems.push({ ruleId: 'trust.certificate-untrusted', message: 'the signature was made in key mode and carries no certificate: verify it with the publisher\'s public key' });
    return null;
  }
  let leafCert: X509Certificate;
  let key: KeyObject;
  try {
    leafCert = new X509Certificate(m.certificates[0]!);
    key = leafCert.publicKey;
    curveOf(key);
  } catch (e) {
    report.problems.push({ ruleId: 'trust.certificate-untrusted', message: `the signing certificate cannot be used (${(e as Error).message})` });
    return null;
  }
  const chain = verifyCertificateChain(m.certificates, trust.roots, { at: trust.at, now });
  for (const p of chain.problems) report.problems.push({ ruleId: 'trust.certificate-untrusted', message: p });
  if (chain.leafExpiredNow) report.notes.push(`the signing certificate has expired since; validity was checked at ${chain.checkedAt ?? 'signing time'}`);
  report.signer = { kind: 'certificate', fingerprint: keyFingerprint(key), curve: curveOf(key), certificate: certificateIdentity(leafCert), chain };
  return key;
}

function summarise(st: OmsStatement): OmsStatementSummary {
  return {
    predicateType: st.predicateType,
    compat: st.compat,
    subjectName: st.subjectName,
    rootDigest: st.rootDigest,
    method: st.serialization.method,
    hashType: st.serialization.hashType,
    shardSize: st.serialization.shardSize,
    allowSymlinks: st.serialization.allowSymlinks,
    ignorePaths: st.serialization.ignorePaths,
    resourceCount: st.resources.length,
  };
}

/** What the statement expects per local path: one digest, or the shards of the file. */
interface Expected {
  digest?: string;
  shards?: Map<string, string>; // "start:end" → digest
}

function expectedByPath(st: OmsStatement, tree: ModelTree): Map<string, Expected> {
  const out = new Map<string, Expected>();
  const single = tree.singleFile ? tree.entries[0]?.relPath : undefined;
  // Single-file models name their one resource `.` (older libraries) or by the file name; a file
  // renamed since signing is still the signed model, so one signed path maps to the one file.
  const paths = new Set(st.resources.map((r) => (st.serialization.method === 'files' ? r.name : parseShardName(r.name)?.path ?? r.name)));
  const onlyPath = paths.size === 1 ? [...paths][0] : undefined;
  const local = (p: string) => (single !== undefined && (p === '.' || p === '' || p === onlyPath) ? single : p);
  for (const r of st.resources) {
    if (st.serialization.method === 'files') {
      out.set(local(r.name), { digest: r.digest });
      continue;
    }
    const s = parseShardName(r.name);
    if (!s) throw new StatementError('trust.signature-malformed', `shard resource ${JSON.stringify(r.name)} is not path:start:end`);
    const path = local(s.path);
    const e = out.get(path) ?? { shards: new Map<string, string>() };
    e.shards!.set(`${s.start}:${s.end}`, r.digest);
    out.set(path, e);
  }
  return out;
}

async function compareFiles(st: OmsStatement, tree: ModelTree, report: Report, options: OmsVerifyOptions): Promise<void> {
  const expected = expectedByPath(st, tree);
  const { method, hashType, allowSymlinks } = st.serialization;
  const shardSize = st.serialization.shardSize ?? 0;
  const hashable = (e: ModelEntry) => e.kind === 'file' || (e.kind === 'symlink' && allowSymlinks && e.followable === true);
  const toHash = tree.entries.filter(hashable);
  const bytesTotal = toHash.reduce((n, e) => n + e.size, 0);
  let bytesBefore = 0;
  let filesDone = 0;
  const files: FileCheck[] = [];
  for (const e of tree.entries) {
    const exp = expected.get(e.relPath);
    expected.delete(e.relPath);
    if (!hashable(e)) {
      if (e.kind === 'symlink' && !allowSymlinks) {
        files.push({ path: e.relPath, status: 'symlink', size: null, expected: exp?.digest ?? null, actual: null, detail: 'symbolic link; the signature does not allow links' });
        report.problems.push({ ruleId: 'trust.symlink-in-signed-model', message: `${e.relPath} is a symbolic link`, path: e.relPath });
      } else if (e.kind === 'symlink') {
        files.push({ path: e.relPath, status: exp ? 'unreadable' : 'not-covered', size: null, expected: exp?.digest ?? null, actual: null, detail: 'link to something other than a regular file; not followed' });
        if (exp) report.problems.push({ ruleId: 'trust.file-modified', message: `${e.relPath} is signed but is now a link to something other than a file`, path: e.relPath });
      } else {
        files.push({ path: e.relPath, status: 'unreadable', size: null, expected: exp?.digest ?? null, actual: null, detail: 'special file (pipe, socket or device)' });
        report.problems.push({ ruleId: exp ? 'trust.file-modified' : 'trust.file-unsigned', message: `${e.relPath} is a special file, not a regular file`, path: e.relPath });
      }
      continue;
    }
    if (e.kind === 'symlink' && e.outside) report.notes.push(`${e.relPath} links to a file outside the model`);
    if (!exp && method === 'shards' && e.size === 0) {
      files.push({ path: e.relPath, status: 'not-covered', size: 0, expected: null, actual: null, detail: 'empty file: the shards method records no resource for it' });
      filesDone++;
      continue;
    }
    const ranges: Range[] = method === 'files' ? [{ start: 0, end: e.size }] : shardRanges(e.size, shardSize);
    options.onProgress?.({ bytesDone: bytesBefore, bytesTotal, filesDone, filesTotal: toHash.length, currentFile: e.relPath });
    let digests: string[];
    try {
      digests = await hashRanges(e.absPath, ranges, hashType, {
        signal: options.signal,
        followLink: e.kind === 'symlink',
        onBytes: (n) => options.onProgress?.({ bytesDone: bytesBefore + n, bytesTotal, filesDone, filesTotal: toHash.length, currentFile: e.relPath }),
      });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      const why = err instanceof FileChangedError ? err.message : `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
      files.push({ path: e.relPath, status: 'unreadable', size: e.size, expected: exp?.digest ?? null, actual: null, detail: why });
      report.problems.push({ ruleId: exp ? 'trust.file-modified' : 'trust.file-unsigned', message: `${e.relPath} ${why}`, path: e.relPath });
      continue;
    }
    bytesBefore += e.size;
    report.bytesHashed += e.size;
    filesDone++;
    if (method === 'files') {
      const actual = digests[0]!;
      if (!exp) {
        files.push({ path: e.relPath, status: 'extra', size: e.size, expected: null, actual });
        report.problems.push({ ruleId: 'trust.file-unsigned', message: `${e.relPath} is not covered by the signature`, path: e.relPath });
      } else if (exp.digest === actual) {
        files.push({ path: e.relPath, status: 'verified', size: e.size, expected: exp.digest, actual });
      } else {
        files.push({ path: e.relPath, status: 'modified', size: e.size, expected: exp.digest ?? null, actual });
        report.problems.push({ ruleId: 'trust.file-modified', message: `${e.relPath} has digest ${actual}, the signature records ${exp.digest}`, path: e.relPath });
      }
      continue;
    }
    const signed = exp?.shards ?? new Map<string, string>();
    let matching = 0;
    ranges.forEach((r, i) => {
      if (signed.get(`${r.start}:${r.end}`) === digests[i]) matching++;
    });
    const shards = { signed: signed.size, matching };
    if (!exp) {
      files.push({ path: e.relPath, status: 'extra', size: e.size, expected: null, actual: null, shards });
      report.problems.push({ ruleId: 'trust.file-unsigned', message: `${e.relPath} is not covered by the signature`, path: e.relPath });
    } else if (matching === ranges.length && signed.size === ranges.length) {
      files.push({ path: e.relPath, status: 'verified', size: e.size, expected: null, actual: null, shards });
    } else {
      const detail = signed.size !== ranges.length
        ? `the file now has ${ranges.length} shards of ${shardSize} bytes, the signature records ${signed.size}`
        : `${ranges.length - matching} of ${ranges.length} shards differ (first at ${shardName(e.relPath, ranges.find((r, i) => signed.get(`${r.start}:${r.end}`) !== digests[i])!)})`;
      files.push({ path: e.relPath, status: 'modified', size: e.size, expected: null, actual: null, shards, detail });
      report.problems.push({ ruleId: 'trust.file-modified', message: `${e.relPath}: ${detail}`, path: e.relPath });
    }
  }
  for (const [path, exp] of expected) {
    files.push({ path, status: 'missing', size: null, expected: exp.digest ?? null, actual: null, ...(exp.shards ? { shards: { signed: exp.shards.size, matching: 0 } } : {}) });
    report.problems.push({ ruleId: 'trust.file-missing', message: `${path} is signed but missing`, path });
  }
  files.sort((a, b) => comparePaths(a.path, b.path));
  report.files = files;
  options.onProgress?.({ bytesDone: bytesBefore, bytesTotal, filesDone, filesTotal: toHash.length, currentFile: null });
}

/** Verifies a model-signing signature against the model at `input.modelPath`. Never throws for bad input; AbortSignal aborts with its reason. */
export async function verifyModelSignature(input: OmsVerifyInput, options: OmsVerifyOptions = {}): Promise<OmsVerification> {
  const report = new Report();
  const allowLegacy = options.allowLegacy ?? true;
  let bundle: ParsedSigstoreBundle;
  try {
    bundle = parseSigstoreBundle(input.signature);
  } catch (e) {
    report.problems.push({ ruleId: 'trust.signature-malformed', message: e instanceof BundleFormatError ? e.message : `the signature file cannot be read (${(e as Error).message})` });
    return report.finish();
  }
  if (bundle.tlogEntries > 0) report.notes.push(`the bundle carries ${bundle.tlogEntries} transparency-log entries; they were not checked (offline verification)`);
  let key: KeyObject | null;
  try {
    key = resolveKey(bundle, input.trust, report, options.now ?? new Date());
  } catch (e) {
    report.problems.push({ ruleId: 'trust.signature-invalid', message: `the verification key cannot be used (${(e as Error).message})` });
    return report.finish();
  }
  if (!key) return report.finish();

  const check = verifyEnvelopeSignature(bundle.envelope, key, { legacy: allowLegacy });
  if (!check.valid) {
    report.problems.push({ ruleId: 'trust.signature-invalid', message: report.mode === 'certificate' ? 'the signature does not verify with the signing certificate\'s key' : 'the signature does not verify with the supplied key' });
    return report.finish();
  }
  report.signatureValid = true;
  report.signatureForm = check.form;
  if (check.form !== 'dsse-v1') {
    report.warnings.push({ ruleId: 'trust.legacy-signature', message: `the signature verified only over the v0.2 library's malformed pre-authentication encoding (${check.form})` });
  }
  if (bundle.envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    report.problems.push({ ruleId: 'trust.signature-malformed', message: `payload type is ${bundle.envelope.payloadType}, expected ${IN_TOTO_PAYLOAD_TYPE}` });
    return report.finish();
  }
  let statement: OmsStatement;
  try {
    statement = parseOmsStatement(bundle.envelope.payload);
  } catch (e) {
    report.problems.push(e instanceof StatementError ? { ruleId: e.ruleId, message: e.message } : { ruleId: 'trust.signature-malformed', message: (e as Error).message });
    return report.finish();
  }
  report.statement = summarise(statement);
  if (statement.compat) {
    if (!allowLegacy) {
      report.problems.push({ ruleId: 'trust.signature-malformed', message: 'the statement uses the v0.2 Digests/v0.1 predicate, which legacy support would be needed for' });
      return report.finish();
    }
    report.warnings.push({ ruleId: 'trust.legacy-signature', message: 'the statement uses the v0.2 `Digests/v0.1` predicate: one digest per file, no summary digest, no ignore list' });
  }

  let tree: ModelTree;
  try {
    tree = await walkModel(input.modelPath, {
      ignorePaths: statement.serialization.ignorePaths,
      signaturePath: input.signaturePath,
      allowSymlinks: statement.serialization.allowSymlinks,
      maxFiles: options.maxFiles,
      signal: options.signal,
    });
  } catch (e) {
    if (options.signal?.aborted) throw e;
    report.problems.push({ ruleId: 'trust.file-missing', message: e instanceof ModelWalkError ? e.message : `the model cannot be listed (${(e as Error).message})` });
    return report.finish();
  }
  report.notes.push(...tree.notes);
  if (tree.ignored.length > 0) report.notes.push(`${tree.ignored.length} path(s) excluded by the signature's ignore list and the default exclusions`);
  try {
    await compareFiles(statement, tree, report, options);
  } catch (e) {
    if (options.signal?.aborted) throw e;
    report.problems.push(e instanceof StatementError ? { ruleId: e.ruleId, message: e.message } : { ruleId: 'trust.signature-malformed', message: (e as Error).message });
  }
  return report.finish();
}
