/// <reference lib="dom" />
// The scanner's views in the real UI: a malicious pickle shows its resolved call highlighted
// and explained; an ONNX model shows its graph summary.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { mlpClassifier } from '../fixtures/onnx-builder.ts';
import { e2eSkip, uiHostForFile } from '../helpers/ui-host.ts';

const skip = e2eSkip;
const EVIL = Buffer.concat([Buffer.from([0x80, 0x02]), Buffer.from('cposix\nsystem\nX\x02\x00\x00\x00id', 'latin1'), Buffer.from([0x85, 0x52, 0x2e])]);

const ui = uiHostForFile('assay-e2e-scan-');

test('the pickle view highlights and explains the dangerous call; the ONNX view shows the graph', { skip }, async () => {
  const c = await ui.core.invoke('cases.create', { name: 'Scan views' });
  await writeFile(join(ui.dir.path, 'weights.bin'), EVIL);
  await writeFile(join(ui.dir.path, 'model.onnx'), mlpClassifier([6, 5, 3]));
  const added = await ui.core.invoke('artifacts.add', { caseId: c.id, paths: [join(ui.dir.path, 'weights.bin'), join(ui.dir.path, 'model.onnx')] });
  const evil = added.added.find((a) => a.format === 'pickle')!;
  const onnx = added.added.find((a) => a.format === 'onnx')!;

  const page = await ui.openPage(`#/case/${c.id}/artifact/${evil.id}/pickle`);
  const row = page.locator('table.pickle-calls tr.tier-denied');
  await row.waitFor();
  assert.match(await row.innerText(), /posix\.system\('id'\)/);
  assert.match(await row.innerText(), /dangerous/);
  assert.match(await row.innerText(), /runs operating-system commands/);
  assert.ok(await page.locator('ol.opcodes li.tier-denied').count() >= 2, 'the opcodes of the call are highlighted');

  await page.getByRole('link', { name: 'Findings', exact: true }).click();
  await page.getByText('What it means and what to do').first().waitFor();

  await page.goto(`http://127.0.0.1:${ui.host.port}/#/case/${c.id}/artifact/${onnx.id}/onnx`);
  await page.getByRole('heading', { name: 'Operators' }).waitFor();
  assert.match(await page.locator('.onnx-summary').innerText(), /batch, 6/);
  assert.match(await page.locator('svg.bars').innerHTML(), /Gemm/);
  await page.close();
  assert.deepEqual(ui.consoleErrors, []);
});
