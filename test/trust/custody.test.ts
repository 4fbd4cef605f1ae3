// Bundles carry the case's custody chain exactly as the store holds it, and the verifier
// recomputes it with the core's formula (main/core/custody/chain.ts): these tests pin that the
// two agree, and that the bundle-specific checks (chain name, head) name what is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { caseChain, eventHash, GENESIS_HASH, verifyChain } from '../../main/core/custody/chain.ts';
import { exportBundle, verifyBundle } from '../../main/core/trust/index.ts';
import { generateSigningKey, signerFromPrivateKey } from '../../main/core/trust/keys.ts';
import { canonicalJson, stableJson } from '../../main/core/trust/canonical-json.ts';
import { makeSnapshot } from './fixtures.ts';

test('event hash known answer: SHA-256 of the core preimage (version, chain name, sorted keys)', () => {
  const e = { chain: 'case:abcd1234', seq: 1, caseId: 'abcd1234', at: '2025-03-01T09:00:00.000Z', actor: 'a', action: 'x', subject: 's', details: { b: 2, a: [1, 'é'] }, prevHash: GENESIS_HASH };
  const preimage = `{"action":"x","actor":"a","at":"2025-03-01T09:00:00.000Z","caseId":"abcd1234","chain":"case:abcd1234","details":{"a":[1,"é"],"b":2},"prevHash":"${GENESIS_HASH}","seq":1,"subject":"s","v":1}`;
  assert.equal(eventHash(e), createHash('sha256').update(preimage, 'utf8').digest('hex'));
});

test('the snapshot fixture chain verifies with the core formula', () => {
  const s = makeSnapshot();
  const status = verifyChain(s.custody.events);
  assert.equal(status.ok, true);
  assert.equal(status.head, s.custody.head);
});

test('a chain of another case is custody-broken even when its hashes are right', async () => {
  const s = makeSnapshot();
  let prev = GENESIS_HASH;
  s.custody.events = s.custody.events.map((e) => {
    const fields = { ...e, chain: caseChain('othercase'), caseId: 'othercase', prevHash: prev };
    const { hash: _old, ...rest } = fields;
    const moved = { ...rest, hash: eventHash(rest) };
    prev = moved.hash;
    return moved;
  });
  s.custody.head = prev;
  const alice = signerFromPrivateKey(generateSigningKey());
  const v = await verifyBundle((await exportBundle(s, alice)).bytes, { keys: [{ label: 'alice', publicKey: alice.publicKey }] });
  assert.deepEqual([...new Set(v.failures.map((f) => f.class))], ['custody-broken']);
  assert.match(v.failures[0]!.message, /belongs to case:othercase/);
});

test('canonical JSON is the core\'s: sorted keys, no whitespace, "__proto__" kept as data; stableJson pretty-prints the same order', () => {
  assert.equal(canonicalJson({ b: [1, 'x'], a: { d: null, c: 1.5e-7 }, e: undefined }), '{"a":{"c":1.5e-7,"d":null},"b":[1,"x"]}');
  assert.equal(canonicalJson(JSON.parse('{"z":1,"__proto__":{"x":1}}')), '{"__proto__":{"x":1},"z":1}');
  assert.equal(stableJson({ b: 1, a: 2 }), '{\n  "a": 2,\n  "b": 1\n}\n');
  assert.throws(() => canonicalJson({ n: Number.NaN }), /NaN/);
});
