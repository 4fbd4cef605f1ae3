import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { BufferSource } from '../../main/core/io/byte-source.ts';
import { countersignBundle, CountersignError } from '../../main/core/trust/bundle/countersign.ts';
import { exportBundle, exportBundleToFile } from '../../main/core/trust/bundle/export.ts';
import { ENTRY } from '../../main/core/trust/bundle/layout.ts';
import { verifyBundle, type BundleVerification } from '../../main/core/trust/bundle/verify.ts';
import { readZip } from '../../main/core/trust/bundle/zip-read.ts';
import { DeterministicZip } from '../../main/core/trust/bundle/zip-write.ts';
import { caseChain, eventHash } from '../../main/core/custody/chain.ts';
import { generateSigningKey, signerFromPrivateKey } from '../../main/core/trust/keys.ts';
import { parseSigstoreBundle } from '../../main/core/trust/sigstore-bundle.ts';
import { readFile } from 'node:fs/promises';
import { makeSnapshot, tempDir } from './fixtures.ts';
import { craftZip, type CraftEntry } from './zip-craft.ts';

const alice = signerFromPrivateKey(generateSigningKey());
const bob = signerFromPrivateKey(generateSigningKey());
const trustAlice = { keys: [{ label: 'alice', publicKey: alice.publicKey }] };
const NOW = () => new Date('2025-03-05T12:00:00.000Z');

const classes = (v: BundleVerification) => [...new Set(v.failures.map((f) => f.class))].sort();

async function entries(bytes: Uint8Array): Promise<{ name: string; bytes: Buffer }[]> {
  const z = await readZip(bytes, () => true);
  assert.deepEqual(z.problems, []);
  return z.members.map((m) => ({ name: m.name, bytes: m.bytes! }));
}

/** Rebuilds a bundle with edited entries (null removes an entry). */
async function rewrite(bytes: Uint8Array, edit: (list: { name: string; bytes: Buffer }[]) => { name: string; bytes: Buffer }[]): Promise<Buffer> {
  const z = new DeterministicZip();
  for (const e of edit(await entries(bytes))) z.addBytes(e.name, e.bytes);
  return z.toBuffer();
}

let cached: Buffer | null = null;
async function good(): Promise<Buffer> {
  cached ??= (await exportBundle(makeSnapshot(), alice, { now: NOW })).bytes;
  return cached;
}

test('an exported bundle verifies against the signer\'s key and lists every file', async () => {
  const bytes = await good();
  const v = await verifyBundle(bytes, trustAlice);
  assert.deepEqual(v.failures, []);
  assert.equal(v.ok, true);
  assert.equal(v.signatures.length, 1);
  assert.equal(v.signatures[0]!.trustedLabel, 'alice');
  assert.equal(v.signatures[0]!.signedAt, '2025-03-05T12:00:00.000Z');
  const names = (await entries(bytes)).map((e) => e.name);
  for (const required of Object.values(ENTRY).filter((n) => n !== ENTRY.reportPdf)) assert.ok(names.includes(required), required);
  const attachment = names.find((n) => n.startsWith('attachments/att000000/'));
  assert.ok(attachment && attachment.split('/').length === 3 && !attachment.split('/').includes('..'), `attachment names cannot climb out of their folder: ${attachment}`);
  assert.deepEqual(v.files.map((f) => f.status).filter((s) => s !== 'ok'), []);
  assert.equal(v.files.length, names.filter((n) => !n.startsWith('signatures/')).length);
  assert.equal(v.statement?.predicate.case.id, 'case0001');
  assert.equal(v.statement?.predicate.auditor.keyFingerprint, alice.fingerprint);
  assert.equal(v.statement?.predicate.decision?.outcome, 'approved');
  assert.equal(v.contents.case?.name, 'Tiny BERT intake');
  assert.equal(v.contents.findings?.findings.length, 4);
  // The same verification from a ByteSource (a large bundle need not be loaded whole).
  assert.equal((await verifyBundle(new BufferSource(bytes), trustAlice)).ok, true);
});

test('export is reproducible: every entry but the signature is byte-identical, and the signature is last', async () => {
  const s = makeSnapshot({ attachments: 3 });
  const a = await exportBundle(s, alice, { now: () => new Date('2025-03-05T12:00:00Z') });
  const b = await exportBundle(makeSnapshot({ attachments: 3 }), alice, { now: () => new Date('2025-04-01T08:30:00Z') });
  const ea = await entries(a.bytes);
  const eb = await entries(b.bytes);
  assert.deepEqual(ea.map((e) => e.name), eb.map((e) => e.name));
  for (let i = 0; i < ea.length; i++) {
    if (ea[i]!.name.endsWith('.sigstore.json')) assert.notDeepEqual(ea[i]!.bytes, eb[i]!.bytes);
    else assert.deepEqual(ea[i]!.bytes, eb[i]!.bytes, ea[i]!.name);
  }
  assert.equal(a.bundleId, b.bundleId);
  // Zip bytes are identical up to the first signature entry.
  const firstSig = ea.findIndex((e) => e.name.startsWith('signatures/'));
  assert.ok(firstSig > 0 && ea.slice(firstSig).every((e) => e.name.startsWith('signatures/')));
  let same = 0;
  while (a.bytes[same] === b.bytes[same]) same++;
  const sigOffset = a.bytes.indexOf(Buffer.from('signatures/00-'));
  assert.ok(same >= sigOffset, `bytes differ at ${same}, the signature entry starts at ${sigOffset}`);
  // The statements differ only in the signing time.
  const sa = JSON.parse(a.statement.toString());
  const sb = JSON.parse(b.statement.toString());
  assert.notEqual(sa.predicate.signedAt, sb.predicate.signedAt);
  sb.predicate.signedAt = sa.predicate.signedAt;
  assert.deepEqual(sa, sb);
});

test('bad signature: the statement was edited after signing', async () => {
  const bytes = await rewrite(await good(), (list) => list.map((e) => {
    if (!e.name.endsWith('.sigstore.json')) return e;
    const b = JSON.parse(e.bytes.toString());
    const st = JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString());
    st.predicate.decision.outcome = 'rejected';
    b.dsseEnvelope.payload = Buffer.from(JSON.stringify(st)).toString('base64');
    return { name: e.name, bytes: Buffer.from(JSON.stringify(b)) };
  }));
  const v = await verifyBundle(bytes, trustAlice);
  assert.equal(v.ok, false);
  assert.deepEqual(classes(v), ['bad-signature']);
});

test('untrusted signer: a valid signature by a key that is not trusted', async () => {
  const v = await verifyBundle(await good(), { keys: [{ label: 'bob', publicKey: bob.publicKey }] });
  assert.equal(v.ok, false);
  assert.deepEqual(classes(v), ['untrusted-signer']);
  assert.equal(v.signatures[0]!.valid, true);
  assert.equal(v.signatures[0]!.fingerprint, alice.fingerprint);
  const none = await verifyBundle(await good(), { keys: [] });
  assert.deepEqual(classes(none), ['untrusted-signer']);
});

test('file modified, added, removed and renamed are each named with the file', async () => {
  const modified = await verifyBundle(await rewrite(await good(), (l) => l.map((e) => (e.name === ENTRY.reportHtml ? { ...e, bytes: Buffer.from(e.bytes.toString().replace('Tiny BERT', 'Tiny BART')) } : e))), trustAlice);
  assert.deepEqual(classes(modified), ['file-modified']);
  assert.equal(modified.failures[0]!.path, ENTRY.reportHtml);

  const added = await verifyBundle(await rewrite(await good(), (l) => [...l.slice(0, 3), { name: 'case/extra-findings.json', bytes: Buffer.from('[]') }, ...l.slice(3)]), trustAlice);
  assert.deepEqual(classes(added), ['file-added']);
  assert.equal(added.failures[0]!.path, 'case/extra-findings.json');

  const removed = await verifyBundle(await rewrite(await good(), (l) => l.filter((e) => !e.name.startsWith('attachments/'))), trustAlice);
  assert.deepEqual(classes(removed), ['file-removed']);
  assert.match(removed.failures[0]!.message, /attachments\/att000000/);

  const renamed = await verifyBundle(await rewrite(await good(), (l) => l.map((e) => (e.name === ENTRY.sarif ? { ...e, name: 'case/findings.sarif' } : e))), trustAlice);
  assert.deepEqual(classes(renamed), ['file-renamed']);
  assert.match(renamed.failures[0]!.message, /case\/findings.sarif.json was renamed to case\/findings.sarif/);
});

test('a statement from another bundle: signatures moved from another case\'s export', async () => {
  const other = makeSnapshot();
  other.case = { ...other.case, id: 'case0002', name: 'Another case' };
  const otherBytes = (await exportBundle(other, alice, { now: NOW })).bytes;
  const otherSigs = (await entries(otherBytes)).filter((e) => e.name.startsWith('signatures/'));
  const swapped = await rewrite(await good(), (l) => [...l.filter((e) => !e.name.startsWith('signatures/')), ...otherSigs]);
  const v = await verifyBundle(swapped, trustAlice);
  assert.equal(v.ok, false);
  assert.deepEqual(classes(v), ['foreign-statement']);
  assert.match(v.failures[0]!.message, /case case0002/);
  // A second envelope over a different statement is also foreign.
  const mixed = await rewrite(await good(), (l) => [...l, ...otherSigs.map((e) => ({ ...e, name: e.name.replace('/00-', '/01-') }))]);
  assert.ok(classes(await verifyBundle(mixed, trustAlice)).includes('foreign-statement'));
});

test('custody chain: a broken chain is named whether it was exported broken or edited afterwards', async () => {
  const s = makeSnapshot();
  s.custody.events[1] = { ...s.custody.events[1]!, actor: 'mallory' };
  const v = await verifyBundle((await exportBundle(s, alice)).bytes, trustAlice);
  assert.deepEqual(classes(v), ['custody-broken']);
  assert.match(v.failures[0]!.message, /custody event 2/);

  const edited = await rewrite(await good(), (l) => l.map((e) => {
    if (e.name !== ENTRY.custody) return e;
    const c = JSON.parse(e.bytes.toString());
    c.events.pop();
    c.head = c.events.at(-1).hash;
    return { ...e, bytes: Buffer.from(JSON.stringify(c)) };
  }));
  const ve = await verifyBundle(edited, trustAlice);
  assert.deepEqual(classes(ve), ['custody-broken', 'file-modified']);
  assert.match(ve.failures.find((f) => f.class === 'custody-broken')!.message, /signature records custody head/);

  const extended = makeSnapshot();
  const fields = { chain: caseChain('case0001'), seq: extended.custody.events.length + 1, caseId: 'case0001', at: '2025-03-02T00:00:00.000Z', actor: 'alice', action: 'note', subject: 'x', details: {}, prevHash: extended.custody.head };
  extended.custody.events.push({ ...fields, hash: eventHash(fields) });
  const stale = await exportBundle(extended, alice);
  assert.deepEqual(classes(await verifyBundle(stale.bytes, trustAlice)), ['custody-broken'], 'the recorded head is not the chain\'s last hash');
});

test('checklist inconsistent with findings, and a decision the policy does not allow', async () => {
  const s = makeSnapshot({ severity: (i) => (i === 0 ? 'critical' : 'low') });
  // P10 stays `pass` although finding 0 (critical, open) is linked to it.
  const v = await verifyBundle((await exportBundle(s, alice)).bytes, trustAlice);
  assert.equal(v.ok, false);
  assert.deepEqual(classes(v), ['checklist-inconsistent', 'decision-inconsistent']);
  assert.match(v.failures[0]!.message, /P10 is marked pass while 1 open critical finding/);
  assert.match(v.failures.find((f) => f.class === 'decision-inconsistent')!.message, /does not allow "approved"/);

  const rejected = makeSnapshot({ severity: (i) => (i === 0 ? 'critical' : 'low'), status: (p) => (p === 'P10' ? 'fail' : 'pass'), decision: { outcome: 'rejected', conditions: [], justification: 'Critical finding open.', decidedBy: 'alice', decidedAt: '2025-03-02T00:00:00.000Z' } });
  const ok = await verifyBundle((await exportBundle(rejected, alice)).bytes, trustAlice);
  assert.deepEqual(ok.failures, []);
});

test('unsigned and malformed bundles', async () => {
  const unsigned = await verifyBundle(await rewrite(await good(), (l) => l.filter((e) => !e.name.startsWith('signatures/'))), trustAlice);
  assert.deepEqual(classes(unsigned), ['unsigned']);
  assert.equal(unsigned.ok, false);
  const broken = await verifyBundle(await rewrite(await good(), (l) => l.map((e) => (e.name === ENTRY.manifest ? { ...e, bytes: Buffer.from('{not json') } : e))), trustAlice);
  assert.deepEqual(classes(broken), ['file-modified', 'malformed']);
  const notZip = await verifyBundle(Buffer.from('PK\x03\x04 definitely not a zip'), trustAlice);
  assert.deepEqual(classes(notZip), ['hostile-zip']);
  assert.equal(notZip.ok, false);
});

test('hostile zips are classified without extracting anything', async () => {
  const base = await entries(await good());
  const asCraft = (extra: CraftEntry[]): Buffer => craftZip([...base.map((e) => ({ name: e.name, data: e.bytes })), ...extra]);
  const kinds = async (zip: Buffer) => {
    const v = await verifyBundle(zip, trustAlice);
    assert.ok(classes(v).includes('hostile-zip'), JSON.stringify(v.failures));
    assert.equal(v.ok, false);
    return v.failures.filter((f) => f.class === 'hostile-zip').map((f) => f.zipProblem);
  };
  // Sanity: the crafted copy of a good bundle verifies.
  assert.equal((await verifyBundle(asCraft([]), trustAlice)).ok, true);
  assert.deepEqual(await kinds(asCraft([{ name: '../../.bashrc', data: Buffer.from('evil') }])), ['traversal']);
  assert.deepEqual(await kinds(asCraft([{ name: '/etc/cron.d/x', data: Buffer.from('evil') }])), ['absolute-path']);
  assert.deepEqual(await kinds(asCraft([{ name: 'case\\..\\..\\x', data: Buffer.from('evil') }])), ['bad-name']);
  assert.deepEqual(await kinds(asCraft([{ name: ENTRY.case, data: Buffer.from('{"id":"evil"}') }])), ['duplicate']);
  assert.deepEqual(await kinds(asCraft([{ name: 'CASE/case.json', data: Buffer.from('{}') }])), ['duplicate']);
  assert.deepEqual(await kinds(asCraft([{ name: 'link', data: Buffer.from('/etc/passwd'), mode: 0o120777 }])), ['symlink']);
  assert.deepEqual(await kinds(asCraft([{ name: 'secret', data: Buffer.from('x'), flags: 1, deflate: true }])), ['encrypted']);
  assert.deepEqual(await kinds(asCraft([{ name: 'huge', data: Buffer.from('x'), declaredSize: 0xfffffff0, deflate: true }])), ['bomb']);
  // A stored entry whose sizes disagree is refused while reading the directory.
  assert.deepEqual(await kinds(asCraft([{ name: 'liar', data: Buffer.from('x'), declaredSize: 1000 }])), ['malformed']);
  const zeros = Buffer.alloc(8 * 1024 * 1024);
  assert.deepEqual(await kinds(asCraft([{ name: 'zeros.bin', data: zeros, deflate: true }])), ['bomb']);
  assert.ok(deflateRawSync(zeros).length * 1000 < zeros.length, 'the fixture really is a >1000-fold bomb');
  const overlapping = craftZip([...base.map((e) => ({ name: e.name, data: e.bytes })), { name: 'again', data: Buffer.alloc(0), sameLocalAs: 0 }]);
  assert.ok((await kinds(overlapping)).includes('overlap'));
});

test('countersigning adds a second envelope over the same statement; content entries keep their bytes', async () => {
  const original = await good();
  await assert.rejects(countersignBundle(original, alice, trustAlice), /already signed/);
  const both = await countersignBundle(original, bob);
  const v = await verifyBundle(both, { keys: [{ label: 'alice', publicKey: alice.publicKey }, { label: 'bob', publicKey: bob.publicKey }] });
  assert.deepEqual(v.failures, []);
  assert.equal(v.signatures.length, 2);
  assert.deepEqual(v.signatures.map((s) => s.trustedLabel), ['alice', 'bob']);
  const e1 = await entries(original);
  const e2 = await entries(both);
  assert.deepEqual(e2.slice(0, e1.length), e1);
  const payloads = e2.filter((e) => e.name.endsWith('.sigstore.json')).map((e) => parseSigstoreBundle(e.bytes).envelope.payload);
  assert.deepEqual(payloads[0], payloads[1]);
  // Bob alone trusted: still intact and signed by a trusted key.
  assert.equal((await verifyBundle(both, { keys: [{ label: 'bob', publicKey: bob.publicKey }] })).ok, true);
  // A tampered bundle is not countersigned.
  const tampered = await rewrite(original, (l) => l.map((e) => (e.name === ENTRY.case ? { ...e, bytes: Buffer.from(e.bytes.toString().replace('alice', 'mallory')) } : e)));
  await assert.rejects(countersignBundle(tampered, bob), (e: CountersignError) => /file-modified/.test(e.message));
});

test('model files are included only when asked, streamed and covered by the signature', async () => {
  const dir = await tempDir();
  const model = join(dir, 'model.safetensors');
  await writeFile(model, Buffer.alloc(300_000, 3));
  const out = join(dir, 'case.assay');
  const summary = await exportBundleToFile(makeSnapshot(), alice, out, { modelFiles: [{ name: 'tiny-bert/../model.safetensors', path: model }] });
  const bytes = await readFile(out);
  const v = await verifyBundle(bytes, trustAlice);
  assert.deepEqual(v.failures, []);
  const entry = summary.files.find((f) => f.name.startsWith('models/'));
  assert.equal(entry?.name, 'models/tiny-bert/model.safetensors');
  assert.equal(entry?.size, 300_000);
  const z = await readZip(bytes, () => false);
  assert.equal(z.members.find((m) => m.name === entry!.name)?.sha256, entry?.sha256);
  assert.equal((await exportBundle(makeSnapshot(), alice)).files.some((f) => f.name.startsWith('models/')), false);
});

test('model files whose names differ only by case are refused at export', async () => {
  const dir = await tempDir();
  await writeFile(join(dir, 'A.bin'), 'a');
  await writeFile(join(dir, 'a.bin'), 'b');
  await assert.rejects(exportBundle(makeSnapshot(), alice, { modelFiles: [{ name: 'm/A.bin', path: join(dir, 'A.bin') }, { name: 'm/a.bin', path: join(dir, 'a.bin') }] }), /differing only by case/);
});

test('a zip with more entries than the limit is refused as hostile', async () => {
  const { DEFAULT_ZIP_LIMITS } = await import('../../main/core/trust/bundle/zip-read.ts');
  const v = await verifyBundle(await good(), trustAlice, { limits: { ...DEFAULT_ZIP_LIMITS, maxEntries: 5 } });
  assert.equal(v.ok, false);
  assert.ok(v.failures.some((f) => f.zipProblem === 'too-many-entries'));
});
