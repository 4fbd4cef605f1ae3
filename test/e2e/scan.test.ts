/// <reference lib="dom" />
// The scanner's views in the real UI: a malicious pickle shows its resolved call highlighted
// and explained; an ONNX model shows its graph summary.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { createCore, type Core } from '../../main/core/create-core.ts';
import { startHost, type RunningHost } from '../../main/host/server.ts';
import { mlpClassifier } from '../fixtures/onnx-builder.ts';
import { hasChromium, launchChromium } from '../helpers/browser.ts';
import { tempDir } from '../helpers/core.ts';

const RENDERER = fileURLToPath(new URL('../../dist/renderer', import.meta.url));
const skip = !hasChromium ? 'Chromium is not installed' : !existsSync(join(RENDERER, 'index.html')) ? 'renderer not built (npm run build)' : false;
const EVIL = Buffer.concat([Buffer.from([0x80, 0x02]), Buffer.from('cposix\nsystem\nX\x02\x00\x00\x00id', 'latin1'), Buffer.from([0x85, 0x52, 0x2e])]);

let dir: { path: string; remove(): Promise<void> };
let core: Core;
let host: RunningHost;
let browser: Browser;
const errors: string[] = [];

before(async () => {
  if (skip) return;
  dir = await tempDir('assay-e2e-scan-');
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

test('the pickle view highlights and explains the dangerous call; the ONNX view shows the graph', { skip }, async () => {
  const c = await core.invoke('cases.create', { name: 'Scan views' });
  await writeFile(join(dir.path, 'weights.bin'), EVIL);
  await writeFile(join(dir.path, 'model.onnx'), mlpClassifier([6, 5, 3]));
  const added = await core.invoke('artifacts.add', { caseId: c.id, paths: [join(dir.path, 'weights.bin'), join(dir.path, 'model.onnx')] });
  const evil = added.added.find((a) => a.format === 'pickle')!;
  const onnx = added.added.find((a) => a.format === 'onnx')!;

  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(host.url);
  await page.goto(`http://127.0.0.1:${host.port}/#/case/${c.id}/artifact/${evil.id}/pickle`);
  const row = page.locator('table.pickle-calls tr.tier-denied');
  await row.waitFor();
  assert.match(await row.innerText(), /posix\.system\('id'\)/);
  assert.match(await row.innerText(), /dangerous/);
  assert.match(await row.innerText(), /runs operating-system commands/);
  assert.ok(await page.locator('ol.opcodes li.tier-denied').count() >= 2, 'the opcodes of the call are highlighted');

  await page.getByRole('link', { name: 'Findings', exact: true }).click();
  await page.getByText('What it means and what to do').first().waitFor();

  await page.goto(`http://127.0.0.1:${host.port}/#/case/${c.id}/artifact/${onnx.id}/onnx`);
  await page.getByRole('heading', { name: 'Operators' }).waitFor();
  assert.match(await page.locator('.onnx-summary').innerText(), /batch, 6/);
  assert.match(await page.locator('svg.bars').innerHTML(), /Gemm/);
  await page.close();
  assert.deepEqual(errors, []);
});
