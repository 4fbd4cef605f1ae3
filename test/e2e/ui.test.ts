/// <reference lib="dom" />
// End to end: the real renderer in Debian Chromium against the loopback host, as an auditor
// would use it. Requires `npm run build` (npm test runs it first) and /usr/bin/chromium.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createCore, type Core } from '../../main/core/create-core.ts';
import { startHost, type RunningHost } from '../../main/host/server.ts';
import { launchChromium } from '../helpers/browser.ts';
import { e2eSkip, newPageWatch, openWatchedPage, RENDERER } from '../helpers/ui-host.ts';
import { tempDir } from '../helpers/core.ts';

const skip = e2eSkip;

let dir: { path: string; remove(): Promise<void> };
let dataDir: string;
let core: Core;
let host: RunningHost;
let browser: Browser;
const watch = newPageWatch();

async function startServer(): Promise<void> {
  core = createCore({ dataDir, defaultActor: 'e2e-auditor' });
  host = await startHost({ core, rendererDir: RENDERER });
}

async function stopServer(): Promise<void> {
  await host.close();
  await core.close();
}

function openPage(): Promise<Page> {
  return openWatchedPage(browser, () => host, watch);
}

before(async () => {
  if (skip) return;
  dir = await tempDir('assay-e2e-');
  dataDir = join(dir.path, 'data');
  await startServer();
  browser = await launchChromium();
});

after(async () => {
  if (skip) return;
  await browser.close();
  await stopServer();
  await dir.remove();
});

test('create a case, add a file, see its hash, set a checklist status with a note, restart, still there', { skip }, async () => {
  const model = join(dir.path, 'classifier.onnx');
  await writeFile(model, 'not really onnx, just bytes to hash');
  const page = await openPage();
  await page.getByLabel('Name').fill('E2E intake');
  await page.getByRole('button', { name: 'Create case' }).click();
  await page.getByRole('heading', { name: 'E2E intake' }).waitFor();

  await page.getByRole('button', { name: 'Type paths' }).click();
  await page.getByLabel(/Paths on this machine/).fill(model);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await page.getByRole('status').getByText('1 added').waitFor();
  // sha256sum of the 35 bytes written above, computed outside Assay.
  await page.getByRole('cell').getByText('4862a00ec44d2d371daeee1963add3aa2a2a9a39124021c3ea4ff6d31a5770bf').waitFor();

  await page.getByRole('link', { name: 'Checklist', exact: true }).click();
  const p05 = page.locator('article[data-point="P05"]');
  await p05.getByLabel('Status').selectOption('partial');
  await p05.getByLabel('Notes').fill('Environment description received; egress logs pending.');
  await p05.getByRole('button', { name: 'Save notes' }).click();
  await p05.getByText(/last set by e2e-auditor/).waitFor();

  await page.reload();
  await page.locator('article[data-point="P05"]').getByLabel('Status').waitFor();
  assert.equal(await page.locator('article[data-point="P05"]').getByLabel('Status').inputValue(), 'partial');

  // Restart the whole host and core on the same data directory: nothing is lost.
  await page.close();
  await stopServer();
  await startServer();
  const again = await openPage();
  await again.getByRole('link', { name: 'E2E intake' }).click();
  await again.getByRole('link', { name: 'Checklist', exact: true }).click();
  const p05b = again.locator('article[data-point="P05"]');
  await p05b.getByLabel('Notes').waitFor();
  assert.equal(await p05b.getByLabel('Status').inputValue(), 'partial');
  assert.equal(await p05b.getByLabel('Notes').inputValue(), 'Environment description received; egress logs pending.');
  await again.close();
});

test('keyboard only: reach a point, set its status and notes, save', { skip }, async () => {
  const c = await core.invoke('cases.create', { name: 'Keyboard' });
  const page = await openPage();
  await page.goto(`http://127.0.0.1:${host.port}/#/case/${c.id}/checklist`);
  await page.locator('article[data-point="P01"]').waitFor();
  // Tab from the top of the page until the P01 status control has focus.
  let reached = false;
  for (let i = 0; i < 60 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.id === 'status-P01');
  }
  assert.ok(reached, 'the P01 status control is reachable with Tab');
  await page.keyboard.press('ArrowDown'); // not_reviewed → pass
  await page.locator('article[data-point="P01"]').getByText(/last set by/).waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'notes-P01');
  // Focus is visible: the focused control has an outline.
  assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle), 'none');
  await page.keyboard.type('Provenance confirmed with the publisher.');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => (document.getElementById('notes-P01') as HTMLTextAreaElement | null)?.value === 'Provenance confirmed with the publisher.');
  const entry = (await core.invoke('checklist.get', { caseId: c.id })).entries.find((e) => e.pointId === 'P01')!;
  assert.equal(entry.status, 'pass');
  assert.equal(entry.notes, 'Provenance confirmed with the publisher.');
  await page.close();
});

test('thousands of artifacts render as a virtualised list', { skip }, async () => {
  const c = await core.invoke('cases.create', { name: 'Many files' });
  const folder = join(dir.path, 'shards');
  await mkdir(folder);
  for (let i = 0; i < 2000; i++) await writeFile(join(folder, `part-${String(i).padStart(5, '0')}.txt`), `shard ${i}\n`);
  const r = await core.invoke('artifacts.add', { caseId: c.id, paths: [folder] });
  assert.equal(r.added.length, 2000);
  const page = await openPage();
  await page.goto(`http://127.0.0.1:${host.port}/#/case/${c.id}/artifacts`);
  await page.getByText('part-00000.txt').waitFor();
  const rows = await page.locator('.grid-body [role="row"]').count();
  assert.ok(rows > 5 && rows < 150, `only a window of rows is in the DOM (${rows})`);
  await page.locator('.grid-body').evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await page.getByText('part-01999.txt').waitFor();
  await page.close();
});

test('the demo case button fills an empty workstation', { skip }, async () => {
  // A fresh data directory shows the empty state.
  await stopServer();
  const previous = dataDir;
  dataDir = join(dir.path, 'data-empty');
  await startServer();
  try {
    const page = await openPage();
    await page.getByRole('button', { name: 'Try the demo case' }).click();
    await page.getByRole('heading', { name: /Demo:/ }).waitFor({ timeout: 30_000 });
    await page.getByRole('link', { name: 'model.onnx' }).first().waitFor();
    await page.close();
  } finally {
    await stopServer();
    dataDir = previous;
    await startServer();
  }
});

test('no console errors and no request left the loopback host', { skip }, () => {
  assert.deepEqual(watch.consoleErrors, [], watch.consoleErrors.join('\n'));
  assert.deepEqual(watch.foreignRequests, []);
});
