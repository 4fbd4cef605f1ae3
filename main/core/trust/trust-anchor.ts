// What the auditor imports into the trust store: publishers' and fellow auditors' public keys,
// and certificate roots. Parsed and described here (fingerprint, curve, subject, validity) so the
// store records exactly what was checked; the store itself keeps label, added-by and date.
import { createHash, X509Certificate } from 'node:crypto';
import { curveOf, importPublicKeyPem, KeyError, keyFingerprint, publicKeyPem, type Curve } from './keys.ts';

export type TrustAnchor =
  | { kind: 'public-key'; fingerprint: string; curve: Curve; pem: string }
  | {
    kind: 'certificate';
    /** Hex SHA-256 of the certificate DER. */
    fingerprint: string;
    /** Assay fingerprint of the certificate's public key. */
    keyFingerprint: string;
    subject: string;
    issuer: string;
    notBefore: string;
    notAfter: string;
    isCa: boolean;
    selfSigned: boolean;
    pem: string;
  };

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

/** Every public key and certificate in a PEM text; private keys are refused (they are not trust anchors). */
export function parseTrustAnchors(pemText: string): TrustAnchor[] {
  if (pemText.length > 4 * 1024 * 1024) throw new KeyError('malformed', 'the file is too large to hold keys or certificates');
  const out: TrustAnchor[] = [];
  for (const m of pemText.matchAll(BLOCK)) {
    const [block, type] = m;
    if (type === 'CERTIFICATE') {
      let cert: X509Certificate;
      try {
        cert = new X509Certificate(block);
      } catch (e) {
        throw new KeyError('malformed', `a certificate cannot be read (${(e as Error).message})`);
      }
      let keyFp = '';
      try {
        curveOf(cert.publicKey);
        keyFp = keyFingerprint(cert.publicKey);
      } catch {
        // RSA roots are acceptable anchors: they sign intermediates, not models.
        keyFp = createHash('sha256').update(cert.publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
      }
      out.push({
        kind: 'certificate',
        fingerprint: createHash('sha256').update(cert.raw).digest('hex'),
        keyFingerprint: keyFp,
        subject: cert.subject.replace(/\n/g, ', '),
        issuer: cert.issuer.replace(/\n/g, ', '),
        notBefore: new Date(cert.validFrom).toISOString(),
        notAfter: new Date(cert.validTo).toISOString(),
        isCa: cert.ca,
        selfSigned: cert.issuer === cert.subject && cert.verify(cert.publicKey),
        pem: cert.toString(),
      });
    } else if (type === 'PUBLIC KEY') {
      const key = importPublicKeyPem(block);
      out.push({ kind: 'public-key', fingerprint: keyFingerprint(key), curve: curveOf(key), pem: publicKeyPem(key) });
    } else if (/PRIVATE KEY$/.test(type!)) {
      throw new KeyError('not-a-key', 'this is a private key: import the public key (or certificate) into the trust store');
    }
  }
  if (out.length === 0) throw new KeyError('not-a-key', 'no public key or certificate found');
  return out;
}
