import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import {
  IN_TOTO_PAYLOAD_TYPE, pae, paeV02, parseEnvelope, pythonBytesRepr, signEnvelope, verifyEnvelopeSignature,
} from '../../main/core/trust/dsse.ts';
import { generateSigningKey, signerFromPrivateKey } from '../../main/core/trust/keys.ts';
import { decodeBase64 } from '../../main/core/trust/encoding.ts';

test('PAE known answers: the DSSE specification example and a multi-byte payload', () => {
  // Lengths counted by hand: "http://example.com/HelloWorld" is 29 bytes, "hello world" 11.
  assert.equal(pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString('latin1'),
    'DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  // "application/vnd.in-toto+json" is 28 bytes; "é" is two bytes in UTF-8 (c3 a9).
  assert.deepEqual(pae(IN_TOTO_PAYLOAD_TYPE, Buffer.from('é', 'utf8')),
    Buffer.concat([Buffer.from('DSSEv1 28 application/vnd.in-toto+json 2 '), Buffer.from([0xc3, 0xa9])]));
  assert.equal(pae('t', new Uint8Array(0)).toString(), 'DSSEv1 1 t 0 ');
});

test('the v0.2 compatibility PAE reproduces Python\'s bytes repr', () => {
  assert.equal(pythonBytesRepr(Buffer.from('{"a": \'b\'}\n')), 'b\'{"a": \\\'b\\\'}\\n\'');
  assert.equal(pythonBytesRepr(Buffer.from("it's")), 'b"it\'s"');
  assert.equal(pythonBytesRepr(Buffer.from([0, 0xff, 0x5c, 0x09, 0x0d])), "b'\\x00\\xff\\\\\\t\\r'");
  assert.equal(paeV02(IN_TOTO_PAYLOAD_TYPE, Buffer.from('{}\n')).toString(), "DSSEV1 28 application/vnd.in-toto+json 3 b'{}\\n'");
});

for (const curve of ['P-256', 'P-384', 'P-521'] as const) {
  test(`envelope round trip with ${curve}; any change to payload or type breaks it`, () => {
    const signer = signerFromPrivateKey(generateSigningKey(curve));
    const env = signEnvelope(Buffer.from('{"x":1}'), IN_TOTO_PAYLOAD_TYPE, signer);
    const parsed = parseEnvelope(env);
    assert.deepEqual(verifyEnvelopeSignature(parsed, signer.publicKey), { valid: true, form: 'dsse-v1' });
    assert.equal(verifyEnvelopeSignature({ ...parsed, payload: Buffer.from('{"x":2}') }, signer.publicKey).valid, false);
    assert.equal(verifyEnvelopeSignature({ ...parsed, payloadType: 'text/plain' }, signer.publicKey).valid, false);
    const other = signerFromPrivateKey(generateSigningKey(curve));
    assert.equal(verifyEnvelopeSignature(parsed, other.publicKey).valid, false);
  });
}

test('a P-384 signature hashed with SHA-256 over the v0.2 PAE verifies only in legacy mode, and says so', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
  const payload = Buffer.from('{"_type":"x"}\n');
  const sig = cryptoSign('sha256', paeV02(IN_TOTO_PAYLOAD_TYPE, payload), { key: privateKey, dsaEncoding: 'der' });
  const env = parseEnvelope({ payload: payload.toString('base64'), payloadType: IN_TOTO_PAYLOAD_TYPE, signatures: [{ sig: sig.toString('base64'), keyid: null }] });
  assert.equal(verifyEnvelopeSignature(env, publicKey).valid, false);
  assert.deepEqual(verifyEnvelopeSignature(env, publicKey, { legacy: true }), { valid: true, form: 'v0.2-pae-sha256' });
});

test('envelopes must hold exactly one signature and real base64 (standard or URL-safe)', () => {
  assert.throws(() => parseEnvelope({ payload: 'e30', payloadType: 't', signatures: [] }), /exactly one signature/);
  assert.throws(() => parseEnvelope({ payload: 'e30', payloadType: 't', signatures: [{ sig: 'AA' }, { sig: 'AA' }] }), /exactly one/);
  assert.throws(() => parseEnvelope({ payload: 'not base64!', payloadType: 't', signatures: [{ sig: 'AA' }] }), /not base64/);
  assert.deepEqual(decodeBase64('-_8', 'x'), Buffer.from([0xfb, 0xff]));
  assert.deepEqual(decodeBase64('+/8=', 'x'), Buffer.from([0xfb, 0xff]));
  assert.equal(parseEnvelope({ payload: 'e30=', payloadType: 't', signatures: [{ sig: 'AA==', keyid: 'k1' }] }).keyid, 'k1');
});
