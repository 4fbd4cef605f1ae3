// End-to-end setup shared by the UI test files: a core on a temporary data directory, the
// loopback host serving the built renderer, and Chromium, started once per file.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { createCore, type Core } from '../../main/core/create-core.ts';
import { startHost, type RunningHost } from '../../main/host/server.ts';
import { hasChromium, launchChromium } from './browser.ts';
import { tempDir } from './core.ts';

export const RENDERER = fileURLToPath(new URL('../../dist/renderer', import.meta.url));

/** Why the UI tests cannot run here, or false. */
export const e2eSkip: string | false = !hasChromium
  ? 'Chromium is not installed (apt-get install -y chromium)'
  : !existsSync(join(RENDERER, 'index.html')) ? 'renderer not built (npm run build)' : false;

export interface UiHost {
  dir: { path: string; remove(): Promise<void> };
  core: Core;
  host: RunningHost;
  browser: Browser;
}

/** Registers this file's before/after hooks; the returned object is filled in before the first test. */
export function uiHostForFile(prefix: string): UiHost {
  const ui = {} as UiHost;
  before(async () => {
    if (e2eSkip) return;
    ui.dir = await tempDir(prefix);
    ui.core = createCore({ dataDir: join(ui.dir.path, 'data') });
    ui.host = await startHost({ core: ui.core, rendererDir: RENDERER });
    ui.browser = await launchChromium();
  });
  after(async () => {
    if (e2eSkip) return;
    await ui.browser.close();
    await ui.host.close();
    await ui.core.close();
    await ui.dir.remove();
  });
  return ui;
}
