// The `pickle` detail the UI shows: a bounded opcode listing with the call opcodes highlighted and
// linked to the resolved calls, the calls with classification and reason, globals, persistent ids.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BufferSource } from '../../../main/core/io/byte-source.ts';
import { scanSource } from '../../../main/core/scan/engine.ts';
import { LISTING_HEAD, type PickleDetail } from '../../../main/core/scan/pickle/index.ts';
import { PICKLE_ANALYZERS, scanFixture } from './fixtures.ts';

function detailOf(r: { units: Array<{ details: Record<string, unknown> }> }): PickleDetail {
  const d = r.units[0]!.details.pickle as PickleDetail | undefined;
  assert.ok(d, 'pickle detail stored');
  return d;
}

test('the detail lists opcodes, links the REDUCE to its resolved call and explains it', async () => {
  const d = detailOf(await scanFixture('m_os_system_p4.pkl'));
  assert.equal(d.streamCount, 1);
  const s = d.streams[0]!;
  assert.equal(s.protocol, 4);
  assert.equal(s.opcodes.length, s.opcodeCount, 'a short stream is listed whole');
  assert.deepEqual(s.opcodes.slice(0, 3).map((o) => [o.op, o.arg]), [['PROTO', '4'], ['FRAME', String(s.length - 11)], ['SHORT_BINUNICODE', "'posix'"]]);
  const reduce = s.opcodes.find((o) => o.op === 'REDUCE')!;
  assert.equal(reduce.tier, 'denied');
  const call = d.calls[reduce.call!]!;
  assert.equal(call.callable, 'posix.system');
  assert.equal(call.text, "posix.system('echo pwned')");
  assert.equal(call.ruleId, 'scan.pickle.code-execution');
  assert.match(call.reason, /operating-system commands/);
  assert.equal(call.at.byteOffset, reduce.byteOffset);
  const global = s.opcodes.find((o) => o.op === 'STACK_GLOBAL')!;
  assert.equal(global.tier, 'denied');
  assert.deepEqual(call.definedAt, { stream: 0, opcodeIndex: global.index, byteOffset: global.byteOffset });
  assert.deepEqual(d.globals.map((g) => [g.name, g.tier, g.calls]), [['posix.system', 'denied', 1]]);
});

test('a torch data.pkl detail carries the persistent ids and the allowlisted calls', async () => {
  const d = detailOf(await scanFixture('b_torch_datapkl_p2.pkl'));
  assert.equal(d.persistentIdCount, 3);
  assert.ok(d.persistentIds.every((p) => p.storage?.location === 'cpu'));
  assert.ok(d.calls.length > 0 && d.calls.every((c) => c.tier === 'allowed'));
  assert.ok(d.streams[0]!.opcodes.some((o) => o.op === 'BINPERSID' && o.tier === 'allowed'));
});

test('the listing is bounded: the head of the stream, then only opcodes that take part in calls', async () => {
  // A protocol 2 list of 30000 ints with an os.system call at the very end.
  const n = 30_000;
  const body: number[] = [0x80, 0x02, 0x5d, 0x28];
  for (let i = 0; i < n; i++) body.push(0x4b, i & 0xff);
  body.push(0x65, 0x30, ...Array.from('cos\nsystem\nX\x02\x00\x00\x00id\x85R.', (c) => c.charCodeAt(0)));
  const r = await scanSource(new BufferSource(Uint8Array.from(body)), { name: 'big.pkl', analyzers: PICKLE_ANALYZERS });
  assert.equal(r.verdict, 'malicious');
  const s = detailOf(r).streams[0]!;
  assert.ok(s.opcodeCount > n);
  const head = s.opcodes.filter((o) => o.index < LISTING_HEAD);
  assert.equal(head.length, LISTING_HEAD);
  const later = s.opcodes.filter((o) => o.index >= LISTING_HEAD).map((o) => o.op);
  assert.deepEqual(later, ['GLOBAL', 'REDUCE'], 'beyond the head only the call opcodes are listed');
  assert.equal(s.opcodesOmitted, s.opcodeCount - s.opcodes.length);
});
