/// <reference lib="dom" />
// End to end, the trust layer as an auditor uses it in the browser face: verify a publisher's
// model signature in the case view, export the signed audit bundle from the case view, open it
// read-only with the verdict at the top, countersign it, and see a tampered bundle named as such.
// Requires `npm run build` (npm test runs it first) and /usr/bin/chromium.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { readZip } from '../../main/core/trust/bundle/zip-read.ts';
import { DeterministicZip } from '../../main/core/trust/bundle/zip-write.ts';
import { generateSigningKey, publicKeyPem, signerFromPrivateKey } from '../../main/core/trust/keys.ts';
import { signModel } from '../../main/core/trust/oms/sign.ts';
import { e2eSkip, uiHostForFile } from '../helpers/ui-host.ts';
import { makeModel } from '../trust/fixtures.ts';

const skip = e2eSkip;
const PASS = 'correct horse battery staple';

const ui = uiHostForFile('assay-e2e-trust-', { defaultActor: 'e2e-auditor' });

test('verify a signature, decide, export the bundle from the case view, open it read-only, countersign it', { skip }, async () => {
  // A publisher-signed model folder (the signature inside it), the publisher's key in the trust
  // store, and the auditor's own stored key.
  const model = await makeModel({ 'model.safetensors': 'weights', 'config.json': '{"layers":2}' }, ui.dir.path, 'signed-model');
  const publisher = signerFromPrivateKey(generateSigningKey());
  await writeFile(join(model, 'model.sig'), (await signModel(model, publisher, { signaturePath: join(model, 'model.sig') })).json);
  const pub = join(ui.dir.path, 'publisher.pub.pem');
  await writeFile(pub, publicKeyPem(publisher.publicKey));
  await ui.core.invoke('trustStore.add', { label: 'Example Lab', path: pub });
  const c = await ui.core.invoke('cases.create', { name: 'Trust E2E' });
  await ui.core.invoke('artifacts.add', { caseId: c.id, paths: [model], storage: 'import' });
  const alice = await ui.core.invoke('keys.generate', { label: 'Alice', passphrase: PASS });

  const page = await ui.openPage(`#/case/${c.id}/verify`);
  const oms = page.locator('form[aria-labelledby="oms-title"]');
  await oms.getByLabel('Signature', { exact: true }).waitFor();
  assert.equal(await oms.getByLabel('Signature', { exact: true }).inputValue() !== 'path', true, 'the model.sig in the folder is offered');
  await oms.getByRole('button', { name: 'Verify signature' }).click();
  const card = oms.locator('article.verification');
  await card.waitFor();
  assert.match(await card.innerText(), /VERIFIED/i);
  assert.match(await card.innerText(), /trusted as “Example Lab”/);
  assert.match(await card.innerText(), new RegExp(publisher.fingerprint.slice(0, 4)));

  await page.getByRole('link', { name: 'Decision & bundle' }).click();
  await page.getByRole('heading', { name: 'Intake decision' }).waitFor();
  await page.getByRole('radio', { name: /^Rejected/ }).check();
  await page.locator('form.decision-form').getByLabel('Justification').fill('Review incomplete: rejected until the dataset is documented.');
  await page.getByRole('button', { name: 'Record decision' }).click();
  await page.locator('.decision-box.rejected').waitFor();

  const exportForm = page.locator('form[aria-labelledby="export-title"]');
  await exportForm.getByLabel('Passphrase of the key').fill(PASS);
  // The key's fingerprint is shown where it is used.
  assert.ok((await exportForm.locator('.key-picker .fingerprint').innerText()).startsWith(alice.fingerprint.slice(0, 4)));
  const outPath = await exportForm.getByLabel('Bundle file to write').inputValue();
  assert.match(outPath, /bundles\/Trust-E2E-.*\.assay$/);
  await exportForm.getByRole('button', { name: 'Export bundle' }).click();
  await exportForm.getByText('Bundle exported').waitFor({ timeout: 60_000 });

  await exportForm.getByRole('link', { name: 'Open this bundle' }).click();
  const verdict = page.locator('.bundle-verdict');
  await verdict.waitFor({ timeout: 60_000 });
  assert.match(await verdict.innerText(), /Verified: intact and signed by a trusted key/);
  assert.match(await verdict.innerText(), /Alice \(your own key\)/);
  await page.getByRole('heading', { name: 'Case Trust E2E' }).waitFor();
  assert.match(await page.locator('.bundle-contents .decision-box').innerText(), /rejected/);
  // Read-only: the view offers no control that changes the case.
  assert.equal(await page.locator('.bundle-contents select, .bundle-contents textarea').count(), 0);

  // A second auditor countersigns with a PEM key file, and the countersigned bundle opens verified.
  const bobPem = join(ui.dir.path, 'bob.pem');
  await writeFile(bobPem, generateSigningKey().export({ type: 'pkcs8', format: 'pem' }));
  const cs = page.locator('form[aria-labelledby="cs-title"]');
  await cs.getByRole('radio', { name: 'A PEM key file' }).check();
  await cs.getByLabel('PEM private key file').fill(bobPem);
  await cs.getByRole('button', { name: 'Countersign and export' }).click();
  await cs.getByRole('button', { name: 'Open the countersigned bundle' }).click();
  await page.waitForFunction(() => location.hash.includes('countersigned'));
  await page.locator('.bundle-verdict.good').waitFor({ timeout: 60_000 });
  assert.equal(await page.locator('section[aria-labelledby="sig-title"] tbody tr').count(), 2);

  // The same bundle with one record edited: the verdict names the class of failure.
  const zip = await readZip(await readFile(outPath), () => true);
  const forged = new DeterministicZip();
  for (const m of zip.members) forged.addBytes(m.name, m.name === 'case/decision.json' ? Buffer.from(m.bytes!.toString().replace('"rejected"', '"approved"')) : m.bytes!);
  const forgedPath = join(ui.dir.path, 'forged.assay');
  await writeFile(forgedPath, await forged.toBuffer());
  await page.goto(`http://127.0.0.1:${ui.host.port}/#/bundle/${encodeURIComponent(forgedPath)}`);
  const bad = page.locator('.bundle-verdict.bad');
  await bad.waitFor({ timeout: 60_000 });
  assert.match(await bad.innerText(), /Does not verify/);
  assert.match(await bad.innerText(), /File modified/);
  await page.close();
});

test('keys and the trust store page: generate a key, see its fingerprint, add and remove a trusted key', { skip }, async () => {
  const page = await ui.openPage('#/keys');
  await page.getByRole('heading', { name: 'Keys & trust' }).waitFor();
  const gen = page.locator('form[aria-labelledby="gen-title"]');
  await gen.getByLabel('Label').fill('Carol');
  await gen.getByLabel(/^Passphrase/).fill(PASS);
  await gen.getByLabel('Repeat the passphrase').fill(PASS);
  await gen.getByRole('button', { name: 'Generate key' }).click();
  await page.locator('.key-row', { hasText: 'Carol' }).waitFor();
  const carol = (await ui.core.invoke('keys.list', {})).find((k) => k.label === 'Carol')!;
  assert.match(await page.locator('.key-row', { hasText: 'Carol' }).innerText(), new RegExp(carol.fingerprint.slice(0, 4)));

  const dave = join(ui.dir.path, 'dave.pub.pem');
  await writeFile(dave, publicKeyPem(signerFromPrivateKey(generateSigningKey()).publicKey));
  const add = page.locator('form[aria-labelledby="add-anchor-title"]');
  await add.getByLabel('Label').fill('Dave (fellow auditor)');
  await add.getByLabel(/PEM file/).fill(dave);
  await add.getByRole('button', { name: 'Add to the trust store' }).click();
  await page.getByRole('cell', { name: 'Dave (fellow auditor)', exact: true }).waitFor();
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Remove Dave (fellow auditor)' }).click();
  await page.getByRole('cell', { name: 'Dave (fellow auditor)', exact: true }).waitFor({ state: 'detached' });
  await page.close();
});

test('no console errors and no request left the loopback host', { skip }, () => {
  assert.deepEqual(ui.consoleErrors, [], ui.consoleErrors.join('\n'));
  assert.deepEqual(ui.foreignRequests, []);
});
