// The Sigstore bundle (v0.3 JSON) as model signing and Assay's audit bundles use it: verification
// material (a public-key hint, the older raw PEM form, or an X.509 chain) and one DSSE envelope.
import { decodeBase64 } from './encoding.ts';
import { EnvelopeError, parseEnvelope, type DsseEnvelope, type ParsedEnvelope } from './dsse.ts';

export const SIGSTORE_BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
export const MAX_SIGNATURE_FILE = 64 * 1024 * 1024;

export type VerificationMaterial =
  | { kind: 'public-key'; hint: string | null; rawBytes: Buffer | null; keyDetails: string | null }
  | { kind: 'certificate-chain'; certificates: Buffer[] };

export interface ParsedSigstoreBundle {
  mediaType: string;
  material: VerificationMaterial;
  envelope: ParsedEnvelope;
  tlogEntries: number;
}

export class BundleFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BundleFormatError';
  }
}

function obj(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BundleFormatError(`${what} is not an object`);
  return value as Record<string, unknown>;
}

function material(vm: Record<string, unknown>): VerificationMaterial {
  if (vm.publicKey !== undefined) {
    const pk = obj(vm.publicKey, 'verificationMaterial.publicKey');
    const hint = typeof pk.hint === 'string' && pk.hint !== '' ? pk.hint.toLowerCase() : null;
    const rawBytes = typeof pk.rawBytes === 'string' ? decodeBase64(pk.rawBytes, 'publicKey.rawBytes') : null;
    if (!hint && !rawBytes) throw new BundleFormatError('verificationMaterial.publicKey has neither hint nor rawBytes');
    return { kind: 'public-key', hint, rawBytes, keyDetails: typeof pk.keyDetails === 'string' ? pk.keyDetails : null };
  }
  const list: unknown[] = [];
  if (vm.x509CertificateChain !== undefined) {
    const chain = obj(vm.x509CertificateChain, 'verificationMaterial.x509CertificateChain');
    if (!Array.isArray(chain.certificates)) throw new BundleFormatError('x509CertificateChain.certificates is not a list');
    list.push(...chain.certificates);
  } else if (vm.certificate !== undefined) {
    list.push(vm.certificate);
  } else {
    throw new BundleFormatError('verificationMaterial holds no public key and no certificate');
  }
  if (list.length === 0 || list.length > 16) throw new BundleFormatError(`the certificate chain has ${list.length} certificates`);
  const certificates = list.map((c, i) => {
    const raw = obj(c, `certificate ${i}`).rawBytes;
    if (typeof raw !== 'string') throw new BundleFormatError(`certificate ${i} has no rawBytes`);
    return decodeBase64(raw, `certificate ${i}`);
  });
  return { kind: 'certificate-chain', certificates };
}

/** Parses a Sigstore bundle; BundleFormatError names the first thing that is wrong. */
export function parseSigstoreBundle(input: string | Uint8Array): ParsedSigstoreBundle {
  const text = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
  if (text.length > MAX_SIGNATURE_FILE) throw new BundleFormatError('the signature file is too large');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BundleFormatError('the signature file is not JSON');
  }
  const root = obj(json, 'the signature file');
  if (root.mediaType !== SIGSTORE_BUNDLE_MEDIA_TYPE) {
    throw new BundleFormatError(`media type is ${JSON.stringify(root.mediaType ?? null)}, expected ${SIGSTORE_BUNDLE_MEDIA_TYPE}`);
  }
  if (root.messageSignature !== undefined) throw new BundleFormatError('the bundle holds a messageSignature, not a DSSE envelope');
  const vm = obj(root.verificationMaterial, 'verificationMaterial');
  let envelope: ParsedEnvelope;
  try {
    envelope = parseEnvelope(root.dsseEnvelope);
  } catch (e) {
    throw new BundleFormatError(e instanceof EnvelopeError ? e.message : `the DSSE envelope cannot be read (${(e as Error).message})`);
  }
  return {
    mediaType: root.mediaType,
    material: material(vm),
    envelope,
    tlogEntries: Array.isArray(vm.tlogEntries) ? vm.tlogEntries.length : 0,
  };
}

/** A key-mode bundle in the layout model_signing 1.x writes (compact JSON). */
export function keyModeBundle(envelope: DsseEnvelope, hint: string): Record<string, unknown> {
  return {
    mediaType: SIGSTORE_BUNDLE_MEDIA_TYPE,
    verificationMaterial: { publicKey: { hint }, tlogEntries: [] },
    dsseEnvelope: envelope,
  };
}
