// Certificate-mode trust: walks from the signing certificate through the bundle's intermediates
// to one of the roots the auditor supplied (node:crypto has no path builder), then checks
// validity, CA constraints and key usage along the path.
import { X509Certificate, type KeyObject } from 'node:crypto';
import {
  certificateExtensions, OID, parseBasicConstraints, parseExtKeyUsage, parseKeyUsage,
  type BasicConstraints, type KeyUsage,
} from './der.ts';
import { curveOf, KeyError } from './keys.ts';

export const MAX_CHAIN_DEPTH = 8;

const UNDERSTOOD_EXTENSIONS = new Set<string>([
  OID.keyUsage, OID.basicConstraints, OID.extKeyUsage, OID.subjectAltName, OID.subjectKeyId,
  OID.authorityKeyId, OID.certificatePolicies,
]);

export interface CertificateIdentity {
  subject: string;
  issuer: string;
  serialNumber: string;
  /** Hex SHA-256 of the certificate DER, lower case. */
  fingerprint: string;
  subjectAltName: string | null;
  notBefore: string;
  notAfter: string;
}

export interface ChainCheck {
  ok: boolean;
  /** Why the chain is not trusted; empty when ok. */
  problems: string[];
  /** Leaf first, the trusted root last (when one was reached). */
  path: CertificateIdentity[];
  root: CertificateIdentity | null;
  /** The moment validity was checked at (the signing certificate's notBefore unless given); null when the chain could not be built. */
  checkedAt: string | null;
  /** The signing certificate has expired since (informational: it was valid when used). */
  leafExpiredNow: boolean;
  leafPublicKey: KeyObject | null;
}

interface Parsed {
  cert: X509Certificate;
  keyUsage: KeyUsage | null;
  extKeyUsage: string[] | null;
  basic: BasicConstraints | null;
  unknownCritical: string[];
}

function parse(cert: X509Certificate): Parsed {
  let keyUsage: KeyUsage | null = null;
  let extKeyUsage: string[] | null = null;
  let basic: BasicConstraints | null = null;
  const unknownCritical: string[] = [];
  for (const ext of certificateExtensions(cert.raw)) {
    if (ext.oid === OID.keyUsage) keyUsage = parseKeyUsage(ext.value);
    else if (ext.oid === OID.extKeyUsage) extKeyUsage = parseExtKeyUsage(ext.value);
    else if (ext.oid === OID.basicConstraints) basic = parseBasicConstraints(ext.value);
    else if (ext.critical && !UNDERSTOOD_EXTENSIONS.has(ext.oid)) unknownCritical.push(ext.oid);
  }
  return { cert, keyUsage, extKeyUsage, basic, unknownCritical };
}

export function certificateIdentity(cert: X509Certificate): CertificateIdentity {
  return {
    subject: cert.subject.replace(/\n/g, ', '),
    issuer: cert.issuer.replace(/\n/g, ', '),
    serialNumber: cert.serialNumber.toLowerCase(),
    fingerprint: cert.fingerprint256.replace(/:/g, '').toLowerCase(),
    subjectAltName: cert.subjectAltName ?? null,
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
  };
}

/**
 * The issuer's key signed the child and the names link them. (Not checkIssued alone: OpenSSL's
 * check also refuses issuers without keyCertSign, which would hide the precise reason below.)
 */
function issuedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return (child.issuer === issuer.subject || child.checkIssued(issuer)) && child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function label(cert: X509Certificate): string {
  return cert.subject.replace(/\n/g, ', ') || cert.fingerprint256;
}

/** Parses PEM text holding one or more certificates. */
export function parseCertificatesPem(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length > 1000) throw new Error('too many certificates');
  return blocks.map((b) => new X509Certificate(b));
}

export function verifyCertificateChain(
  chainDer: readonly Uint8Array[],
  roots: readonly X509Certificate[],
  options: { at?: Date; now?: Date; maxDepth?: number } = {},
): ChainCheck {
  const problems: string[] = [];
  const fail = (why: string, path: CertificateIdentity[] = []): ChainCheck => ({
    ok: false, problems: [...problems, why], path, root: null, checkedAt: options.at?.toISOString() ?? null,
    leafExpiredNow: false, leafPublicKey: null,
  });
  if (chainDer.length === 0) return fail('the signature carries no certificate');
  if (chainDer.length > MAX_CHAIN_DEPTH) return fail(`the chain has ${chainDer.length} certificates; at most ${MAX_CHAIN_DEPTH} are accepted`);
  if (roots.length === 0) return fail('no trusted root certificate was supplied');
  let certs: X509Certificate[];
  try {
    certs = chainDer.map((d) => new X509Certificate(Buffer.from(d)));
  } catch (e) {
    return fail(`a certificate of the chain cannot be parsed (${(e as Error).message})`);
  }
  const leaf = certs[0]!;
  const at = options.at ?? new Date(leaf.validFrom);
  const maxDepth = options.maxDepth ?? MAX_CHAIN_DEPTH;

  // Path building: prefer a root as issuer; otherwise an unused intermediate.
  const path: X509Certificate[] = [leaf];
  const unused = new Set(certs.slice(1));
  let root: X509Certificate | null = roots.find((r) => r.fingerprint256 === leaf.fingerprint256) ?? null;
  let current = leaf;
  while (!root) {
    if (path.length > maxDepth) return fail(`no trusted root within ${maxDepth} certificates`, path.map(certificateIdentity));
    root = roots.find((r) => issuedBy(current, r)) ?? null;
    if (root) break;
    const next = [...unused].find((c) => issuedBy(current, c));
    if (!next) return fail(`no trusted root issued "${label(current)}" (issuer "${current.issuer.replace(/\n/g, ', ')}")`, path.map(certificateIdentity));
    unused.delete(next);
    path.push(next);
    current = next;
  }
  const full = root.fingerprint256 === leaf.fingerprint256 ? path : [...path, root];

  let parsed: Parsed[];
  try {
    parsed = full.map(parse);
  } catch (e) {
    return fail(`a certificate extension cannot be parsed (${(e as Error).message})`, full.map(certificateIdentity));
  }
  parsed.forEach((p, i) => {
    const from = new Date(p.cert.validFrom).getTime();
    const to = new Date(p.cert.validTo).getTime();
    if (!(from <= at.getTime() && at.getTime() <= to)) {
      problems.push(`"${label(p.cert)}" was not valid at ${at.toISOString()} (valid ${new Date(from).toISOString()} to ${new Date(to).toISOString()})`);
    }
    if (p.unknownCritical.length > 0) problems.push(`"${label(p.cert)}" has critical extensions Assay does not understand: ${p.unknownCritical.join(', ')}`);
    if (i === 0) return;
    if (!p.basic?.ca) problems.push(`"${label(p.cert)}" issues certificates but is not a CA`);
    if (p.keyUsage && !p.keyUsage.keyCertSign) problems.push(`"${label(p.cert)}" is not allowed to sign certificates (key usage)`);
    const below = i - 1; // CA certificates between this issuer and the leaf
    if (p.basic?.pathLen !== null && p.basic?.pathLen !== undefined && below > p.basic.pathLen) {
      problems.push(`"${label(p.cert)}" allows ${p.basic.pathLen} intermediate CAs below it, the chain has ${below}`);
    }
  });
  const leafInfo = parsed[0]!;
  const mayDigitallySign = leafInfo.keyUsage?.digitalSignature === true;
  const mayCodeSign = leafInfo.extKeyUsage?.includes(OID.codeSigning) === true;
  if (!mayDigitallySign && !mayCodeSign) {
    problems.push('the signing certificate is not meant for signing (neither the digitalSignature key usage nor the code-signing extended key usage)');
  }
  let leafPublicKey: KeyObject | null = leaf.publicKey;
  try {
    curveOf(leafPublicKey);
  } catch (e) {
    problems.push(`the signing certificate's key cannot be used: ${(e as KeyError).message}`);
    leafPublicKey = null;
  }
  const now = options.now ?? new Date();
  return {
    ok: problems.length === 0,
    problems,
    path: full.map(certificateIdentity),
    root: certificateIdentity(root),
    checkedAt: at.toISOString(),
    leafExpiredNow: new Date(leaf.validTo).getTime() < now.getTime(),
    leafPublicKey,
  };
}
