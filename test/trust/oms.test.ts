import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IN_TOTO_PAYLOAD_TYPE, paeV02, signEnvelope } from '../../main/core/trust/dsse.ts';
import { encodeBase64 } from '../../main/core/trust/encoding.ts';
import { CURVE_INFO, generateSigningKey, omsKeyHint, publicKeyPem, signerFromPrivateKey, type Curve } from '../../main/core/trust/keys.ts';
import { signModel } from '../../main/core/trust/oms/sign.ts';
import { verifyModelSignature, type OmsVerification } from '../../main/core/trust/oms/verify.ts';
import { keyModeBundle } from '../../main/core/trust/sigstore-bundle.ts';
import { sign as cryptoSign } from 'node:crypto';
import { makeModel, tempDir } from './fixtures.ts';

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest();
const key = (curve: Curve = 'P-256') => signerFromPrivateKey(generateSigningKey(curve));

async function verify(modelPath: string, json: string, publicKey = signer.publicKey, signaturePath?: string): Promise<OmsVerification> {
  return verifyModelSignature({ modelPath, signature: json, signaturePath, trust: { kind: 'key', publicKey } });
}
const signer = key();

function statuses(r: OmsVerification): Record<string, string> {
  return Object.fromEntries(r.files.map((f) => [f.path, f.status]));
}

test('root digest known answer: a small folder computed by hand, ordered by path components', async () => {
  // "a/b" sorts before "a-b/x" by components ("a" < "a-b") although "a-b/x" < "a/b" as plain strings.
  const model = await makeModel({ 'a/b': 'B', 'a-b/x': 'X', 'z.bin': '', '.git/HEAD': 'ref', '.gitignore': '*.tmp' });
  const out = await signModel(model, signer);
  assert.deepEqual(out.resources.map((r) => r.name), ['a/b', 'a-b/x', 'z.bin']);
  assert.deepEqual(out.resources.map((r) => r.digest), [sha('B').toString('hex'), sha('X').toString('hex'), sha('').toString('hex')]);
  const byHand = sha(Buffer.concat([sha('B'), sha('X'), sha('')])).toString('hex');
  assert.equal(out.rootDigest, byHand);
  const st = JSON.parse(Buffer.from(out.statement).toString());
  assert.equal(st.subject[0].digest.sha256, byHand);
  assert.equal(st.subject[0].name, 'model');
  assert.equal(st.predicateType, 'https://model_signing/signature/v1.0');
  assert.deepEqual(st.predicate.serialization, { method: 'files', hash_type: 'sha256', allow_symlinks: false, ignore_paths: ['.git', '.gitattributes', '.github', '.gitignore'] });
  // The bundle layout of model_signing 1.x: key hint, no tlog entries, DSSE with an empty keyid.
  const b = JSON.parse(out.json);
  assert.equal(b.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
  assert.deepEqual(b.verificationMaterial, { publicKey: { hint: omsKeyHint(signer.publicKey) }, tlogEntries: [] });
  assert.equal(b.dsseEnvelope.payloadType, 'application/vnd.in-toto+json');
  assert.equal(b.dsseEnvelope.signatures[0].keyid, '');
  assert.equal(Buffer.from(b.dsseEnvelope.payload, 'base64').toString(), Buffer.from(out.statement).toString());
});

test('shard known answer: a 10-byte file in 4-byte shards; an empty file has no shard', async () => {
  const model = await makeModel({ f: '0123456789', empty: '' });
  const out = await signModel(model, signer, { method: 'shards', shardSize: 4 });
  assert.deepEqual(out.resources.map((r) => [r.name, r.algorithm, r.digest]), [
    ['f:0:4', 'sha256-sharded-4', sha('0123').toString('hex')],
    ['f:4:8', 'sha256-sharded-4', sha('4567').toString('hex')],
    ['f:8:10', 'sha256-sharded-4', sha('89').toString('hex')],
  ]);
  const st = JSON.parse(Buffer.from(out.statement).toString());
  assert.equal(st.predicate.serialization.shard_size, 4);
  const r = await verify(model, out.json);
  assert.equal(r.ok, true, JSON.stringify(r.problems));
  assert.deepEqual(statuses(r), { empty: 'not-covered', f: 'verified' });
});

for (const curve of ['P-256', 'P-384', 'P-521'] as Curve[]) {
  for (const method of ['files', 'shards'] as const) {
    test(`sign then verify: ${curve}, ${method}; a one-byte change is caught`, async () => {
      const s = key(curve);
      const model = await makeModel({ 'model.safetensors': Buffer.alloc(70_000, 7), 'config.json': '{"a":1}', 'sub/tok.json': '[]' });
      const out = await signModel(model, s, { method, shardSize: 32_768 });
      const ok = await verify(model, out.json, s.publicKey);
      assert.equal(ok.ok, true, JSON.stringify(ok.problems));
      assert.equal(ok.signer?.kind === 'key' && ok.signer.curve, curve);
      assert.equal(ok.counts.verified, 3);
      // DER ECDSA over the curve's own hash (SHA-384 for P-384, SHA-512 for P-521).
      assert.equal(CURVE_INFO[curve].hash, { 'P-256': 'sha256', 'P-384': 'sha384', 'P-521': 'sha512' }[curve]);
      const bytes = Buffer.alloc(70_000, 7);
      bytes[40_000] = 8;
      await writeFile(join(model, 'model.safetensors'), bytes);
      const bad = await verify(model, out.json, s.publicKey);
      assert.equal(bad.ok, false);
      assert.equal(bad.signatureValid, true);
      assert.deepEqual(statuses(bad), { 'config.json': 'verified', 'model.safetensors': 'modified', 'sub/tok.json': 'verified' });
      if (method === 'shards') assert.deepEqual(bad.files.find((f) => f.path === 'model.safetensors')?.shards, { signed: 3, matching: 2 });
      assert.deepEqual(bad.problems.map((p) => p.ruleId), ['trust.file-modified']);
    });
  }
}

test('per-file report: verified, modified, missing, extra, and a link where links are not allowed', async () => {
  const model = await makeModel({ 'a.bin': 'A', 'b.bin': 'B', 'c.bin': 'C' });
  const out = await signModel(model, signer);
  await writeFile(join(model, 'b.bin'), 'b');
  await unlink(join(model, 'c.bin'));
  await writeFile(join(model, 'loader.py'), 'import os');
  await symlink('/etc/hostname', join(model, 'link.bin'));
  const r = await verify(model, out.json);
  assert.equal(r.ok, false);
  assert.equal(r.signatureValid, true);
  assert.deepEqual(statuses(r), { 'a.bin': 'verified', 'b.bin': 'modified', 'c.bin': 'missing', 'link.bin': 'symlink', 'loader.py': 'extra' });
  assert.deepEqual(r.counts, { verified: 1, modified: 1, missing: 1, extra: 1, symlink: 1, unreadable: 0, 'not-covered': 0 });
  assert.deepEqual(new Set(r.problems.map((p) => p.ruleId)), new Set(['trust.file-modified', 'trust.file-missing', 'trust.file-unsigned', 'trust.symlink-in-signed-model']));
  assert.equal(r.files.find((f) => f.path === 'b.bin')?.actual, sha('b').toString('hex'));
});

test('the wrong key, an edited payload and a foreign hint each fail the signature', async () => {
  const model = await makeModel({ 'w.bin': 'W' });
  const out = await signModel(model, signer);
  const other = key();
  const wrong = await verify(model, out.json, other.publicKey);
  assert.equal(wrong.signatureValid, false);
  assert.deepEqual(wrong.problems.map((p) => p.ruleId), ['trust.key-hint-mismatch', 'trust.signature-invalid']);
  assert.equal(wrong.files.length, 0, 'files of an unverified statement are not reported as verified');

  const b = JSON.parse(out.json);
  const st = JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString());
  st.predicate.resources[0].digest = sha('evil').toString('hex');
  b.dsseEnvelope.payload = Buffer.from(JSON.stringify(st)).toString('base64');
  const edited = await verify(model, JSON.stringify(b));
  assert.equal(edited.signatureValid, false);
  assert.deepEqual(edited.problems.map((p) => p.ruleId), ['trust.signature-invalid']);

  const hinted = JSON.parse(out.json);
  hinted.verificationMaterial.publicKey.hint = '00'.repeat(32);
  const h = await verify(model, JSON.stringify(hinted));
  assert.equal(h.signatureValid, true);
  assert.equal(h.ok, false, 'the reference library refuses a bundle whose hint names another key');
  assert.deepEqual(h.problems.map((p) => p.ruleId), ['trust.key-hint-mismatch']);
});

test('malformed signature files are reported, never thrown', async () => {
  const model = await makeModel({ 'w.bin': 'W' });
  const out = await signModel(model, signer);
  const cases: [string, RegExp][] = [
    ['not json', /not JSON/],
    [JSON.stringify({ ...JSON.parse(out.json), mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1' }), /media type/],
    [JSON.stringify({ ...JSON.parse(out.json), dsseEnvelope: { ...JSON.parse(out.json).dsseEnvelope, signatures: [] } }), /exactly one signature/],
    [JSON.stringify({ ...JSON.parse(out.json), verificationMaterial: {} }), /no public key/],
  ];
  for (const [json, msg] of cases) {
    const r = await verify(model, json);
    assert.equal(r.ok, false);
    assert.equal(r.problems[0]?.ruleId, 'trust.signature-malformed');
    assert.match(r.problems[0]!.message, msg);
  }
});

function signStatement(statement: unknown, s = signer): string {
  const env = signEnvelope(Buffer.from(JSON.stringify(statement)), IN_TOTO_PAYLOAD_TYPE, s);
  return JSON.stringify(keyModeBundle(env, omsKeyHint(s.publicKey)));
}

test('a validly signed statement whose resources do not hash to its subject is refused', async () => {
  const model = await makeModel({ 'w.bin': 'W' });
  const json = signStatement({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'model', digest: { sha256: sha('something else').toString('hex') } }],
    predicateType: 'https://model_signing/signature/v1.0',
    predicate: { serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: false }, resources: [{ name: 'w.bin', algorithm: 'sha256', digest: sha('W').toString('hex') }] },
  });
  const r = await verify(model, json);
  assert.equal(r.signatureValid, true);
  assert.deepEqual(r.problems.map((p) => p.ruleId), ['trust.root-digest-mismatch']);
  assert.equal(r.ok, false);
});

test('signed ignore_paths are honoured, but entries escaping the model are not applied', async () => {
  const model = await makeModel({ 'w.bin': 'W', 'docs/readme.md': 'hi', 'notes.txt': 'n' });
  const digests = [sha('W')];
  const json = signStatement({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'model', digest: { sha256: sha(Buffer.concat(digests)).toString('hex') } }],
    predicateType: 'https://model_signing/signature/v1.0',
    predicate: {
      serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: false, ignore_paths: ['docs', 'notes.txt', '../outside', '/etc'] },
      resources: [{ name: 'w.bin', algorithm: 'sha256', digest: sha('W').toString('hex') }],
      unknownFutureField: { ignored: true },
    },
  });
  const r = await verify(model, json);
  assert.equal(r.ok, true, JSON.stringify(r.problems));
  assert.deepEqual(statuses(r), { 'w.bin': 'verified' });
  assert.equal(r.notes.filter((n) => /not applied/.test(n)).length, 2);
});

test('the signature file inside the model folder is excluded, as the reference signer records', async () => {
  const model = await makeModel({ 'w.bin': 'W' });
  const sigPath = join(model, 'model.sig');
  const out = await signModel(model, signer, { signaturePath: sigPath });
  await writeFile(sigPath, out.json);
  assert.ok((JSON.parse(Buffer.from(out.statement).toString()).predicate.serialization.ignore_paths as string[]).includes('model.sig'));
  const r = await verify(model, out.json);
  assert.equal(r.ok, true, JSON.stringify(r.problems));
});

test('single-file models: resource named by the file, or "." as older libraries wrote', async () => {
  const dir = await tempDir();
  const file = join(dir, 'model.onnx');
  await writeFile(file, 'onnx bytes');
  const out = await signModel(file, signer);
  assert.deepEqual(out.resources.map((r) => r.name), ['model.onnx']);
  assert.equal((await verify(file, out.json)).ok, true);
  const old = signStatement({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'model.onnx', digest: { sha256: sha(sha('onnx bytes')).toString('hex') } }],
    predicateType: 'https://model_signing/signature/v1.0',
    predicate: { serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: false }, resources: [{ name: '.', algorithm: 'sha256', digest: sha('onnx bytes').toString('hex') }] },
  });
  const r = await verify(file, old);
  assert.equal(r.ok, true, JSON.stringify(r.problems));
  assert.deepEqual(statuses(r), { 'model.onnx': 'verified' });
  // Renaming the one file does not invalidate the signature; changing its bytes does.
  const renamed = join(dir, 'renamed.onnx');
  await writeFile(renamed, 'onnx bytes');
  assert.equal((await verify(renamed, out.json)).ok, true);
  await writeFile(renamed, 'onnx bytes!');
  assert.deepEqual(statuses(await verify(renamed, out.json)), { 'renamed.onnx': 'modified' });
});

test('the v0.2 form (Digests/v0.1 statement over the malformed PAE) verifies with a legacy warning', async () => {
  const privateKey = generateSigningKey('P-384');
  const s = signerFromPrivateKey(privateKey);
  const model = await makeModel({ 'signme-1': 'signme-1', 'signme-2': 'signme-2' });
  const payload = Buffer.from(JSON.stringify({
    _type: 'https://in-toto.io/Statement/v1',
    subject: ['signme-1', 'signme-2'].map((n) => ({ name: n, digest: { sha256: sha(n).toString('hex') } })),
    predicateType: 'https://model_signing/Digests/v0.1',
    predicate: { unused: 'Unused, just passed due to API requirements' },
  }, null, 2));
  const sig = cryptoSign('sha256', paeV02(IN_TOTO_PAYLOAD_TYPE, payload), { key: privateKey, dsaEncoding: 'der' });
  const json = JSON.stringify({
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { publicKey: { rawBytes: Buffer.from(publicKeyPem(s.publicKey)).toString('base64'), keyDetails: 'PKIX_ECDSA_P384_SHA_384' } },
    dsseEnvelope: { payload: encodeBase64(payload), payloadType: IN_TOTO_PAYLOAD_TYPE, signatures: [{ sig: encodeBase64(sig), keyid: null }] },
  });
  const r = await verify(model, json, s.publicKey);
  assert.equal(r.ok, true, JSON.stringify(r.problems));
  assert.equal(r.signatureForm, 'v0.2-pae-sha256');
  assert.equal(r.statement?.compat, true);
  assert.ok(r.warnings.every((w) => w.ruleId === 'trust.legacy-signature') && r.warnings.length >= 2);
  const strict = await verifyModelSignature({ modelPath: model, signature: json, trust: { kind: 'key', publicKey: s.publicKey } }, { allowLegacy: false });
  assert.equal(strict.ok, false);
});

test('progress reaches the total and an abort stops hashing with the abort reason', async () => {
  const model = await makeModel({ 'big.bin': Buffer.alloc(12 * 1024 * 1024, 1), 'small.bin': 's' });
  const out = await signModel(model, signer);
  const seen: number[] = [];
  const r = await verifyModelSignature({ modelPath: model, signature: out.json, trust: { kind: 'key', publicKey: signer.publicKey } }, {
    onProgress: (p) => seen.push(p.bytesDone),
  });
  assert.equal(r.ok, true);
  assert.equal(seen.at(-1), 12 * 1024 * 1024 + 1);
  assert.ok(seen.every((v, i) => i === 0 || v >= seen[i - 1]!), 'progress never goes backwards');
  const ac = new AbortController();
  const reason = new Error('user cancelled');
  await assert.rejects(verifyModelSignature({ modelPath: model, signature: out.json, trust: { kind: 'key', publicKey: signer.publicKey } }, {
    signal: ac.signal,
    onProgress: (p) => { if (p.bytesDone > 0) ac.abort(reason); },
  }), (e) => e === reason);
});

test('signing refuses links and reports a model with nothing to sign', async () => {
  const model = await makeModel({ 'a.bin': 'A' });
  await symlink(join(model, 'a.bin'), join(model, 'b.bin'));
  await assert.rejects(signModel(model, signer), /symbolic link/);
  const empty = await makeModel({ '.gitignore': 'x' });
  await assert.rejects(signModel(empty, signer), /no regular files/);
  await rm(join(model, 'b.bin'));
  await mkdir(join(model, '.git'));
  await writeFile(join(model, '.git', 'config'), 'x');
  const out = await signModel(model, signer);
  assert.deepEqual(out.resources.map((r) => r.name), ['a.bin']);
});
