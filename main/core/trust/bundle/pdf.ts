// The PDF form of the report comes from an injected renderer (Electron's printToPDF in the app,
// Chromium in tests). Chromium stamps the creation and modification times into the PDF; they
// are overwritten in place (same length, so the cross-reference offsets stay valid) with the
// case-state time, which makes the PDF as reproducible as the HTML it renders.
export type PdfRenderer = (html: string) => Promise<Uint8Array>;

/** Replaces the 14 date digits of every `/CreationDate (D:…)` and `/ModDate (D:…)` in place. */
export function normalizePdfDates(pdf: Uint8Array, instant: string): Buffer {
  const d = new Date(instant);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const stamp = `${String(d.getUTCFullYear()).padStart(4, '0')}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}${p2(d.getUTCSeconds())}`;
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString('latin1');
  const out = text.replace(/(\/(?:CreationDate|ModDate)\s*\(D:)(\d{14})/g, (_m, head: string) => `${head}${stamp}`);
  return Buffer.from(out, 'latin1');
}

export function isPdf(bytes: Uint8Array): boolean {
  return bytes.length >= 5 && Buffer.from(bytes.subarray(0, 5)).toString('latin1') === '%PDF-';
}
