import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson } from '../../main/core/util/canonical-json.ts';
import { eventHash, GENESIS_HASH, verifyChain, type ChainFields } from '../../main/core/custody/chain.ts';
import { withCore } from '../helpers/core.ts';

test('canonical JSON sorts keys, drops undefined, refuses NaN', () => {
  assert.equal(canonicalJson({ b: 1, a: [true, null, 'x'], c: undefined, d: { z: 0, y: 'é' } }), '{"a":[true,null,"x"],"b":1,"d":{"y":"é","z":0}}');
  assert.throws(() => canonicalJson({ x: Number.NaN }), /NaN/);
});

function chainOf(n: number): (ChainFields & { hash: string })[] {
  const events: (ChainFields & { hash: string })[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const fields: ChainFields = { chain: 'case:x', seq, caseId: 'x', at: `2026-01-01T00:00:0${seq}.000Z`, actor: 'a', action: 'checklist.set', subject: 'P01', details: { n: seq }, prevHash: prev };
    const hash = eventHash(fields);
    events.push({ ...fields, hash });
    prev = hash;
  }
  return events;
}

test('a chain verifies, and each kind of tampering names the first broken event', () => {
  const good = chainOf(5);
  const ok = verifyChain(good);
  assert.equal(ok.ok, true);
  assert.equal(ok.events, 5);
  assert.equal(ok.head, good[4]!.hash);

  const edited = good.map((e) => ({ ...e, details: { ...e.details } }));
  edited[2]!.details = { n: 99 };
  const r1 = verifyChain(edited);
  assert.equal(r1.ok, false);
  assert.equal(r1.firstBroken?.seq, 3);
  assert.match(r1.firstBroken!.reason, /edited/);

  const removed = [...good.slice(0, 1), ...good.slice(2)];
  const r2 = verifyChain(removed);
  assert.equal(r2.firstBroken?.seq, 3);
  assert.match(r2.firstBroken!.reason, /removed or inserted/);

  const rehashed = good.map((e) => ({ ...e }));
  rehashed[1] = { ...rehashed[1]!, actor: 'mallory' };
  rehashed[1]!.hash = eventHash(rehashed[1]!); // a forger recomputes the edited event's own hash...
  const r3 = verifyChain(rehashed);
  assert.equal(r3.firstBroken?.seq, 3); // ...but the next event still points at the old one
  assert.match(r3.firstBroken!.reason, /previous-hash/);
});

test('every change to a case writes a custody event, and editing a row behind the app is detected', async () => {
  await withCore(async (core) => {
    const c = await core.invoke('cases.create', { name: 'Custody' });
    await core.invoke('checklist.set', { caseId: c.id, pointId: 'P05', status: 'partial', notes: 'first' });
    await core.invoke('checklist.set', { caseId: c.id, pointId: 'P05', notes: 'second' });
    await core.invoke('cases.update', { caseId: c.id, description: 'now described' });
    const { events } = await core.invoke('custody.list', { caseId: c.id });
    assert.deepEqual(events.map((e) => e.action), ['case.created', 'checklist.set', 'checklist.set', 'case.updated']);
    assert.ok(events.every((e) => e.actor === 'test-auditor'));
    assert.equal((await core.invoke('custody.verify', { caseId: c.id })).ok, true);

    // Someone with the database file drops the guard and rewrites history.
    const db = core.context.db;
    db.exec('DROP TRIGGER custody_events_no_update');
    db.prepare("UPDATE custody_events SET details = ? WHERE chain = ? AND seq = 2").run('{"notesLength":5,"previousStatus":"not_reviewed","status":"pass"}', `case:${c.id}`);
    const status = await core.invoke('custody.verify', { caseId: c.id });
    assert.equal(status.ok, false);
    assert.equal(status.firstBroken?.seq, 2);
  });
});

test('no-op changes write no custody event', async () => {
  await withCore(async (core) => {
    const c = await core.invoke('cases.create', { name: 'Quiet' });
    await core.invoke('checklist.set', { caseId: c.id, pointId: 'P01', status: 'not_reviewed' });
    await core.invoke('cases.update', { caseId: c.id, name: 'Quiet' });
    assert.equal((await core.invoke('custody.list', { caseId: c.id })).total, 1);
  });
});
