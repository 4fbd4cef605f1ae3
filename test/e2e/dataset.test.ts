/// <reference lib="dom" />
// The dataset view in the real UI: the demo dataset is scanned from its Dataset tab, PII shows by
// column, the rows behind the trigger indicator are shown masked, one is excluded, and the
// exclusion list is exported to a file.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEMO_TRIGGER, poisonedDatasetSample } from '../../main/core/demo/dataset-samples.ts';
import { e2eSkip, uiHostForFile } from '../helpers/ui-host.ts';

const skip = e2eSkip;

const ui = uiHostForFile('assay-e2e-dataset-');

test('scan the demo dataset, see PII by column, exclude a flagged row, export the exclusion list', { skip, timeout: 180_000 }, async () => {
  const c = await ui.core.invoke('cases.create', { name: 'Dataset view' });
  const actions = await poisonedDatasetSample.write(ui.dir.path);
  const paths = actions.flatMap((a) => (a.kind === 'add' ? a.paths : []));
  await ui.core.invoke('artifacts.add', { caseId: c.id, paths, storage: 'import' });

  const page = await ui.openPage(`#/case/${c.id}/datasets`);
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
  const out = join(ui.dir.path, 'exclusions.csv');
  await exclusions.getByLabel('Write to', { exact: true }).fill(out);
  await exclusions.getByRole('button', { name: 'Export exclusion list' }).click();
  await exclusions.getByText(/1 row written to/).waitFor();
  assert.equal(await readFile(out, 'utf8'), 'row,rules,note\n3,dataset.trigger-candidate,stamped trigger token\n');
  const log = await ui.core.invoke('custody.list', { caseId: c.id, offset: 0, limit: 100 });
  assert.ok(log.events.some((e) => e.action === 'dataset.exclusions-exported'));
  assert.ok(log.events.some((e) => e.action === 'dataset.rows-reviewed'));
  await page.close();
  assert.deepEqual(ui.consoleErrors, []);
});
