// A minimal DER reader: just enough of X.509 to read the extensions node:crypto does not expose
// (key usage bits, basic constraints, critical flags). Every length is bounds-checked.

export interface Tlv {
  /** Full identifier octet (class, constructed bit, tag number < 31). */
  tag: number;
  /** Offset of the contents within the buffer given to readTlv. */
  start: number;
  end: number;
}

export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

export function readTlv(buf: Uint8Array, offset: number, limit = buf.length): Tlv {
  if (offset + 2 > limit) throw new DerError('truncated DER element');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte DER tags are not used in certificates');
  let len = buf[offset + 1]!;
  let p = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new DerError('unsupported DER length form');
    if (p + n > limit) throw new DerError('truncated DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i]!;
    p += n;
  }
  if (p + len > limit) throw new DerError('DER element runs past its container');
  return { tag, start: p, end: p + len };
}

/** The child elements of a constructed element. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let p = parent.start;
  while (p < parent.end) {
    const t = readTlv(buf, p, parent.end);
    out.push(t);
    p = t.end;
    if (out.length > 10_000) throw new DerError('too many DER elements');
  }
  return out;
}

export function oidToString(buf: Uint8Array, t: Tlv): string {
  if (t.tag !== 0x06 || t.end <= t.start) throw new DerError('expected an OBJECT IDENTIFIER');
  const first = buf[t.start]!;
  const parts: number[] = [Math.min(2, Math.floor(first / 40)), first - Math.min(2, Math.floor(first / 40)) * 40];
  let v = 0;
  for (let i = t.start + 1; i < t.end; i++) {
    const b = buf[i]!;
    v = v * 128 + (b & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER / 128) throw new DerError('OID arc too large');
    if (!(b & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

export interface CertificateExtension {
  oid: string;
  critical: boolean;
  /** Contents of the extnValue OCTET STRING. */
  value: Uint8Array;
}

/** Extensions of a DER certificate ([] when it has none). */
export function certificateExtensions(der: Uint8Array): CertificateExtension[] {
  const cert = readTlv(der, 0);
  if (cert.tag !== 0x30) throw new DerError('certificate is not a SEQUENCE');
  const [tbs] = children(der, cert);
  if (!tbs || tbs.tag !== 0x30) throw new DerError('tbsCertificate is not a SEQUENCE');
  const ext = children(der, tbs).find((t) => t.tag === 0xa3);
  if (!ext) return [];
  const [seq] = children(der, ext);
  if (!seq || seq.tag !== 0x30) throw new DerError('extensions are not a SEQUENCE');
  return children(der, seq).map((e) => {
    const parts = children(der, e);
    const oid = oidToString(der, parts[0] ?? { tag: 0, start: 0, end: 0 });
    let critical = false;
    let valueTlv = parts[1];
    if (valueTlv?.tag === 0x01) {
      critical = valueTlv.end > valueTlv.start && der[valueTlv.start] !== 0;
      valueTlv = parts[2];
    }
    if (!valueTlv || valueTlv.tag !== 0x04) throw new DerError(`extension ${oid} has no value`);
    return { oid, critical, value: der.subarray(valueTlv.start, valueTlv.end) };
  });
}

export const OID = {
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  certificatePolicies: '2.5.29.32',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  anyExtendedKeyUsage: '2.5.29.37.0',
} as const;

/** Key usage bits by name (RFC 5280 §4.2.1.3 numbering). */
export interface KeyUsage {
  digitalSignature: boolean;
  keyCertSign: boolean;
}

export function parseKeyUsage(value: Uint8Array): KeyUsage {
  const t = readTlv(value, 0);
  if (t.tag !== 0x03 || t.end - t.start < 1) throw new DerError('keyUsage is not a BIT STRING');
  const b0 = t.end - t.start > 1 ? value[t.start + 1]! : 0;
  return { digitalSignature: (b0 & 0x80) !== 0, keyCertSign: (b0 & 0x04) !== 0 };
}

export interface BasicConstraints {
  ca: boolean;
  pathLen: number | null;
}

export function parseBasicConstraints(value: Uint8Array): BasicConstraints {
  const t = readTlv(value, 0);
  if (t.tag !== 0x30) throw new DerError('basicConstraints is not a SEQUENCE');
  let ca = false;
  let pathLen: number | null = null;
  for (const c of children(value, t)) {
    if (c.tag === 0x01) ca = c.end > c.start && value[c.start] !== 0;
    else if (c.tag === 0x02) {
      if (c.end - c.start > 4) throw new DerError('pathLenConstraint too large');
      pathLen = 0;
      for (let i = c.start; i < c.end; i++) pathLen = pathLen * 256 + value[i]!;
    }
  }
  return { ca, pathLen };
}

export function parseExtKeyUsage(value: Uint8Array): string[] {
  const t = readTlv(value, 0);
  if (t.tag !== 0x30) throw new DerError('extKeyUsage is not a SEQUENCE');
  return children(value, t).map((c) => oidToString(value, c));
}
