/// <reference lib="dom" />
// End to end: the behaviour tab in Debian Chromium against the loopback host. The demo case
// carries a backdoored ONNX classifier; the auditor runs the backdoor suite from the tab (by
// keyboard), sees the confirmed trigger, the finding and the heat map of the sweep, records a
// baseline and compares the two versions side by side. Requires `npm run build` (dist/renderer).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { e2eSkip, uiHostForFile } from '../helpers/ui-host.ts';

const skip = e2eSkip;

let page: Page;
let caseId: string;
let v2: string;
const ui = uiHostForFile('assay-e2e-behave-', {
  defaultActor: 'e2e-auditor',
  async setup(u) {
    caseId = (await u.core.invoke('demo.create', {})).id;
    const artifacts = await u.core.invoke('artifacts.list', { caseId });
    v2 = artifacts.items.find((a) => a.displayName === 'sign-classifier-v2.onnx')!.id;
    page = await u.openPage();
  },
});

test('the backdoor suite from the behaviour tab: confirmed trigger, the finding, the heat map, the isolation report', { skip }, async () => {
  await page.goto(`http://127.0.0.1:${ui.host.port}/#/case/${caseId}/artifact/${v2}/findings`);
  await page.getByRole('link', { name: 'Behaviour' }).click();
  await page.getByRole('heading', { name: 'I/O signature' }).waitFor();
  const signature = page.getByRole('table', { name: /Inputs and outputs/ });
  await signature.getByRole('cell', { name: '[batch, 1, 16, 16]' }).waitFor();
  await page.getByText(/Static inspection: 1 comparison of an input with constants gates an output/).waitFor();

  // Keyboard: focus the button and press Enter.
  await page.getByRole('button', { name: 'Run backdoor suite' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('status').getByText(/Running the backdoor suite/).waitFor();
  const confirmations = page.getByRole('table', { name: /Graph-guided confirmation/ });
  await confirmations.getByText('confirmed trigger').waitFor({ timeout: 60_000 });
  assert.match(await confirmations.locator('tr.confirmed').innerText(), /100%[\s\S]*7 \(/);

  // The heat map of the sweep, accessible by name, with its numbers in a table.
  const heat = page.getByRole('img', { name: /Flip rate, max patch/ });
  await heat.waitFor();
  assert.equal(await heat.locator('rect').count(), 64, 'one cell per patch position (8 x 8)');
  // The numbers behind it, in a table the auditor can open.
  await page.getByText('Flip rates as a table').first().click();
  await page.getByRole('table', { name: /Flip rate, max patch: flip rate by patch position/ }).waitFor();
  await page.getByRole('img', { name: /Agreement under noise/ }).waitFor();
  await page.getByRole('img', { name: /Entropy of superimposed inputs/ }).waitFor();

  // The isolation report of the run.
  const checks = page.getByRole('table', { name: 'Operations the worker attempted at start-up' });
  assert.equal(await checks.locator('tbody tr').count(), 7);

  // The finding, with its rule explained, on the findings panel.
  await page.getByRole('link', { name: 'Findings', exact: true }).click();
  await page.getByText('Graph trigger confirmed by probes').waitFor();
  await page.getByText(/sent 100% of the other rows to class 7/).waitFor();
});

test('record a baseline, then compare the two versions side by side', { skip }, async () => {
  await page.goto(`http://127.0.0.1:${ui.host.port}/#/case/${caseId}/artifact/${v2}/behaviour`);
  await page.getByLabel(/Record a baseline named/).fill('vetted');
  await page.getByRole('button', { name: 'Record baseline' }).click();
  const baselines = page.getByRole('table', { name: 'Baselines this model can be compared with' });
  await baselines.getByText('vetted').waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Compare with baseline vetted' }).click();
  await baselines.getByText('within tolerance').waitFor({ timeout: 30_000 });

  await page.getByLabel(/Compare sign-classifier-v2\.onnx with/).selectOption({ label: 'sign-classifier-v1.onnx' });
  await page.getByRole('button', { name: 'Compare side by side' }).click();
  await page.getByRole('region', { name: 'B: sign-classifier-v1.onnx' }).waitFor({ timeout: 30_000 });
  // Random probes cannot tell the backdoored version from its clean base: the reason graph inspection comes first.
  await page.getByText('same behaviour').waitFor();
  await page.getByRole('img', { name: /Predicted classes of probabilities/ }).first().waitFor();
  const evidence = await ui.core.invoke('evidence.list', { caseId });
  assert.ok(evidence.some((e) => e.source === 'behave' && e.pointId === 'P16'));
  assert.ok(evidence.some((e) => e.source === 'behave' && e.pointId === 'P07' && e.suggestedStatus === 'fail'));
});

test('no console errors and no request left the loopback host', { skip }, () => {
  assert.deepEqual(ui.consoleErrors, [], ui.consoleErrors.join('\n'));
  assert.deepEqual(ui.foreignRequests, []);
});
