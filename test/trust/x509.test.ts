import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPrivateKeyPem, signerFromPrivateKey } from '../../main/core/trust/keys.ts';
import { signModel } from '../../main/core/trust/oms/sign.ts';
import { verifyModelSignature } from '../../main/core/trust/oms/verify.ts';
import { hasCommand, makeModel, tempDir } from './fixtures.ts';

const skip = hasCommand('openssl') ? false : 'openssl is not installed: certificate-mode tests need it to build a test PKI';

interface Pki {
  dir: string;
  root: X509Certificate;
  otherRoot: X509Certificate;
  certs: Record<string, X509Certificate>;
  keys: Record<string, string>;
}

/** A root CA, an intermediate CA and leaves, made with the openssl command (P-256 CAs, P-384 leaf). */
async function buildPki(): Promise<Pki> {
  const dir = await tempDir('assay-pki-');
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ext = (name: string, body: string) => writeFileSync(join(dir, name), body);
  const key = (name: string, curve: string) => run('genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${curve}`, '-out', `${name}.key`);
  const selfSigned = (name: string) => {
    key(name, 'P-256');
    ext(`${name}.ext`, 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n');
    run('req', '-new', '-x509', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-days', '3650', '-out', `${name}.pem`, '-extensions', 'v3', '-config', `${name}.cnf`);
  };
  const issue = (name: string, issuer: string, curve: string, extensions: string) => {
    key(name, curve);
    ext(`${name}.ext`, `${extensions}\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n`);
    run('req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`);
    run('x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-days', '825', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
  };
  for (const r of ['root-ca', 'other-root']) {
    ext(`${r}.cnf`, '[req]\ndistinguished_name=dn\n[dn]\n[v3]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n');
    selfSigned(r);
  }
  issue('intermediate-ca', 'root-ca', 'P-256', 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign');
  issue('signer', 'intermediate-ca', 'P-384', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning');
  issue('eku-only', 'intermediate-ca', 'P-256', 'basicConstraints=CA:FALSE\nextendedKeyUsage=codeSigning');
  issue('tls-server', 'intermediate-ca', 'P-256', 'basicConstraints=CA:FALSE\nkeyUsage=critical,keyEncipherment\nextendedKeyUsage=serverAuth');
  issue('not-a-ca', 'root-ca', 'P-256', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature');
  issue('under-leaf', 'not-a-ca', 'P-256', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature');
  const cert = (n: string) => new X509Certificate(readFileSync(join(dir, `${n}.pem`)));
  const names = ['intermediate-ca', 'signer', 'eku-only', 'tls-server', 'not-a-ca', 'under-leaf'];
  return {
    dir, root: cert('root-ca'), otherRoot: cert('other-root'),
    certs: Object.fromEntries(names.map((n) => [n, cert(n)])),
    keys: Object.fromEntries(names.map((n) => [n, readFileSync(join(dir, `${n}.key`), 'utf8')])),
  };
}

/** Signs in key mode, then swaps the material for a certificate chain (leaf first, no root). */
async function certSign(model: string, keyPem: string, chain: X509Certificate[]): Promise<string> {
  const out = await signModel(model, signerFromPrivateKey(importPrivateKeyPem(keyPem)));
  const b = JSON.parse(out.json);
  b.verificationMaterial = { x509CertificateChain: { certificates: chain.map((c) => ({ rawBytes: c.raw.toString('base64') })) }, tlogEntries: [] };
  return JSON.stringify(b);
}

let pkiPromise: Promise<Pki> | null = null;
const pki = () => (pkiPromise ??= buildPki());

test('certificate mode: a chain to the supplied root verifies and names the signer', { skip }, async () => {
  const p = await pki();
  const model = await makeModel({ 'w.bin': 'weights' });
  const json = await certSign(model, p.keys.signer!, [p.certs.signer!, p.certs['intermediate-ca']!]);
  const r = await verifyModelSignature({ modelPath: model, signature: json, trust: { kind: 'certificate', roots: [p.root] } });
  assert.equal(r.ok, true, JSON.stringify(r.problems));
  assert.equal(r.mode, 'certificate');
  assert.ok(r.signer?.kind === 'certificate');
  assert.equal(r.signer.certificate.subject, 'CN=signer');
  assert.equal(r.signer.curve, 'P-384');
  assert.deepEqual(r.signer.chain.path.map((c) => c.subject), ['CN=signer', 'CN=intermediate-ca', 'CN=root-ca']);
  // The code-signing extended key usage alone also allows signing.
  const eku = await certSign(model, p.keys['eku-only']!, [p.certs['eku-only']!, p.certs['intermediate-ca']!]);
  assert.equal((await verifyModelSignature({ modelPath: model, signature: eku, trust: { kind: 'certificate', roots: [p.root] } })).ok, true);
});

test('certificate mode: another root, a missing intermediate, a non-signing certificate, a non-CA issuer and a validity instant outside the chain all fail', { skip }, async () => {
  const p = await pki();
  const model = await makeModel({ 'w.bin': 'weights' });
  const good = await certSign(model, p.keys.signer!, [p.certs.signer!, p.certs['intermediate-ca']!]);
  const check = async (json: string, roots: X509Certificate[], at?: Date) => verifyModelSignature({ modelPath: model, signature: json, trust: { kind: 'certificate', roots, at } });

  const otherRoot = await check(good, [p.otherRoot]);
  assert.equal(otherRoot.ok, false);
  assert.equal(otherRoot.signatureValid, true, 'the signature itself is valid, only the chain is not trusted');
  assert.match(otherRoot.problems[0]!.message, /no trusted root issued/);
  assert.ok(otherRoot.problems.every((x) => x.ruleId === 'trust.certificate-untrusted'));

  const noIntermediate = await check(await certSign(model, p.keys.signer!, [p.certs.signer!]), [p.root]);
  assert.equal(noIntermediate.ok, false);
  assert.match(noIntermediate.problems[0]!.message, /no trusted root issued "CN=signer"/);

  const tls = await check(await certSign(model, p.keys['tls-server']!, [p.certs['tls-server']!, p.certs['intermediate-ca']!]), [p.root]);
  assert.equal(tls.ok, false);
  assert.match(tls.problems.map((x) => x.message).join('\n'), /not meant for signing/);

  const underLeaf = await check(await certSign(model, p.keys['under-leaf']!, [p.certs['under-leaf']!, p.certs['not-a-ca']!]), [p.root]);
  assert.equal(underLeaf.ok, false);
  assert.match(underLeaf.problems.map((x) => x.message).join('\n'), /"CN=not-a-ca" issues certificates but is not a CA/);

  const later = await check(good, [p.root], new Date('2100-01-01T00:00:00Z'));
  assert.equal(later.ok, false);
  assert.match(later.problems.map((x) => x.message).join('\n'), /was not valid at 2100-01-01/);

  const keyMode = await signModel(model, signerFromPrivateKey(importPrivateKeyPem(p.keys.signer!)));
  const noCert = await check(keyMode.json, [p.root]);
  assert.equal(noCert.ok, false);
  assert.match(noCert.problems[0]!.message, /key mode/);
});

test('certificate mode: a valid chain with a signature by a different key is rejected', { skip }, async () => {
  const p = await pki();
  const model = await makeModel({ 'w.bin': 'weights' });
  const forged = await certSign(model, p.keys['eku-only']!, [p.certs.signer!, p.certs['intermediate-ca']!]);
  const r = await verifyModelSignature({ modelPath: model, signature: forged, trust: { kind: 'certificate', roots: [p.root] } });
  assert.equal(r.ok, false);
  assert.equal(r.signatureValid, false);
  assert.ok(r.problems.some((x) => x.ruleId === 'trust.signature-invalid'));
});
