// The CLI and loopback host's PDF renderer: the report's self-contained HTML printed by a headless
// Chromium (Debian's /usr/bin/chromium, or $ASSAY_CHROMIUM) driven by playwright-core, with
// JavaScript off and every network request refused. The desktop app uses Electron's printToPDF
// instead (main/shell/pdf.ts).
import { existsSync } from 'node:fs';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.ASSAY_CHROMIUM && env.ASSAY_CHROMIUM.length > 0 ? env.ASSAY_CHROMIUM : DEFAULT_CHROMIUM;
}

/** A renderer when a Chromium binary is installed, else undefined (bundles then say the PDF is absent). */
export function chromiumPdfRenderer(executablePath = chromiumPath()): ((html: string) => Promise<Uint8Array>) | undefined {
  if (!existsSync(executablePath)) return undefined;
  return async (html) => {
    // playwright-core is loaded only when a PDF is wanted (and may be absent from a slim install).
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath, headless: true, args: ARGS, timeout: 60_000 });
    try {
      const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
      await context.route('**/*', (route) => route.abort());
      const page = await context.newPage();
      await page.setContent(html, { waitUntil: 'load', timeout: 60_000 });
      return new Uint8Array(await page.pdf({ format: 'A4', printBackground: true }));
    } finally {
      await browser.close();
    }
  };
}
