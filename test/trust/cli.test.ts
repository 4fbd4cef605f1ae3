// The trust commands as an auditor runs them: `assay key`, `assay trust`, `assay sign`,
// `assay verify`, `assay decide` and `assay bundle`, as subprocesses, with their exit codes
// (0 ok, 1 a check failed, 2 usage or I/O error).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BUNDLE_ENTRY } from '../../main/core/trust/index.ts';
import { readZip } from '../../main/core/trust/bundle/zip-read.ts';
import { DeterministicZip } from '../../main/core/trust/bundle/zip-write.ts';
import { generateSigningKey, publicKeyPem, signerFromPrivateKey } from '../../main/core/trust/keys.ts';
import { runAssay, runAssayJson } from '../helpers/cli.ts';
import { makeModel, tempDir } from './fixtures.ts';

const ENV = { ASSAY_PASSPHRASE: 'correct horse battery staple' };

test('keys, signing and model verification from the command line, with exit codes', async () => {
  const dir = await tempDir();
  const dataDir = join(dir, 'data');
  const run = (args: string[], env: NodeJS.ProcessEnv = ENV) => runAssay(args, { dataDir, env });

  const noSecret = await runAssay(['key', 'generate', '--label', 'Alice'], { dataDir, env: { ASSAY_PASSPHRASE: '' } });
  assert.equal(noSecret.code, 2, 'no passphrase and no terminal is a usage error');
  assert.match(noSecret.stderr, /ASSAY_PASSPHRASE/);

  const created = await run(['--json', 'key', 'generate', '--label', 'Alice']);
  assert.equal(created.code, 0, created.stderr);
  const key = JSON.parse(created.stdout) as { id: string; fingerprint: string };

  const model = await makeModel({ 'model.safetensors': 'weights', 'config.json': '{}' }, dir, 'model');
  const sig = join(dir, 'model.sig');
  const signed = await run(['sign', model, '--key', key.id, '--out', sig]);
  assert.equal(signed.code, 0, signed.stderr);
  assert.match(signed.stderr, new RegExp(`fingerprint ${key.fingerprint}`), 'the key\'s fingerprint is shown where it is used');
  const pub = join(dir, 'alice.pub.pem');
  assert.equal((await run(['key', 'export', key.id, '--out', pub])).code, 0);

  const ok = await run(['--json', 'verify', model, '--sig', sig, '--key', pub]);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  const rec = JSON.parse(ok.stdout) as { ok: boolean; signer: { fingerprint: string }; files: { path: string; status: string }[] };
  assert.equal(rec.signer.fingerprint, key.fingerprint);
  assert.deepEqual(rec.files.map((f) => f.status), ['verified', 'verified']);

  await writeFile(join(model, 'config.json'), '{"tampered":true}');
  const tampered = await run(['verify', model, '--sig', sig, '--key', pub]);
  assert.equal(tampered.code, 1);
  assert.match(tampered.stdout, /modified\s+config\.json/);

  const sums = join(dir, 'SHA256SUMS');
  await writeFile(sums, '0000000000000000000000000000000000000000000000000000000000000000  config.json\n');
  assert.equal((await run(['verify', model, '--sums', sums])).code, 1);
  const usage = await run(['verify', model, '--sig', sig]);
  assert.equal(usage.code, 2, 'a signature needs a key, a root or the trust store');
  assert.match(usage.stderr, /exactly one of --key/);
});

test('decide and bundle from the command line: refused decision exits 1; an intact bundle verifies (0), a tampered or untrusted one does not (1)', async () => {
  const dir = await tempDir();
  const dataDir = join(dir, 'data');
  const run = (args: string[]) => runAssay(args, { dataDir, env: ENV });
  const keyFile = join(dir, 'alice.pem');
  const alice = signerFromPrivateKey(generateSigningKey());
  await writeFile(keyFile, generateSigningKeyPem());
  const created = await run(['--json', 'case', 'create', 'CLI bundle case']);
  const caseId = (JSON.parse(created.stdout) as { id: string }).id;

  const refused = await run(['decide', caseId, '--outcome', 'approved', '--justification', 'looks fine']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /does not allow "approved"/);
  const shown = await run(['decide', caseId]);
  assert.equal(shown.code, 0);
  assert.match(shown.stdout, /allowed outcomes now: rejected/);
  const decided = await run(['decide', caseId, '--outcome', 'rejected', '--justification', 'Nothing reviewed yet.', '--waive', 'P08=The publisher ships no digests at all.']);
  assert.equal(decided.code, 0, decided.stderr);

  const out = join(dir, 'case.assay');
  const exported = await run(['bundle', 'export', caseId, '--key', keyFile, '--out', out]);
  assert.equal(exported.code, 0, exported.stderr);
  const pub = join(dir, 'alice.pub.pem');
  const { createPrivateKey } = await import('node:crypto');
  await writeFile(pub, publicKeyPem(createPrivateKey(await readFile(keyFile, 'utf8'))));

  const good = await runAssayJson<{ ok: boolean; failures: unknown[]; records: { decision: { outcome: string } } }>(['bundle', 'verify', out, '--trust', pub], { dataDir });
  assert.equal(good.code, 0, JSON.stringify(good.json));
  assert.equal(good.json.records.decision.outcome, 'rejected');

  const untrusted = join(dir, 'other.pub.pem');
  await writeFile(untrusted, publicKeyPem(alice.publicKey));
  const byOther = await runAssayJson<{ failures: { class: string }[] }>(['bundle', 'verify', out, '--trust', untrusted], { dataDir });
  assert.equal(byOther.code, 1);
  assert.deepEqual(byOther.json.failures.map((f) => f.class), ['untrusted-signer']);

  // Edit the case record inside the zip: the file no longer matches the signed statement.
  const zip = await readZip(await readFile(out), () => true);
  const rewritten = new DeterministicZip();
  for (const m of zip.members) rewritten.addBytes(m.name, m.name === BUNDLE_ENTRY.case ? Buffer.from(m.bytes!.toString().replace('CLI bundle case', 'CLI bundle cas3')) : m.bytes!);
  const forged = join(dir, 'forged.assay');
  await writeFile(forged, await rewritten.toBuffer());
  const bad = await runAssayJson<{ failures: { class: string; path?: string }[] }>(['bundle', 'verify', forged, '--trust', pub], { dataDir });
  assert.equal(bad.code, 1);
  assert.deepEqual(bad.json.failures.map((f) => [f.class, f.path]), [['file-modified', BUNDLE_ENTRY.case]]);
  const people = await run(['bundle', 'verify', forged, '--trust', pub]);
  assert.match(people.stdout, /BUNDLE DOES NOT VERIFY/);
  assert.match(people.stdout, /file-modified\s+case\/case\.json/);
});

function generateSigningKeyPem(): string {
  return generateSigningKey().export({ type: 'pkcs8', format: 'pem' }).toString();
}
