import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { caseEvaluation } from '../../main/core/trust/bundle/documents.ts';
import { exportBundle } from '../../main/core/trust/bundle/export.ts';
import { ENTRY } from '../../main/core/trust/bundle/layout.ts';
import { isPdf, normalizePdfDates } from '../../main/core/trust/bundle/pdf.ts';
import { renderReportHtml } from '../../main/core/trust/bundle/report-html.ts';
import { verifyBundle } from '../../main/core/trust/bundle/verify.ts';
import { readZip } from '../../main/core/trust/bundle/zip-read.ts';
import { generateSigningKey, signerFromPrivateKey } from '../../main/core/trust/keys.ts';
import { chromiumRenderer, hasCommand, makeSnapshot, tempDir } from './fixtures.ts';

const weakPhase5 = makeSnapshot({
  findings: 5,
  severity: (i) => (['critical', 'info', 'high', 'low', 'medium'] as const)[i]!,
  status: (p) => (['P17', 'P18', 'P19'].includes(p) ? 'fail' : p === 'P10' ? 'fail' : 'pass'),
  decision: { outcome: 'rejected', conditions: [], justification: 'Critical pickle payload.', decidedBy: 'alice', decidedAt: '2025-03-02T00:00:00.000Z' },
});

test('the HTML report is self-contained and escapes everything it shows', () => {
  const html = renderReportHtml(weakPhase5, { evaluation: caseEvaluation(weakPhase5) });
  assert.ok(!/<script/i.test(html), 'no script element (the case description\'s <script> is escaped)');
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(html.includes('finding number 0 &lt;b&gt;with markup&lt;/b&gt;'));
  assert.ok(!/\s(src|href|action|srcset|poster|data)\s*=/i.test(html), 'no attribute that loads anything');
  assert.ok(!/url\(|@import/i.test(html), 'no CSS fetch');
  assert.match(html, /Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/);
});

test('the report shows the decision, the weakest phase first and findings from critical down', () => {
  const html = renderReportHtml(weakPhase5, { evaluation: caseEvaluation(weakPhase5) });
  const order = (needles: string[]) => needles.map((n) => { const i = html.indexOf(n); assert.ok(i >= 0, n); return i; });
  const sections = order(['id="decision"', 'id="verification"', 'id="checklist"', 'id="findings"']);
  assert.deepEqual([...sections].sort((a, b) => a - b), sections);
  assert.match(html, /Decision: rejected/);
  const phases = [...html.matchAll(/<h3>Phase (\d)/g)].map((m) => Number(m[1]));
  assert.equal(phases[0], 5, 'phase 5 (three failed points) is the weakest');
  assert.equal(phases.length, 5);
  assert.match(html, /Phase 5: Monitoring and maintenance — weakest phase/);
  const severities = [...html.matchAll(/<h3 class="sev sev-(\w+)">/g)].map((m) => m[1]);
  assert.deepEqual(severities, ['critical', 'high', 'medium', 'low', 'info']);
  assert.equal(renderReportHtml(weakPhase5, { evaluation: caseEvaluation(weakPhase5) }), html, 'deterministic');
});

test('PDF dates are normalised in place so the PDF is reproducible', () => {
  const pdf = Buffer.from("%PDF-1.4\n/CreationDate (D:20261127123620+00'00')\n/ModDate (D:20261127123621+00'00')\n%%EOF");
  const out = normalizePdfDates(pdf, '2025-03-02T10:11:12.000Z');
  assert.equal(out.length, pdf.length);
  assert.equal(out.toString('latin1'), "%PDF-1.4\n/CreationDate (D:20250302101112+00'00')\n/ModDate (D:20250302101112+00'00')\n%%EOF");
  assert.ok(isPdf(out));
});

const skipPdf = !hasCommand('pdftotext') ? 'pdftotext (poppler-utils) is not installed' : false;

test('the PDF report (Chromium) opens, has the report text, and is identical across exports', { skip: skipPdf, timeout: 120_000 }, async (t) => {
  const chromium = await chromiumRenderer();
  if (!chromium) {
    t.skip('Chromium (/usr/bin/chromium) is not installed');
    return;
  }
  try {
    const signer = signerFromPrivateKey(generateSigningKey());
    const a = await exportBundle(weakPhase5, signer, { renderPdf: chromium.render });
    const b = await exportBundle(weakPhase5, signer, { renderPdf: chromium.render });
    const pdfOf = async (bytes: Buffer) => (await readZip(bytes, (n) => n === ENTRY.reportPdf)).members.find((m) => m.name === ENTRY.reportPdf)!.bytes!;
    const pa = await pdfOf(a.bytes);
    assert.ok(isPdf(pa));
    assert.deepEqual(await pdfOf(b.bytes), pa, 'the PDF is byte-identical across two exports');
    assert.equal((await verifyBundle(a.bytes, { keys: [{ label: 'me', publicKey: signer.publicKey }] })).ok, true);
    const dir = await tempDir();
    writeFileSync(join(dir, 'report.pdf'), pa);
    const text = execFileSync('pdftotext', ['-layout', join(dir, 'report.pdf'), '-'], { encoding: 'utf8' });
    assert.match(text, /Tiny BERT intake/);
    assert.match(text, /Decision: rejected/);
    assert.match(text, /Phase 5: Monitoring and maintenance/);
    assert.match(text, /finding number 0 <b>with markup<\/b>/);
    assert.ok(pa.length > 5000, `a real document (${pa.length} bytes)`);
  } finally {
    await chromium.close();
  }
});

test('a large case stays readable: findings beyond the per-severity cap and files beyond the file cap are summarised, not dropped', () => {
  const s = makeSnapshot({ artifacts: 260, findings: 330, severity: (i) => (i < 300 ? 'low' : 'critical') });
  const html = renderReportHtml(s, {});
  const lowRows = html.slice(html.indexOf('<h3 class="sev sev-low">'), html.indexOf('id="artifacts"'));
  assert.match(html, /<h3 class="sev sev-low">low \(300\)<\/h3>/);
  assert.equal((lowRows.match(/finding number \d+/g) ?? []).length, 100, 'the first 100 low findings are listed one by one');
  assert.ok(lowRows.includes('200 more low finding(s), by rule'));
  // Listed first by rule: 100 of the 150 scan.script-payload; the rest summarised with their counts.
  assert.ok(/<td><code>scan\.script-payload<\/code>[^<]*<\/td><td>50<\/td><td>50<\/td>/.test(lowRows), 'scan.script-payload: 50 more');
  assert.ok(/<td><code>trust\.file-unsigned<\/code>[^<]*<\/td><td>150<\/td><td>150<\/td>/.test(lowRows), 'trust.file-unsigned: 150 more');
  assert.equal((html.match(/<h3 class="sev sev-critical">critical \(30\)<\/h3>/g) ?? []).length, 1);
  assert.match(html, /60 more file\(s\); every file and its SHA-256 is in case\/artifacts\.json/);
});
