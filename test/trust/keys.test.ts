import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import {
  generateSigningKey, importPrivateKeyPem, importPublicKeyPem, KeyError, keyFingerprint, omsKeyHint, publicKeyPem,
  shortFingerprint, signerFromPrivateKey,
} from '../../main/core/trust/keys.ts';
import { inspectSealedKey, openSealedKey, sealPrivateKey } from '../../main/core/trust/key-vault.ts';

const FAST = { scrypt: { N: 2 ** 12, r: 8, p: 1 } };

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof KeyError ? e.code : `other: ${(e as Error).message}`;
  }
  return 'no error';
}

test('imports PKCS#8 and SEC1 keys, encrypted or not, and names each passphrase problem', () => {
  const key = generateSigningKey('P-256');
  const fp = keyFingerprint(key);
  const forms = {
    pkcs8: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    sec1: key.export({ type: 'sec1', format: 'pem' }).toString(),
    pkcs8Enc: key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'correct horse' }).toString(),
    sec1Enc: key.export({ type: 'sec1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'correct horse' }).toString(),
  };
  assert.equal(keyFingerprint(importPrivateKeyPem(forms.pkcs8)), fp);
  assert.equal(keyFingerprint(importPrivateKeyPem(forms.sec1)), fp);
  assert.equal(keyFingerprint(importPrivateKeyPem(forms.pkcs8Enc, 'correct horse')), fp);
  assert.equal(keyFingerprint(importPrivateKeyPem(forms.sec1Enc, 'correct horse')), fp);
  assert.equal(code(() => importPrivateKeyPem(forms.pkcs8Enc)), 'passphrase-required');
  assert.equal(code(() => importPrivateKeyPem(forms.sec1Enc, 'wrong')), 'wrong-passphrase');
  assert.equal(code(() => importPrivateKeyPem(forms.pkcs8Enc, 'wrong')), 'wrong-passphrase');
  assert.equal(code(() => importPrivateKeyPem(publicKeyPem(key))), 'not-a-private-key');
  assert.equal(code(() => importPrivateKeyPem('hello')), 'not-a-key');
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  assert.equal(code(() => importPrivateKeyPem(rsa)), 'unsupported-key-type');
  const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  assert.equal(code(() => importPrivateKeyPem(k1)), 'unsupported-curve');
});

test('the fingerprint is the SHA-256 of the SPKI DER; the OMS hint is the SHA-256 of the PEM text', () => {
  const key = generateSigningKey('P-384');
  const der = createPublicKey(key).export({ type: 'spki', format: 'der' });
  assert.equal(keyFingerprint(key), createHash('sha256').update(der).digest('hex'));
  const pem = publicKeyPem(key);
  assert.match(pem, /^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n$/);
  assert.equal(omsKeyHint(key), createHash('sha256').update(pem).digest('hex'));
  assert.equal(keyFingerprint(importPublicKeyPem(pem)), keyFingerprint(key));
  assert.match(shortFingerprint(keyFingerprint(key)), /^[0-9a-f]{4}( [0-9a-f]{4}){3}$/);
  assert.equal(signerFromPrivateKey(key).fingerprint, keyFingerprint(key));
});

test('a sealed key opens only with its passphrase and never holds the key in clear', async () => {
  const key = generateSigningKey();
  const blob = await sealPrivateKey(key, 'pass phrase', FAST);
  const der = key.export({ type: 'pkcs8', format: 'der' });
  assert.ok(!blob.includes(der.toString('base64')), 'the PKCS#8 key is not in the blob');
  assert.ok(!blob.includes('PRIVATE KEY'));
  const info = inspectSealedKey(blob);
  assert.equal(info.fingerprint, keyFingerprint(key));
  assert.equal(info.kdf.name, 'scrypt');
  assert.equal(info.cipher.name, 'aes-256-gcm');
  assert.equal(keyFingerprint(await openSealedKey(blob, 'pass phrase')), keyFingerprint(key));
  await assert.rejects(openSealedKey(blob, 'pass phrasE'), (e: KeyError) => e.code === 'wrong-passphrase');
  await assert.rejects(sealPrivateKey(key, '', FAST), (e: KeyError) => e.code === 'passphrase-required');
});

test('a sealed key whose header was edited does not open, and hostile KDF costs are refused', async () => {
  const key = generateSigningKey();
  const other = generateSigningKey();
  const blob = JSON.parse(await sealPrivateKey(key, 'pw', FAST));
  const swapped = { ...blob, publicKey: publicKeyPem(other), fingerprint: keyFingerprint(other) };
  await assert.rejects(openSealedKey(JSON.stringify(swapped), 'pw'), (e: KeyError) => e.code === 'wrong-passphrase');
  const weakened = { ...blob, kdf: { ...blob.kdf, N: 2 ** 11 } };
  await assert.rejects(openSealedKey(JSON.stringify(weakened), 'pw'), (e: KeyError) => e.code === 'wrong-passphrase');
  const huge = { ...blob, kdf: { ...blob.kdf, N: 2 ** 30 } };
  await assert.rejects(openSealedKey(JSON.stringify(huge), 'pw'), (e: KeyError) => e.code === 'malformed');
  await assert.rejects(openSealedKey('{"format":"x"}', 'pw'), (e: KeyError) => e.code === 'malformed');
});

test('the default scrypt cost (N=2^17) seals and opens', async () => {
  const key = generateSigningKey();
  const blob = await sealPrivateKey(key, 'default cost');
  assert.equal(inspectSealedKey(blob).kdf.N, 2 ** 17);
  assert.equal(keyFingerprint(await openSealedKey(blob, 'default cost')), keyFingerprint(key));
});

test('trust anchors: public keys and certificates are described; private keys are refused', async () => {
  const { parseTrustAnchors } = await import('../../main/core/trust/trust-anchor.ts');
  const key = generateSigningKey('P-521');
  const [a] = parseTrustAnchors(`label line\n${publicKeyPem(key)}`);
  assert.deepEqual(a && { kind: a.kind, fingerprint: a.fingerprint, curve: a.kind === 'public-key' ? a.curve : null }, { kind: 'public-key', fingerprint: keyFingerprint(key), curve: 'P-521' });
  assert.throws(() => parseTrustAnchors(key.export({ type: 'pkcs8', format: 'pem' }).toString()), (e: KeyError) => e.code === 'not-a-key');
  assert.throws(() => parseTrustAnchors('nothing here'), (e: KeyError) => e.code === 'not-a-key');
  const { execFileSync } = await import('node:child_process');
  let pem: string;
  try {
    pem = execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', '/dev/null', '-subj', '/CN=Publisher Root', '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return; // no openssl: the certificate half is covered by x509.test.ts's skip message
  }
  const [c] = parseTrustAnchors(pem);
  assert.equal(c?.kind, 'certificate');
  if (c?.kind === 'certificate') {
    assert.equal(c.subject, 'CN=Publisher Root');
    assert.equal(c.isCa, true);
    assert.equal(c.selfSigned, true);
    assert.equal(c.fingerprint.length, 64);
  }
});
