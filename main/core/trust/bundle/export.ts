// Audit bundle export: the case's content files, optional report PDF and model files, a
// manifest, then the auditor's signature — a DSSE envelope over an in-toto statement whose
// subjects are every file with its SHA-256 — in a deterministic zip. Exporting one case state
// twice gives identical bytes for every entry except the signature (its timestamp and ECDSA's
// random nonce), which comes last.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, stat, unlink } from 'node:fs/promises';
import { Transform, type Writable } from 'node:stream';
import { canonicalJson, stableJson } from '../canonical-json.ts';
import { IN_TOTO_PAYLOAD_TYPE, signEnvelope } from '../dsse.ts';
import { sha256Hex } from '../encoding.ts';
import { publicKeyPem, type Signer } from '../keys.ts';
import { keyModeBundle } from '../sigstore-bundle.ts';
import { stateTime } from './aibom.ts';
import { bundleDocuments } from './documents.ts';
import {
  BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, ENTRY, MODEL_DIR, publicKeyEntryName, safeRelativePath, signatureEntryName,
} from './layout.ts';
import { isPdf, normalizePdfDates, type PdfRenderer } from './pdf.ts';
import type { CaseSnapshot } from './snapshot.ts';
import { buildBundleStatement, type BundlePredicate, type BundleSubject } from './statement.ts';
import { collect, DeterministicZip } from './zip-write.ts';

export interface ModelFileToInclude {
  /** Path inside `models/` in the bundle, `/`-separated. */
  name: string;
  /** The file on disk. */
  path: string;
}

export interface ExportOptions {
  /** Name of the signing auditor (default: the case's auditor). */
  auditor?: string;
  /** Clock for the signature timestamp. */
  now?: () => Date;
  /** Renders the report HTML to PDF; without it the bundle has no PDF. */
  renderPdf?: PdfRenderer;
  /** Why there is no renderer (said in the bundle's manifest and report when `renderPdf` is absent). */
  pdfAbsentReason?: string;
  /** Model files the auditor asked to include (not included by default). */
  modelFiles?: readonly ModelFileToInclude[];
  /** Progress over the bytes written into the zip (records, then model files). */
  onProgress?: (p: { bytesDone: number; bytesTotal: number; stage: string }) => void;
  signal?: AbortSignal;
}

export interface ExportSummary {
  bundleId: string;
  /** The signed statement bytes. */
  statement: Buffer;
  files: { name: string; sha256: string; size: number }[];
  signedAt: string;
  /** Why the PDF report is absent (null when it is in the bundle). */
  pdfAbsentReason: string | null;
}

export interface ManifestContent {
  path: string;
  role: string;
  sha256: string;
  size: number;
}

/** The bundle id: SHA-256 of the canonical JSON of the content list (path, role, sha256, size). */
export function computeBundleId(contents: readonly ManifestContent[]): string {
  return sha256Hex(canonicalJson(contents));
}

function predicateFor(s: CaseSnapshot, bundleId: string, signer: Signer, auditor: string, signedAt: string): BundlePredicate {
  const models: BundlePredicate['models'] = [
    ...s.artifactSets.map((set) => ({ kind: 'set' as const, id: set.id, name: set.name, digest: set.rootDigest })),
    ...s.artifacts.filter((a) => a.setId === null && a.kind === 'model').map((a) => ({ kind: 'artifact' as const, id: a.id, name: a.displayName, digest: a.sha256 })),
  ].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    bundleId,
    format: { name: BUNDLE_FORMAT, version: BUNDLE_FORMAT_VERSION },
    case: { id: s.case.id, name: s.case.name, state: s.case.state },
    auditor: { name: auditor, keyFingerprint: signer.fingerprint },
    tool: { name: s.tool.name, version: s.tool.version },
    models,
    custody: { head: s.custody.head, events: s.custody.events.length },
    vulnerabilityDatabase: s.vulnerabilityDatabase,
    decision: s.decision ? { outcome: s.decision.outcome, decidedBy: s.decision.decidedBy, decidedAt: s.decision.decidedAt, policySha256: s.policy?.sha256 ?? null } : null,
    signedAt,
  };
}

/** Passes bytes through while hashing them, for model files streamed into the zip. */
function hashingStream(onDone: (sha256: string, size: number) => void, onChunk: (n: number) => void): Transform {
  const hash = createHash('sha256');
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      onChunk(chunk.length);
      cb(null, chunk);
    },
    flush(cb) {
      onDone(hash.digest('hex'), size);
      cb();
    },
  });
}

/** Builds the zip and pipes it into `sink`. */
export async function writeBundle(s: CaseSnapshot, signer: Signer, sink: Writable, options: ExportOptions = {}): Promise<ExportSummary> {
  const signal = options.signal;
  signal?.throwIfAborted();
  options.onProgress?.({ bytesDone: 0, bytesTotal: 0, stage: 'report' });
  let pdfReason: string | null = options.renderPdf ? null : (options.pdfAbsentReason ?? 'no PDF renderer is available in this face of Assay');
  let { files, html } = bundleDocuments(s, { pdfNote: pdfReason });
  if (options.renderPdf) {
    let pdf: Uint8Array | null = null;
    try {
      pdf = await options.renderPdf(html);
      if (!isPdf(pdf)) throw new Error('the renderer did not return a PDF');
    } catch (e) {
      pdf = null;
      pdfReason = `the PDF renderer failed (${e instanceof Error ? e.message : String(e)})`;
      ({ files, html } = bundleDocuments(s, { pdfNote: pdfReason }));
    }
    if (pdf) files.push({ name: ENTRY.reportPdf, role: 'report-pdf', bytes: normalizePdfDates(pdf, stateTime(s)) });
  }
  signal?.throwIfAborted();
  const modelSizes = await Promise.all((options.modelFiles ?? []).map(async (m) => (await stat(m.path)).size));
  const bytesTotal = files.reduce((n, f) => n + f.bytes.length, 0) + modelSizes.reduce((a, b) => a + b, 0);
  let bytesDone = 0;
  const advance = (n: number, stage: string) => {
    bytesDone += n;
    options.onProgress?.({ bytesDone, bytesTotal, stage });
  };
  const zip = new DeterministicZip();
  const contents: ManifestContent[] = [];
  const names = new Set<string>();
  const folded = new Map<string, string>();
  for (const f of files) {
    folded.set(f.name.normalize('NFC').toLowerCase(), f.name);
    if (names.has(f.name)) throw new Error(`two bundle files would be named ${f.name}`);
    names.add(f.name);
    zip.addBytes(f.name, f.bytes);
    contents.push({ path: f.name, role: f.role, sha256: sha256Hex(f.bytes), size: f.bytes.length });
    advance(f.bytes.length, 'records');
  }
  for (const m of [...(options.modelFiles ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const name = `${MODEL_DIR}${safeRelativePath(m.name, 'model')}`;
    // Names equal but for case would be one file on many systems; verification refuses such zips.
    const key = name.normalize('NFC').toLowerCase();
    const clash = folded.get(key);
    if (clash !== undefined) throw new Error(`the model files ${clash} and ${name} would collide in the bundle (names differing only by case)`);
    folded.set(key, name);
    names.add(name);
    const entry: ManifestContent = { path: name, role: 'model-file', sha256: '', size: 0 };
    contents.push(entry);
    const size = (await stat(m.path)).size;
    const source = createReadStream(m.path);
    const through = hashingStream((sha256, n) => {
      entry.sha256 = sha256;
      entry.size = n;
    }, (n) => {
      if (signal?.aborted) through.destroy(signal.reason instanceof Error ? signal.reason : new Error('cancelled'));
      else advance(n, name);
    });
    source.on('error', (e) => through.destroy(e));
    zip.addStream(name, source.pipe(through), size);
  }

  let bundleId = '';
  let statement: Buffer = Buffer.alloc(0);
  const signedAt = (options.now?.() ?? new Date()).toISOString();
  // The manifest and the signature are computed once every content entry has been written.
  zip.addLazy(ENTRY.manifest, async () => {
    bundleId = computeBundleId(contents);
    const manifest = {
      format: BUNDLE_FORMAT,
      version: BUNDLE_FORMAT_VERSION,
      bundleId,
      case: { id: s.case.id, name: s.case.name },
      tool: s.tool,
      stateTime: stateTime(s),
      pdf: { included: pdfReason === null, reason: pdfReason },
      contents,
    };
    const bytes = Buffer.from(stableJson(manifest), 'utf8'); // the manifest stays readable
    contents.push({ path: ENTRY.manifest, role: 'manifest', sha256: sha256Hex(bytes), size: bytes.length });
    return bytes;
  });
  const sigName = signatureEntryName(0, signer.fingerprint);
  zip.addLazy(sigName, async () => {
    const subjects: BundleSubject[] = contents.map((c) => ({ name: c.path, sha256: c.sha256 }));
    statement = buildBundleStatement(subjects, predicateFor(s, bundleId, signer, options.auditor ?? s.case.auditor, signedAt));
    const envelope = signEnvelope(statement, IN_TOTO_PAYLOAD_TYPE, signer);
    return Buffer.from(`${JSON.stringify(keyModeBundle(envelope, signer.fingerprint))}\n`, 'utf8');
  });
  zip.addBytes(publicKeyEntryName(0, signer.fingerprint), Buffer.from(publicKeyPem(signer.publicKey), 'utf8'));
  await zip.pipeTo(sink);
  return { bundleId, statement, files: contents.map((c) => ({ name: c.path, sha256: c.sha256, size: c.size })), signedAt, pdfAbsentReason: pdfReason };
}

/** Exports the bundle into memory. */
export async function exportBundle(s: CaseSnapshot, signer: Signer, options: ExportOptions = {}): Promise<ExportSummary & { bytes: Buffer }> {
  let summary: ExportSummary | undefined;
  const bytes = await collect(async (sink) => {
    summary = await writeBundle(s, signer, sink, options);
  });
  return { ...summary!, bytes };
}

/** Exports the bundle to a file (written beside it first, renamed when complete). */
export async function exportBundleToFile(s: CaseSnapshot, signer: Signer, outPath: string, options: ExportOptions = {}): Promise<ExportSummary> {
  const partial = `${outPath}.partial`;
  try {
    const summary = await writeBundle(s, signer, createWriteStream(partial, { flags: 'wx' }), options);
    await rename(partial, outPath);
    return summary;
  } catch (e) {
    await unlink(partial).catch(() => undefined);
    throw e;
  }
}
