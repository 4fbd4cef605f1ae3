// End-to-end setup shared by the UI test files: a core on a temporary data directory, the
// loopback host serving the built renderer, and Chromium, started once per file; pages that
// record console errors and any request leaving the loopback host.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { createCore, type Core } from '../../main/core/create-core.ts';
import { startHost, type RunningHost } from '../../main/host/server.ts';
import { hasChromium, launchChromium } from './browser.ts';
import { tempDir } from './core.ts';

export const RENDERER = fileURLToPath(new URL('../../dist/renderer', import.meta.url));

/** Why the UI tests cannot run here, or false. */
export const e2eSkip: string | false = !hasChromium
  ? 'Chromium is not installed (apt-get install -y chromium)'
  : !existsSync(join(RENDERER, 'index.html')) ? 'renderer not built (npm run build)' : false;

/** What pages opened by a test file saw that the UI must never do. */
export interface PageWatch {
  consoleErrors: string[];
  foreignRequests: string[];
}

export function newPageWatch(): PageWatch {
  return { consoleErrors: [], foreignRequests: [] };
}

/**
 * A 1280×800 page on the host's start URL (then `hash`, when given) whose console errors and
 * non-loopback requests go to `watch`. `host` is read at each event: a test may restart it.
 */
export async function openWatchedPage(browser: Browser, host: () => RunningHost, watch: PageWatch, hash = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('console', (m) => { if (m.type() === 'error') watch.consoleErrors.push(`${m.text()} @ ${page.url()}`); });
  page.on('pageerror', (e) => watch.consoleErrors.push(String(e)));
  page.on('request', (r) => { if (!r.url().startsWith(`http://127.0.0.1:${host().port}/`)) watch.foreignRequests.push(r.url()); });
  await page.goto(host().url);
  if (hash) await page.goto(`http://127.0.0.1:${host().port}/${hash}`);
  return page;
}

export interface UiHost extends PageWatch {
  dir: { path: string; remove(): Promise<void> };
  core: Core;
  host: RunningHost;
  browser: Browser;
  /** A watched page on the host, at `hash` (e.g. `#/case/ID/datasets`) when given. */
  openPage(hash?: string): Promise<Page>;
}

export interface UiHostOptions {
  defaultActor?: string;
  /** Runs once the host and Chromium are up (one before hook: node's runner may not order two). */
  setup?(ui: UiHost): Promise<void>;
}

/** Registers this file's before/after hooks; the returned object is filled in before the first test. */
export function uiHostForFile(prefix: string, { setup, ...coreOptions }: UiHostOptions = {}): UiHost {
  const ui = { ...newPageWatch() } as UiHost;
  ui.openPage = (hash = '') => openWatchedPage(ui.browser, () => ui.host, ui, hash);
  before(async () => {
    if (e2eSkip) return;
    ui.dir = await tempDir(prefix);
    ui.core = createCore({ dataDir: join(ui.dir.path, 'data'), ...coreOptions });
    ui.host = await startHost({ core: ui.core, rendererDir: RENDERER });
    ui.browser = await launchChromium();
    await setup?.(ui);
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
