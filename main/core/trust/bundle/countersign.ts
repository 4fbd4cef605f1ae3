// Countersigning: a second auditor adds their own signature envelope over the same statement
// bytes. The bundle is rebuilt entry for entry (same names, order and content, so the content
// entries keep their bytes) with the new signature and public key appended.
import { IN_TOTO_PAYLOAD_TYPE, signEnvelope } from '../dsse.ts';
import { publicKeyPem, type Signer } from '../keys.ts';
import { keyModeBundle, parseSigstoreBundle } from '../sigstore-bundle.ts';
import { isSignatureEntry, publicKeyEntryName, signatureEntryName } from './layout.ts';
import { verifyBundle, type BundleFailureClass, type BundleTrust, type BundleVerification } from './verify.ts';
import { readZip } from './zip-read.ts';
import { DeterministicZip } from './zip-write.ts';

export class CountersignError extends Error {
  constructor(message: string, readonly verification: BundleVerification | null) {
    super(message);
    this.name = 'CountersignError';
  }
}

/** Failure classes that do not prevent countersigning: the countersigner may not trust the first signer. */
const TOLERATED: ReadonlySet<BundleFailureClass> = new Set<BundleFailureClass>(['untrusted-signer']);

export async function countersignBundle(bytes: Uint8Array, signer: Signer, trust: BundleTrust = { keys: [] }): Promise<Buffer> {
  const verification = await verifyBundle(bytes, trust);
  const blocking = verification.failures.filter((f) => !TOLERATED.has(f.class));
  if (blocking.length > 0) {
    throw new CountersignError(`the bundle does not verify, so it cannot be countersigned: ${blocking.slice(0, 5).map((f) => `${f.class}: ${f.message}`).join('; ')}`, verification);
  }
  if (verification.signatures.some((s) => s.fingerprint === signer.fingerprint)) {
    throw new CountersignError('this key has already signed the bundle', verification);
  }
  const zip = await readZip(bytes, () => true);
  if (zip.problems.length > 0) throw new CountersignError('the bundle cannot be read back', verification);
  const first = zip.members.find((m) => isSignatureEntry(m.name) && m.name.endsWith('.sigstore.json'));
  if (!first?.bytes) throw new CountersignError('the bundle has no signature to countersign', verification);
  const payload = parseSigstoreBundle(first.bytes).envelope.payload;

  const out = new DeterministicZip();
  for (const m of zip.members) out.addBytes(m.name, m.bytes!);
  const index = zip.members.filter((m) => isSignatureEntry(m.name) && m.name.endsWith('.sigstore.json')).length;
  const envelope = signEnvelope(payload, IN_TOTO_PAYLOAD_TYPE, signer);
  out.addBytes(signatureEntryName(index, signer.fingerprint), Buffer.from(`${JSON.stringify(keyModeBundle(envelope, signer.fingerprint))}\n`, 'utf8'));
  out.addBytes(publicKeyEntryName(index, signer.fingerprint), Buffer.from(publicKeyPem(signer.publicKey), 'utf8'));
  return out.toBuffer();
}
