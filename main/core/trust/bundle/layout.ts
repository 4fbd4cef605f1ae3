// Names of the files inside an audit bundle (`.assay`, a zip) and their order. Content files
// come first in a fixed order; signature files last, so two exports of one case state share
// every byte up to the first signature entry.

export { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION } from '../../../../shared/api/methods/trust-schemas.ts';
export const BUNDLE_PREDICATE_TYPE = 'https://assay.invalid/audit-bundle/v1';

export const ENTRY = {
  manifest: 'bundle.json',
  case: 'case/case.json',
  artifacts: 'case/artifacts.json',
  findings: 'case/findings.json',
  sarif: 'case/findings.sarif.json',
  checklist: 'case/checklist.json',
  decision: 'case/decision.json',
  verifications: 'case/verifications.json',
  datasets: 'case/datasets.json',
  custody: 'case/custody.json',
  attachments: 'case/attachments.json',
  aibom: 'aibom.cdx.json',
  reportHtml: 'report/report.html',
  reportPdf: 'report/report.pdf',
} as const;

export const ATTACHMENT_DIR = 'attachments/';
export const MODEL_DIR = 'models/';
export const SIGNATURE_DIR = 'signatures/';

export function isSignatureEntry(name: string): boolean {
  return name.startsWith(SIGNATURE_DIR);
}

export function signatureEntryName(index: number, fingerprint: string): string {
  return `${SIGNATURE_DIR}${String(index).padStart(2, '0')}-${fingerprint.slice(0, 16)}.sigstore.json`;
}

export function publicKeyEntryName(index: number, fingerprint: string): string {
  return `${SIGNATURE_DIR}${String(index).padStart(2, '0')}-${fingerprint.slice(0, 16)}.pub.pem`;
}

/** A safe single path component: no separators, no control characters, no leading dots. */
export function safeComponent(name: string, fallback: string): string {
  const cleaned = name.normalize('NFC').replace(/[\x00-\x1f\x7f/\\:*?"<>|]/g, '_').replace(/^[.\s]+/, '').trim().slice(0, 120);
  return cleaned === '' ? fallback : cleaned;
}

/** A relative path made of safe components (for model files placed in the bundle). */
export function safeRelativePath(path: string, fallback: string): string {
  const parts = path.split(/[\\/]+/).filter((p) => p !== '' && p !== '.' && p !== '..');
  return parts.length === 0 ? fallback : parts.map((p, i) => safeComponent(p, `${fallback}-${i}`)).join('/');
}
