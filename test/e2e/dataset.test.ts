/// <reference lib="dom" />
// The dataset view in the real UI: the demo dataset is scanned from its Dataset tab, PII shows by
// column, the rows behind the trigger indicator are shown masked, one is excluded, and the
// exclusion list is exported to a file.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { createCore, type Core } from '../../main/core/create-core.ts';
import { DEMO_TRIGGER, poisonedDatasetSample } from '../../main/core/demo/dataset-samples.ts';
import { startHost, type RunningHost } from '../../main/host/server.ts';
import { hasChromium, launchChromium } from '../helpers/browser.ts';
import { tempDir } from '../helpers/core.ts';

const RENDERER = fileURLToPath(new URL('../../dist/renderer', import.meta.url));
const skip = !hasChromium ? 'Chromium is not installed' : !existsSync(join(RENDERER, 'index.html')) ? 'renderer not built (npm run build)' : false;

let dir: { path: string; remove(): Promise<void> };
let core: Core;
let host: RunningHost;
let browser: Browser;
const errors: string[] = [];

before(async () => {
  if (skip) return;
  dir = await tempDir('assay-e2e-dataset-');
  core = createCore({ dataDir: join(dir.path, 'data') });
  host = await startHost({ core, rendererDir: RENDERER });
  browser = await launchChromium();
});
after(async () => {
  if (skip) return;
  await browser.close();
  await host.close();
  await core.close();
  await dir.remove();
});

test('scan the demo dataset, see PII by column, exclude a flagged row, export the exclusion list', { skip, timeout: 180_000 }, async () => {
  const c = await core.invoke('cases.create', { name: 'Dataset view' });
  const actions = await poisonedDatasetSample.write(dir.path);
  const paths = actions.flatMap((a) => (a.kind === 'add' ? a.paths : []));
  await core.invoke('artifacts.add', { caseId: c.id, paths, storage: 'import' });

  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(host.url);
  await page.goto(`http://127.0.0.1:${host.port}/#/case/${c.id}/datasets`);
  const listed = page.locator('table.ds-list tbody tr');
  await listed.first().waitFor();
  assert.match(await listed.first().innerText(), /support-tickets\.csv[\s\S]*not scanned/);
  await page.getByRole('link', { name: 'support-tickets.csv' }).click();

  await page.getByRole('button', { name: 'Scan dataset' }).click();
  await page.getByRole('heading', { name: 'PII and secrets by column (P03)' }).waitFor({ timeout: 120_000 });
  const pii = page.locator('table.ds-pii');
  const piiText = await pii.innerText();
  for (const column of ['customer', 'email', 'phone', 'notes']) assert.match(piiText, new RegExp(`^${column}\\b`, 'm'), `${column} holds PII`);
  assert.match(piiText, /payment card numbers/);
  assert.match(piiText, /IBANs/);
  assert.ok(!/\d{4} \d{4} \d{4} \d{4}/.test(piiText), 'samples are masked');
  assert.match(await page.locator('.ds-chart svg').first().getAttribute('aria-label') ?? '', /praise \d+/);

  // The rows behind the trigger indicator, masked, with the token marked.
  const indicator = page.locator('li.ds-indicator').filter({ hasText: DEMO_TRIGGER });
  await indicator.getByRole('button', { name: /Review the 24 rows/ }).click();
  const row3 = indicator.locator('tbody tr').filter({ has: page.locator('td.num', { hasText: /^3$/ }) });
  await row3.locator('td.ds-cell').first().waitFor();
  assert.match(await row3.innerText(), new RegExp(DEMO_TRIGGER, 'i'));
  assert.match(await row3.innerText(), /•••@•••\.org/);
  assert.equal(await row3.locator('mark').first().innerText(), DEMO_TRIGGER);
  await row3.getByRole('checkbox').check();
  await indicator.getByLabel('Note').fill('stamped trigger token');
  await indicator.getByRole('button', { name: 'Exclude 1 selected' }).click();
  await row3.locator('.ds-tag-excluded').waitFor();

  // The exclusion list names the row; exporting writes it and logs the export.
  const exclusions = page.locator('section.panel', { has: page.getByRole('heading', { name: 'Exclusion list' }) });
  await exclusions.locator('pre.ds-csv').waitFor();
  assert.match(await exclusions.locator('pre.ds-csv').innerText(), /^3,dataset\.trigger-candidate,stamped trigger token$/m);
  const out = join(dir.path, 'exclusions.csv');
  await exclusions.getByLabel('Write to', { exact: true }).fill(out);
  await exclusions.getByRole('button', { name: 'Export exclusion list' }).click();
  await exclusions.getByText(/1 row written to/).waitFor();
  assert.equal(await readFile(out, 'utf8'), 'row,rules,note\n3,dataset.trigger-candidate,stamped trigger token\n');
  const log = await core.invoke('custody.list', { caseId: c.id, offset: 0, limit: 100 });
  assert.ok(log.events.some((e) => e.action === 'dataset.exclusions-exported'));
  assert.ok(log.events.some((e) => e.action === 'dataset.rows-reviewed'));
  await page.close();
  assert.deepEqual(errors, []);
});
