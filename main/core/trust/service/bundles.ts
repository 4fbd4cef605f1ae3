// Audit bundles from the store: export a case (signed with the auditor's key, with the report as
// HTML and — where the face can render it — PDF), verify a bundle file against the trust store or
// a key file without extracting anything, and countersign one. Exports and countersignatures are
// events on the workstation custody chain: they do not change the case, so exporting the same
// case state twice gives the same content.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat, writeFile, rename, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ApiError } from '../../../../shared/api/errors.ts';
import type { BundleReport, BundleTrustRef, SigningKeyRef } from '../../../../shared/api/methods/trust-schemas.ts';
import { checklistPoint } from '../../../../shared/checklist/points.ts';
import { getArtifact } from '../../../store/repos/artifacts.ts';
import { getSigningKey, listSigningKeys } from '../../../store/repos/trust.ts';
import type { CoreContext } from '../../context.ts';
import { recordCustody } from '../../custody/log.ts';
import { FileSource } from '../../io/byte-source.ts';
import type { Job } from '../../jobs/registry.ts';
import { countersignBundle } from '../bundle/countersign.ts';
import { caseEvaluation, policyInput } from '../bundle/documents.ts';
import { renderReportHtml } from '../bundle/report-html.ts';
import { exportBundleToFile, type ModelFileToInclude } from '../bundle/export.ts';
import type { CaseSnapshot } from '../bundle/snapshot.ts';
import { verifyBundle, type TrustedKey } from '../bundle/verify.ts';
import { importPublicKeyPem, shortFingerprint } from '../keys.ts';
import { checkDecision } from '../policy/evaluate.ts';
import { parseTrustAnchors } from '../trust-anchor.ts';
import { apiErrors, MAX_PEM_FILE, readSmallFile } from './errors.ts';
import { resolveSigner } from './keys.ts';
import { snapshotCase } from './snapshot.ts';
import { trustedBundleKeys } from './trust-store.ts';

/** Countersigning rewrites the bundle in memory: bundles holding model files beyond this are refused. */
export const MAX_COUNTERSIGN_BYTES = 1024 * 1024 * 1024;

async function fileSha256(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

async function freshOutput(outPath: string): Promise<string> {
  const out = resolve(outPath);
  if (await stat(out).then(() => true, () => false)) throw new ApiError('conflict', `${out} already exists; choose another file name`);
  if (!(await stat(dirname(out)).then((s) => s.isDirectory(), () => false))) throw new ApiError('invalid_input', `the folder ${dirname(out)} does not exist`);
  return out;
}

/** A bundle must verify: refuse to sign a case state whose records contradict each other. */
function checkExportable(s: CaseSnapshot): void {
  const problems: string[] = [];
  for (const e of s.checklist.entries) {
    if (e.status === 'pass' && e.blockingFindings > 0) {
      problems.push(`${e.pointId} (${checklistPoint(e.pointId).title}) is marked pass while ${e.blockingFindings} open high or critical finding(s) are linked to it: review those findings or change the point`);
    }
  }
  if (s.decision && s.policy) {
    const check = checkDecision(s.policy.policy, policyInput(s), s.decision);
    if (!check.allowed) problems.push(`the recorded decision "${s.decision.outcome}" is no longer allowed by the case's current state (${check.problems.join('; ')}): record a new decision`);
  }
  if (problems.length > 0) throw new ApiError('rule_violation', `The bundle was not exported: ${problems.join('. ')}.`);
}

function modelFilesOf(ctx: CoreContext, s: CaseSnapshot): ModelFileToInclude[] {
  const setNames = new Map(s.artifactSets.map((set) => [set.id, set.name]));
  return s.artifacts.filter((a) => a.kind === 'model').map((a) => {
    const record = getArtifact(ctx.db, a.id)!;
    return {
      name: a.setId && a.relPath ? `${setNames.get(a.setId) ?? a.setId}/${a.relPath}` : `${a.id}/${a.displayName}`,
      path: record.blobPath ? resolve(ctx.dataDir, record.blobPath) : record.originalPath,
    };
  });
}

/**
 * A renderer that has already started on the report the export will ask for (the HTML is a pure
 * function of the snapshot); any other HTML is rendered when asked.
 */
function earlyRenderer(snapshot: CaseSnapshot, render: (html: string) => Promise<Uint8Array>): (html: string) => Promise<Uint8Array> {
  const html = renderReportHtml(snapshot, { evaluation: caseEvaluation(snapshot), pdfNote: null });
  const started = render(html);
  started.catch(() => undefined); // observed when the export asks for it
  return (asked) => (asked === html ? started : render(asked));
}

export interface ExportInput {
  caseId: string;
  key: SigningKeyRef;
  outPath: string;
  includeModels: boolean;
}

export interface ExportResult {
  path: string;
  bundleId: string;
  sha256: string;
  size: number;
  files: number;
  signer: { fingerprint: string; description: string };
  signedAt: string;
  pdf: { included: boolean; reason: string | null };
}

export function exportCaseBundle(ctx: CoreContext, input: ExportInput, job?: Job): Promise<ExportResult> {
  return apiErrors(async () => {
    const out = await freshOutput(input.outPath);
    job?.update({ currentItem: 'reading the case' });
    const snapshot = await snapshotCase(ctx, input.caseId);
    checkExportable(snapshot);
    // The PDF takes Chromium a few seconds: start it now, beside unlocking the key and hashing.
    const renderPdf = ctx.capabilities.renderPdf ? earlyRenderer(snapshot, ctx.capabilities.renderPdf) : undefined;
    const { signer, description } = await resolveSigner(ctx, input.key);
    const modelFiles = input.includeModels ? modelFilesOf(ctx, snapshot) : [];
    for (const m of modelFiles) {
      if (!(await stat(m.path).then((st) => st.isFile(), () => false))) throw new ApiError('io_error', `the model file ${m.name} is no longer at ${m.path}; export without model files or restore it`);
    }
    job?.update({ currentItem: ctx.capabilities.renderPdf ? 'rendering the report' : 'writing the bundle' });
    const summary = await exportBundleToFile(snapshot, signer, out, {
      auditor: ctx.actor(),
      ...(renderPdf ? { renderPdf } : { pdfAbsentReason: 'this face of Assay has no PDF renderer (no Chromium found)' }),
      modelFiles,
      signal: job?.signal,
      onProgress: (p) => job?.update({ bytesDone: p.bytesDone, bytesTotal: p.bytesTotal, currentItem: p.stage }),
    });
    const { sha256, size } = await fileSha256(out);
    const result: ExportResult = {
      path: out, bundleId: summary.bundleId, sha256, size, files: summary.files.length,
      signer: { fingerprint: signer.fingerprint, description }, signedAt: summary.signedAt,
      pdf: { included: summary.pdfAbsentReason === null, reason: summary.pdfAbsentReason },
    };
    ctx.db.transaction(() => {
      recordCustody(ctx, {
        caseId: null, action: 'bundle.exported', subject: input.caseId,
        details: {
          caseId: input.caseId, bundleId: summary.bundleId, path: out, sha256, size, signer: signer.fingerprint, key: description,
          custodyHead: snapshot.custody.head, decision: snapshot.decision?.outcome ?? null, pdf: result.pdf.included, modelFiles: modelFiles.length,
        },
      });
    }).immediate();
    ctx.events.emit({ type: 'changed', caseId: null, what: 'bundles' });
    return result;
  });
}

/** Keys a bundle's signatures are checked against, and a description of them for people. */
async function bundleTrust(ctx: CoreContext, ref: BundleTrustRef): Promise<{ keys: TrustedKey[]; against: string }> {
  if (ref.kind === 'key-file') {
    const anchors = parseTrustAnchors((await readSmallFile(ref.path, MAX_PEM_FILE, 'the key file')).toString('utf8'));
    const keys = anchors.filter((a) => a.kind === 'public-key').map((a) => ({ label: `${ref.path} (${shortFingerprint(a.fingerprint)})`, publicKey: importPublicKeyPem(a.pem) }));
    if (keys.length === 0) throw new ApiError('invalid_input', `${ref.path} holds no public key`);
    return { keys, against: `public key file ${ref.path}` };
  }
  // The workstation's trust store, and the auditor's own keys held here.
  const own = listSigningKeys(ctx.db).map((k) => ({ label: `${k.label} (your own key)`, publicKey: importPublicKeyPem(getSigningKey(ctx.db, k.id)!.publicPem) }));
  const keys = [...trustedBundleKeys(ctx), ...own];
  return { keys, against: `the workstation's trust store (${keys.length} key${keys.length === 1 ? '' : 's'}, own keys included)` };
}

export function verifyBundleFile(ctx: CoreContext, input: { path: string; trust: BundleTrustRef }, job?: Job): Promise<BundleReport> {
  return apiErrors(async () => {
    const path = resolve(input.path);
    const { keys, against } = await bundleTrust(ctx, input.trust);
    let source: FileSource;
    try {
      source = await FileSource.open(path);
    } catch (e) {
      throw new ApiError('invalid_input', `${path} cannot be opened as a bundle (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    job?.update({ bytesTotal: source.size, currentItem: 'checking the bundle' });
    let v;
    try {
      v = await verifyBundle(source, { keys });
    } finally {
      await source.close();
    }
    job?.throwIfCancelled();
    const { sha256, size } = await fileSha256(path);
    job?.update({ bytesDone: size });
    return {
      path, size, sha256, trustedAgainst: against, ok: v.ok, failures: v.failures, signatures: v.signatures, files: v.files,
      bundleId: v.bundleId, predicate: v.statement?.predicate ?? null, contents: v.contents,
    };
  });
}

export function countersignBundleFile(ctx: CoreContext, input: { path: string; key: SigningKeyRef; outPath: string; trust: BundleTrustRef }, job?: Job): Promise<{ path: string; sha256: string; size: number; signer: { fingerprint: string; description: string }; report: BundleReport }> {
  return apiErrors(async () => {
    const path = resolve(input.path);
    const out = await freshOutput(input.outPath);
    const bytes = await readSmallFile(path, MAX_COUNTERSIGN_BYTES, 'the bundle');
    const { signer, description } = await resolveSigner(ctx, input.key);
    const { keys } = await bundleTrust(ctx, input.trust);
    job?.update({ currentItem: 'countersigning' });
    const signed = await countersignBundle(bytes, signer, { keys });
    const partial = `${out}.partial`;
    try {
      await writeFile(partial, signed, { flag: 'wx' });
      await rename(partial, out);
    } catch (e) {
      await unlink(partial).catch(() => undefined);
      throw new ApiError('io_error', `${out} could not be written (${(e as Error).message})`);
    }
    const sha256 = createHash('sha256').update(signed).digest('hex');
    const report = await verifyBundleFile(ctx, { path: out, trust: input.trust });
    ctx.db.transaction(() => {
      recordCustody(ctx, {
        caseId: null, action: 'bundle.countersigned', subject: report.predicate?.case.id ?? 'unknown',
        details: { bundleId: report.bundleId, from: path, path: out, sha256, size: signed.length, signer: signer.fingerprint, key: description },
      });
    }).immediate();
    ctx.events.emit({ type: 'changed', caseId: null, what: 'bundles' });
    return { path: out, sha256, size: signed.length, signer: { fingerprint: signer.fingerprint, description }, report };
  });
}
