// The trust layer wired into the store through the API: sealed keys, the trust store, model
// verification recorded as evidence and findings, the intake decision under the policy, and
// audit bundles exported from the store (reproducible, custody carried exactly as stored).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Core } from '../../main/core/create-core.ts';
import { verifyChain } from '../../main/core/custody/chain.ts';
import { readZip } from '../../main/core/trust/bundle/zip-read.ts';
import { generateSigningKey, publicKeyPem, signerFromPrivateKey } from '../../main/core/trust/keys.ts';
import { signModel } from '../../main/core/trust/oms/sign.ts';
import { ApiError } from '../../shared/api/errors.ts';
import { POINT_IDS } from '../../shared/checklist/points.ts';
import { withCore } from '../helpers/core.ts';
import { makeModel } from './fixtures.ts';

const PASS = 'correct horse battery staple';

async function rejects(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ApiError, `expected an ApiError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

/** A case holding one imported model folder signed by a publisher whose public key is written beside it. */
async function signedCase(core: Core, dir: string) {
  const model = await makeModel({ 'model.safetensors': 'weights v1', 'config.json': '{"layers":2}', 'tokenizer/vocab.txt': 'a\nb\n' }, dir, 'tiny');
  const publisher = signerFromPrivateKey(generateSigningKey());
  const sigPath = join(dir, 'tiny.sig');
  await writeFile(sigPath, (await signModel(model, publisher)).json);
  const pubPath = join(dir, 'publisher.pub.pem');
  await writeFile(pubPath, publicKeyPem(publisher.publicKey));
  const c = await core.invoke('cases.create', { name: 'signed model intake' });
  const added = await core.invoke('artifacts.add', { caseId: c.id, paths: [model], storage: 'import' });
  return { model, sigPath, pubPath, caseId: c.id, setId: added.sets[0]!.id, publisher };
}

test('a generated key is stored sealed, never in clear; the passphrase opens it and nothing else does', async () => {
  await withCore(async (core, dir) => {
    await rejects(core.invoke('keys.generate', { label: 'short', passphrase: 'abc' }), 'invalid_input', /at least 8 characters/);
    const key = await core.invoke('keys.generate', { label: 'Alice', passphrase: PASS });
    assert.equal(key.curve, 'P-256');
    assert.match(key.fingerprint, /^[0-9a-f]{64}$/);
    assert.deepEqual((await core.invoke('keys.list', {})).map((k) => k.fingerprint), [key.fingerprint]);

    const pub = await core.invoke('keys.exportPublic', { keyId: key.id });
    assert.equal(createHash('sha256').update(createPrivateKeyless(pub.pem)).digest('hex'), key.fingerprint, 'the fingerprint is SHA-256 of the SPKI DER');

    // Every text column of the database file: no PEM, no PKCS#8 DER of the key.
    await core.close();
    const db = new BetterSqlite3(join(dir, 'data', 'assay.db'), { readonly: true });
    const row = db.prepare('SELECT sealed FROM signing_keys WHERE id = ?').get(key.id) as { sealed: string };
    db.close();
    assert.doesNotMatch(row.sealed, /PRIVATE KEY/);
    const sealed = JSON.parse(row.sealed) as { kdf: { name: string }; cipher: { name: string } };
    assert.equal(sealed.kdf.name, 'scrypt');
    assert.equal(sealed.cipher.name, 'aes-256-gcm');
  });
});

/** The SPKI DER of a PEM public key. */
function createPrivateKeyless(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

test('signing with a stored key needs its passphrase; a wrong one is refused with a clear message', async () => {
  await withCore(async (core, dir) => {
    const key = await core.invoke('keys.generate', { label: 'Alice', passphrase: PASS });
    const model = await makeModel({ 'w.bin': 'x' }, dir);
    await rejects(core.invoke('sign.model', { modelPath: model, key: { keyId: key.id, passphrase: 'not the passphrase' }, outPath: join(dir, 'm.sig') }), 'invalid_input', /passphrase/);
    const signed = await core.invoke('sign.model', { modelPath: model, key: { keyId: key.id, passphrase: PASS }, outPath: join(dir, 'm.sig') });
    assert.equal(signed.signer.fingerprint, key.fingerprint);
    const pub = await core.invoke('keys.exportPublic', { keyId: key.id, outPath: join(dir, 'alice.pub.pem') });
    const v = await core.invoke('verify.modelPath', { modelPath: model, signaturePath: join(dir, 'm.sig'), trust: { kind: 'key-file', path: pub.path! } });
    assert.equal(v.ok, true, v.summary);
    assert.equal(v.signer?.fingerprint, key.fingerprint);
  });
});

test('importing PEM keys: encrypted PKCS#8 and clear SEC1; the same key twice is a conflict; the workstation chain records it', async () => {
  await withCore(async (core, dir) => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pkcs8 = join(dir, 'k8.pem');
    await writeFile(pkcs8, privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'file secret' }));
    await rejects(core.invoke('keys.import', { label: 'imported', pemPath: pkcs8, passphrase: PASS }), 'invalid_input', /passphrase/);
    const k = await core.invoke('keys.import', { label: 'imported', pemPath: pkcs8, pemPassphrase: 'file secret', passphrase: PASS });
    assert.equal(k.origin, 'imported');
    const sec1 = join(dir, 'sec1.pem');
    await writeFile(sec1, createPrivateKey(privateKey.export({ type: 'sec1', format: 'pem' })).export({ type: 'sec1', format: 'pem' }));
    await rejects(core.invoke('keys.import', { label: 'again', pemPath: sec1, passphrase: PASS }), 'conflict', /already stored as "imported"/);
    const other = join(dir, 'other.pem');
    await writeFile(other, generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'sec1', format: 'pem' }));
    await core.invoke('keys.import', { label: 'sec1', pemPath: other, passphrase: PASS });
    const events = [...new BetterSqlite3(join(dir, 'data', 'assay.db'), { readonly: true }).prepare("SELECT * FROM custody_events WHERE chain = 'workstation' ORDER BY seq").all() as { action: string }[]];
    assert.deepEqual(events.map((e) => e.action), ['key.imported', 'key.imported']);
  });
});

test('trust store: add, list, remove; private keys refused; each change custody-logged on the workstation chain', async () => {
  await withCore(async (core, dir) => {
    const alice = signerFromPrivateKey(generateSigningKey());
    const pem = join(dir, 'alice.pub.pem');
    await writeFile(pem, publicKeyPem(alice.publicKey));
    const added = await core.invoke('trustStore.add', { label: 'Alice (auditor)', path: pem });
    assert.equal(added.added[0]!.fingerprint, alice.fingerprint);
    assert.equal(added.added[0]!.addedBy, 'test-auditor');
    await rejects(core.invoke('trustStore.add', { label: 'again', path: pem }), 'conflict', /already in the trust store/);
    const priv = join(dir, 'private.pem');
    await writeFile(priv, generateSigningKey().export({ type: 'pkcs8', format: 'pem' }));
    await rejects(core.invoke('trustStore.add', { label: 'oops', path: priv }), 'invalid_input', /private key/);
    assert.equal((await core.invoke('trustStore.list', {})).length, 1);
    await core.invoke('trustStore.remove', { anchorId: added.added[0]!.id });
    assert.equal((await core.invoke('trustStore.list', {})).length, 0);
    const db = core.context.db;
    const events = db.prepare("SELECT * FROM custody_events WHERE chain = 'workstation' ORDER BY seq").all() as { action: string; details: string }[];
    assert.deepEqual(events.map((e) => e.action), ['trust-store.added', 'trust-store.removed']);
    assert.match(events[0]!.details, new RegExp(alice.fingerprint));
  });
});

test('verifying a case model records evidence on P11 and P08, and a failing re-check replaces it with trust findings', async () => {
  await withCore(async (core, dir) => {
    const s = await signedCase(core, dir);
    await rejects(core.invoke('verify.model', { caseId: s.caseId, target: { setId: s.setId }, signature: { path: s.sigPath }, trust: { kind: 'store' } }), 'invalid_input', /no key in the trust store/);
    await core.invoke('trustStore.add', { label: 'Publisher', path: s.pubPath });
    const ok = await core.invoke('verify.model', { caseId: s.caseId, target: { setId: s.setId }, signature: { path: s.sigPath }, trust: { kind: 'store' } });
    assert.equal(ok.ok, true, ok.summary);
    assert.equal(ok.signer?.trustedLabel, 'Publisher');
    assert.deepEqual(ok.files.map((f) => [f.path, f.status]), [['config.json', 'verified'], ['model.safetensors', 'verified'], ['tokenizer/vocab.txt', 'verified']]);
    const view = await core.invoke('checklist.get', { caseId: s.caseId });
    const p11 = view.entries.find((e) => e.pointId === 'P11')!;
    const p08 = view.entries.find((e) => e.pointId === 'P08')!;
    assert.equal(p11.suggestedStatus, 'pass');
    assert.equal(p11.evidence.filter((e) => e.source === 'trust').length, 1);
    assert.ok(p08.evidence.some((e) => e.source === 'trust' && e.suggestedStatus === 'pass'));

    // The original files changed after intake and the imported copies are gone: verify the files on disk.
    await writeFile(join(s.model, 'model.safetensors'), 'weights v2 (tampered)');
    await writeFile(join(s.model, 'extra.py'), 'import os');
    const db = core.context.db;
    for (const { blob_path } of db.prepare('SELECT blob_path FROM artifacts WHERE set_id = ?').all(s.setId) as { blob_path: string }[]) {
      await rm(join(core.context.dataDir, blob_path));
    }
    const bad = await core.invoke('verify.model', { caseId: s.caseId, target: { path: s.model }, signature: { path: s.sigPath }, trust: { kind: 'key-file', path: s.pubPath } });
    assert.equal(bad.ok, false);
    assert.deepEqual(Object.fromEntries(Object.entries(bad.counts).filter(([, n]) => n > 0)), { verified: 2, modified: 1, extra: 1 });
    assert.ok(bad.notes.some((n) => /model.safetensors differs from the bytes recorded at intake/.test(n)));
    const after = await core.invoke('checklist.get', { caseId: s.caseId });
    const p11b = after.entries.find((e) => e.pointId === 'P11')!;
    assert.equal(p11b.evidence.filter((e) => e.source === 'trust').length, 1, 'the newer result replaces the older evidence');
    assert.equal(p11b.suggestedStatus, 'fail');
    const findings = (await core.invoke('findings.list', { caseId: s.caseId })).filter((f) => f.ruleId.startsWith('trust.'));
    assert.deepEqual(findings.map((f) => f.ruleId).sort(), ['trust.file-modified', 'trust.file-unsigned']);
    assert.deepEqual(findings.find((f) => f.ruleId === 'trust.file-modified')!.location.members, ['tiny', 'model.safetensors']);
    const list = await core.invoke('verify.list', { caseId: s.caseId });
    assert.deepEqual(list.map((v) => [v.ok, v.superseded]), [[true, true], [false, false]]);
    assert.equal((await core.invoke('custody.verify', { caseId: s.caseId })).ok, true);
  });
});

test('imported copies are verified even when the original folder is gone; pasted digests and SHA256SUMS are recorded too', async () => {
  await withCore(async (core, dir) => {
    const s = await signedCase(core, dir);
    await rm(s.model, { recursive: true });
    const v = await core.invoke('verify.model', { caseId: s.caseId, target: { setId: s.setId }, signature: { path: s.sigPath }, trust: { kind: 'key-file', path: s.pubPath } });
    assert.equal(v.ok, true, v.summary);
    assert.ok(v.notes.some((n) => /imported copy/.test(n)));
    const artifacts = (await core.invoke('artifacts.list', { caseId: s.caseId })).items;
    const weights = artifacts.find((a) => a.relPath === 'model.safetensors')!;
    const good = await core.invoke('verify.digest', { caseId: s.caseId, target: { artifactId: weights.id }, digest: `sha256:${weights.sha256.toUpperCase()}` });
    assert.equal(good.ok, true);
    const bad = await core.invoke('verify.digest', { caseId: s.caseId, target: { artifactId: weights.id }, digest: '0'.repeat(64) });
    assert.equal(bad.ok, false);
    assert.deepEqual((await core.invoke('findings.list', { caseId: s.caseId, artifactId: weights.id })).map((f) => f.ruleId).filter((r) => r.startsWith('trust.')), ['trust.digest-mismatch']);
    const sums = artifacts.map((a) => `${a.sha256}  ${a.relPath}`).join('\n');
    const listed = await core.invoke('verify.sums', { caseId: s.caseId, target: { setId: s.setId }, sumsText: sums });
    assert.equal(listed.ok, true, listed.summary);
    const wrong = await core.invoke('verify.sums', { caseId: s.caseId, target: { setId: s.setId }, sumsText: sums.replace(weights.sha256, 'f'.repeat(64)) });
    assert.equal(wrong.ok, false);
    assert.equal(wrong.files.find((f) => f.path === 'model.safetensors')?.status, 'mismatch');
  });
});

test('the decision follows the policy: refused while blocked, allowed with waivers, the case becomes decided, custody records it', async () => {
  await withCore(async (core) => {
    const c = await core.invoke('cases.create', { name: 'decide me' });
    const state = await core.invoke('decision.get', { caseId: c.id });
    assert.deepEqual(state.evaluation.allowedOutcomes, ['rejected']);
    assert.equal(state.policy.path, null, 'no organisation policy: the shipped default');
    await rejects(core.invoke('decision.record', { caseId: c.id, outcome: 'approved', justification: 'looks fine to me' }), 'rule_violation', /does not allow "approved"/);
    assert.equal((await core.invoke('cases.get', { caseId: c.id })).state, 'open');
    for (const p of POINT_IDS) await core.invoke('checklist.set', { caseId: c.id, pointId: p, status: p === 'P08' ? 'fail' : p === 'P03' ? 'partial' : 'pass' });
    // P08 fails; a waiver lifts it, and P03 partial still needs conditions.
    await rejects(core.invoke('waivers.set', { caseId: c.id, pointId: 'P08', justification: 'too short' }), 'rule_violation', /at least 20 characters/);
    await rejects(core.invoke('decision.record', {
      caseId: c.id, outcome: 'approved', justification: 'Everything else checks out.',
      waivers: [{ pointId: 'P08', justification: 'Publisher ships no digests; the signature covers the files.' }],
    }), 'rule_violation', /P03 is only partially met/);
    assert.deepEqual((await core.invoke('decision.get', { caseId: c.id })).waivers, [], 'a refused decision records none of its waivers');
    const r = await core.invoke('decision.record', {
      caseId: c.id, outcome: 'approved-with-conditions', justification: 'Everything else checks out.', conditions: ['Re-verify after the next publisher release.'],
      waivers: [{ pointId: 'P08', justification: 'Publisher ships no digests; the signature covers the files.' }],
    });
    assert.equal(r.decision.outcome, 'approved-with-conditions');
    assert.equal((await core.invoke('cases.get', { caseId: c.id })).state, 'decided');
    const events = (await core.invoke('custody.list', { caseId: c.id, limit: 1000 })).events;
    const decided = events.find((e) => e.action === 'decision.recorded')!;
    assert.equal(decided.details.outcome, 'approved-with-conditions');
    assert.deepEqual((decided.details.policy as { sha256: string }).sha256, state.policy.sha256);
    assert.deepEqual((decided.details.waivers as { pointId: string }[]).map((w) => w.pointId), ['P08']);
    assert.ok(events.some((e) => e.action === 'waiver.granted' && e.subject === 'P08'));
  });
});

test('an organisation policy in the data directory is the policy in force; an invalid one is refused with its file named', async () => {
  await withCore(async (core) => {
    const text = (await readFile(new URL('../../assets/policy/intake-policy.json', import.meta.url), 'utf8'))
      .replace('"name": "Assay default intake policy"', '"name": "Acme strict policy"').replace('"allowed": true', '"allowed": false');
    const path = join(core.context.dataDir, 'intake-policy.json');
    await writeFile(path, text);
    const c = await core.invoke('cases.create', { name: 'org policy' });
    const state = await core.invoke('decision.get', { caseId: c.id });
    assert.equal(state.policy.policy.name, 'Acme strict policy');
    assert.equal(state.policy.path, path);
    assert.equal(state.policy.sha256, createHash('sha256').update(text).digest('hex'));
    await rejects(core.invoke('waivers.set', { caseId: c.id, pointId: 'P08', justification: 'A perfectly long justification.' }), 'rule_violation', /allows no waivers/);
    await writeFile(path, '{"format":"assay-intake-policy"');
    await rejects(core.invoke('decision.get', { caseId: c.id }), 'conflict', /intake-policy.json/);
  });
});

async function zipEntries(path: string): Promise<Map<string, string | null>> {
  const z = await readZip(await readFile(path), () => false);
  return new Map(z.members.map((m) => [m.name, m.sha256]));
}

test('bundle export from the store: reproducible but for the signature, custody as stored, the export logged on the workstation chain', async () => {
  await withCore(async (core, dir) => {
    const s = await signedCase(core, dir);
    await core.invoke('verify.model', { caseId: s.caseId, target: { setId: s.setId }, signature: { path: s.sigPath }, trust: { kind: 'key-file', path: s.pubPath } });
    await core.invoke('decision.record', { caseId: s.caseId, outcome: 'rejected', justification: 'Review not finished; rejected for now.' });
    const key = await core.invoke('keys.generate', { label: 'Alice', passphrase: PASS });
    const caseHead = (await core.invoke('custody.verify', { caseId: s.caseId })).head;
    const a = await core.invoke('bundles.export', { caseId: s.caseId, key: { keyId: key.id, passphrase: PASS }, outPath: join(dir, 'a.assay') });
    const b = await core.invoke('bundles.export', { caseId: s.caseId, key: { keyId: key.id, passphrase: PASS }, outPath: join(dir, 'b.assay') });
    assert.equal(a.bundleId, b.bundleId);
    assert.notEqual(a.sha256, b.sha256, 'the signature (time, ECDSA nonce) differs');
    const ea = await zipEntries(a.path);
    const eb = await zipEntries(b.path);
    assert.deepEqual([...ea.keys()], [...eb.keys()]);
    const differing = [...ea.keys()].filter((n) => ea.get(n) !== eb.get(n));
    assert.deepEqual(differing, [...ea.keys()].filter((n) => n.endsWith('.sigstore.json')));
    assert.equal((await core.invoke('custody.verify', { caseId: s.caseId })).head, caseHead, 'exporting does not change the case');
    const ws = core.context.db.prepare("SELECT action, details FROM custody_events WHERE chain = 'workstation' AND action = 'bundle.exported'").all() as { details: string }[];
    assert.equal(ws.length, 2);
    assert.equal(JSON.parse(ws[0]!.details).sha256, a.sha256);
    await assert.rejects(core.invoke('bundles.export', { caseId: s.caseId, key: { keyId: key.id, passphrase: PASS }, outPath: a.path }), /already exists/);

    // The bundle's custody log is the stored chain, verifiable with the core's formula.
    const report = await core.invoke('bundles.verify', { path: a.path, trust: { kind: 'store' } });
    assert.equal(report.ok, true, JSON.stringify(report.failures));
    const stored = (await core.invoke('custody.list', { caseId: s.caseId, limit: 1000 })).events;
    assert.deepEqual(report.contents.custody!.events.map(({ chain: _c, ...e }) => e), stored);
    assert.equal(verifyChain(report.contents.custody!.events).head, caseHead);
    assert.equal(report.contents.verifications!.verifications.length, 1);
    assert.equal(report.contents.decision!.decision!.outcome, 'rejected');
    assert.equal(report.predicate!.auditor.keyFingerprint, key.fingerprint);
    assert.equal(report.contents.manifest!.pdf.included, false, 'the test core has no PDF renderer');
    assert.match(report.contents.manifest!.pdf.reason!, /no PDF renderer/);
  });
});

test('a bundle is not exported while its records contradict each other: a stale decision must be decided again', async () => {
  await withCore(async (core, dir) => {
    const c = await core.invoke('cases.create', { name: 'stale' });
    for (const p of POINT_IDS) await core.invoke('checklist.set', { caseId: c.id, pointId: p, status: 'pass' });
    await core.invoke('decision.record', { caseId: c.id, outcome: 'approved', justification: 'All twenty points pass.' });
    await core.invoke('checklist.set', { caseId: c.id, pointId: 'P10', status: 'fail' });
    const key = await core.invoke('keys.generate', { label: 'Alice', passphrase: PASS });
    await rejects(core.invoke('bundles.export', { caseId: c.id, key: { keyId: key.id, passphrase: PASS }, outPath: join(dir, 'x.assay') }), 'rule_violation', /record a new decision/);
    await core.invoke('decision.record', { caseId: c.id, outcome: 'rejected', justification: 'P10 failed on re-review.' });
    const out = await core.invoke('bundles.export', { caseId: c.id, key: { keyId: key.id, passphrase: PASS }, outPath: join(dir, 'x.assay') });
    assert.equal((await core.invoke('bundles.verify', { path: out.path })).ok, true);
  });
});

test('the PDF capability of the face goes into the bundle; a failing renderer leaves a bundle that says why', async () => {
  const fakePdf = async (html: string) => new Uint8Array(Buffer.from(`%PDF-1.4\n% ${html.length} bytes of report\n/CreationDate (D:20990101000000)\n%%EOF\n`, 'latin1'));
  await withCore(async (core, dir) => {
    const c = await core.invoke('cases.create', { name: 'pdf' });
    const key = await core.invoke('keys.generate', { label: 'Alice', passphrase: PASS });
    const out = await core.invoke('bundles.export', { caseId: c.id, key: { keyId: key.id, passphrase: PASS }, outPath: join(dir, 'p.assay') });
    assert.deepEqual(out.pdf, { included: true, reason: null });
    assert.ok((await zipEntries(out.path)).has('report/report.pdf'));
  }, { capabilities: { renderPdf: fakePdf } });
  await withCore(async (core, dir) => {
    const c = await core.invoke('cases.create', { name: 'pdf' });
    const key = await core.invoke('keys.generate', { label: 'Alice', passphrase: PASS });
    const out = await core.invoke('bundles.export', { caseId: c.id, key: { keyId: key.id, passphrase: PASS }, outPath: join(dir, 'p.assay') });
    assert.equal(out.pdf.included, false);
    assert.match(out.pdf.reason!, /renderer failed \(no printer\)/);
    const z = await readZip(await readFile(out.path), (n) => n === 'report/report.html');
    assert.match(z.members.find((m) => m.name === 'report/report.html')!.bytes!.toString(), /No PDF rendition of this report is in the bundle: the PDF renderer failed/);
    assert.equal((await core.invoke('bundles.verify', { path: out.path })).ok, true);
  }, { capabilities: { renderPdf: async () => { throw new Error('no printer'); } } });
});

test('countersigning: a second auditor signs the same statement; the result verifies for whoever trusts either key', async () => {
  await withCore(async (core, dir) => {
    const c = await core.invoke('cases.create', { name: 'twice signed' });
    const alice = await core.invoke('keys.generate', { label: 'Alice', passphrase: PASS });
    const out = await core.invoke('bundles.export', { caseId: c.id, key: { keyId: alice.id, passphrase: PASS }, outPath: join(dir, 'a.assay') });
    const bobKey = join(dir, 'bob.pem');
    await writeFile(bobKey, generateSigningKey().export({ type: 'pkcs8', format: 'pem' }));
    const cs = await core.invoke('bundles.countersign', { path: out.path, key: { pemPath: bobKey }, outPath: join(dir, 'ab.assay') });
    assert.equal(cs.report.ok, true);
    assert.equal(cs.report.signatures.length, 2);
    assert.equal(new Set(cs.report.signatures.map((s) => s.fingerprint)).size, 2);
    const bobPub = join(dir, 'bob.pub.pem');
    await writeFile(bobPub, publicKeyPem(signerFromPrivateKey(createPrivateKey(await readFile(bobKey, 'utf8'))).publicKey));
    const byBob = await core.invoke('bundles.verify', { path: cs.path, trust: { kind: 'key-file', path: bobPub } });
    assert.equal(byBob.ok, true, JSON.stringify(byBob.failures));
    const original = await core.invoke('bundles.verify', { path: out.path, trust: { kind: 'key-file', path: bobPub } });
    assert.deepEqual(original.failures.map((f) => f.class), ['untrusted-signer']);
  });
});

test('the SARIF and the AI bill of materials of a bundle exported from the store validate against their schemas', async () => {
  const { createRequire } = await import('node:module');
  const { default: Ajv } = await import('ajv-draft-04');
  const { Spec, Validation } = await import('@cyclonedx/cyclonedx-library');
  const sarifSchema = createRequire(import.meta.url)('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as object;
  await withCore(async (core, dir) => {
    const s = await signedCase(core, dir);
    await writeFile(join(s.model, 'extra.py'), 'import os');
    await rm(join(core.context.dataDir, 'blobs'), { recursive: true });
    // A failing verification gives case-level trust findings beside the scan's per-file findings.
    await core.invoke('verify.model', { caseId: s.caseId, target: { setId: s.setId }, signature: { path: s.sigPath }, trust: { kind: 'key-file', path: s.pubPath } });
    const key = await core.invoke('keys.generate', { label: 'Alice', passphrase: PASS });
    const out = await core.invoke('bundles.export', { caseId: s.caseId, key: { keyId: key.id, passphrase: PASS }, outPath: join(dir, 'v.assay') });
    const z = await readZip(await readFile(out.path), (n) => n === 'case/findings.sarif.json' || n === 'aibom.cdx.json');
    const sarif = JSON.parse(z.members.find((m) => m.name === 'case/findings.sarif.json')!.bytes!.toString()) as { runs: { results: { ruleId: string }[] }[] };
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    const check = ajv.compile(sarifSchema);
    assert.equal(check(sarif), true, JSON.stringify(check.errors));
    assert.ok(sarif.runs[0]!.results.some((r) => r.ruleId === 'trust.file-unsigned'));
    const bom = z.members.find((m) => m.name === 'aibom.cdx.json')!.bytes!.toString();
    assert.equal(await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(bom), null);
  });
});

test('dataset provenance records of the case travel in the bundle as stored', async () => {
  await withCore(async (core, dir) => {
    const csv = join(dir, 'reviews.csv');
    await writeFile(csv, 'id,text\n1,hello\n');
    const c = await core.invoke('cases.create', { name: 'with a dataset' });
    const added = await core.invoke('artifacts.add', { caseId: c.id, paths: [csv], storage: 'import', kind: 'dataset' });
    const a = added.added[0]!;
    await core.invoke('datasets.setRecord', {
      datasetId: a.id, source: 'Example crawl, 2024', licence: 'CC-BY-4.0', collector: 'Example Lab', labeller: 'in-house',
      collectedFrom: '2024-01-01', collectedTo: '2024-02-01', accessNotes: '',
    });
    const key = await core.invoke('keys.generate', { label: 'Alice', passphrase: PASS });
    const out = await core.invoke('bundles.export', { caseId: c.id, key: { keyId: key.id, passphrase: PASS }, outPath: join(dir, 'd.assay') });
    const z = await readZip(await readFile(out.path), (n) => n === 'case/datasets.json' || n === 'aibom.cdx.json');
    const member = (name: string) => z.members.find((m) => m.name === name)!.bytes!.toString();
    const { datasets } = JSON.parse(member('case/datasets.json')) as { datasets: { provenance: { licence: string }; digests: { sha256: string }[] }[] };
    assert.equal(datasets.length, 1);
    assert.equal(datasets[0]!.provenance.licence, 'CC-BY-4.0');
    assert.equal(datasets[0]!.digests[0]!.sha256, a.sha256);
    // The AI bill of materials carries the same provenance on the dataset's `data` component.
    const bom = JSON.parse(member('aibom.cdx.json')) as { components: { type: string; properties?: { name: string; value: string }[] }[] };
    const data = bom.components.find((x) => x.type === 'data')!;
    assert.ok(data.properties!.some((p) => p.name === 'assay:provenance.licence' && p.value === 'CC-BY-4.0'));
  });
});
