// Formats that carry pickles: joblib dumps (raw array bytes mid-stream), legacy PyTorch checkpoints
// (stacked pickles and storage records), NumPy .npy files, stacked streams and trailing bytes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { dump, findingsOf, fixture, fixturesDir, rules, scanBytes, scanFixture } from './fixtures.ts';

const ORACLE = new URL('../../fixtures/pickle/oracle.py', import.meta.url).pathname;

test('joblib: a call after the raw array bytes is found at its real offset', async () => {
  const r = await scanFixture('m_joblib_evil_after_array.joblib');
  assert.equal(r.format, 'joblib');
  assert.equal(r.verdict, 'malicious', dump(r));
  const f = findingsOf(r, 'scan.pickle.code-execution')[0]!;
  assert.equal(fixture('m_joblib_evil_after_array.joblib')[f.location.byteOffset!], 0x52, 'REDUCE after the array');
  assert.match(f.message, /posix\.system\('id'\)/);
});

test('joblib: array bytes are data for joblib but opcodes for plain pickle.load; both readings are checked', async () => {
  const r = await scanFixture('m_joblib_array_is_pickle.joblib');
  assert.equal(r.verdict, 'malicious', dump(r));
  const gap = findingsOf(r, 'scan.pickle.joblib-array')[0]!;
  assert.match(gap.message, /joblib reads as array data at byte \d+ are opcodes that make 1 call \(posix\.system\) when the file is read with plain pickle\.load/);
  // Neighbour: float arrays read as opcodes make no call, so the dump is clean and the arrays are skipped.
  const floats = await scanFixture('b_joblib_aligned.joblib');
  assert.deepEqual(floats.findings, []);
  assert.equal((floats.units[0]!.details.pickle as { streams: unknown[] }).streams.length, 1, 'no second reading kept');
});

test('joblib: a wrapper whose array cannot fit in the file is a structural finding', async () => {
  const r = await scanFixture('s_joblib_bad_shape.joblib');
  assert.ok(rules(r).includes('scan.pickle.joblib-array'), dump(r));
  assert.match(findingsOf(r, 'scan.pickle.joblib-array')[0]!.message, /too large|run past the end/);
  assert.notEqual(r.verdict, 'clean');
});

test('legacy PyTorch: a call in the model pickle is malicious; storage records that disagree are malformed', async () => {
  const evil = await scanFixture('m_legacy_evil.pt');
  assert.equal(evil.format, 'pytorch-legacy');
  assert.equal(evil.verdict, 'malicious');
  const f = findingsOf(evil, 'scan.pickle.code-execution')[0]!;
  assert.match(f.message, /^stream 3: /, 'the model is the fourth stacked pickle');

  const numel = await scanFixture('s_legacy_numel.pt');
  assert.equal(numel.verdict, 'malformed', dump(numel));
  assert.match(findingsOf(numel, 'scan.pickle.legacy-storage')[0]!.message, /declared with 6 elements but its record has 5/);

  const cut = await scanFixture('s_legacy_truncated.pt');
  assert.equal(cut.verdict, 'malformed', dump(cut));
  assert.match(findingsOf(cut, 'scan.pickle.legacy-storage')[0]!.message, /run past the end of the file/);

  const tail = await scanFixture('m_legacy_trailing_evil.pt');
  assert.equal(tail.verdict, 'malicious', dump(tail));
  const good = await scanFixture('b_torch_legacy.pt');
  assert.deepEqual(good.findings, []);
});

test('stacked pickles are all scanned; trailing bytes that are not a pickle are reported', async () => {
  const second = await scanFixture('m_stacked_second.pkl');
  assert.equal(second.verdict, 'malicious');
  assert.match(findingsOf(second, 'scan.pickle.code-execution')[0]!.message, /^stream 1: /);
  const stacked = await scanFixture('b_stacked.pkl');
  assert.deepEqual(stacked.findings, []);
  const trailing = await scanFixture('b_trailing_garbage.pkl');
  assert.equal(trailing.verdict, 'clean');
  const t = findingsOf(trailing, 'scan.pickle.trailing-data')[0]!;
  assert.equal(t.severity, 'low');
  assert.equal(t.location.byteOffset, fixture('b_trailing_garbage.pkl').indexOf(0x2e) + 1, 'right after STOP');
  const global = await scanFixture('m_trailing_global.pkl');
  assert.equal(global.verdict, 'malicious', dump(global));
  assert.match(findingsOf(global, 'scan.pickle.code-execution')[0]!.message, /imports `posix\.system`/);
});

test('a stream that calls and then breaks: malformed, and raised because the call already ran', async () => {
  for (const name of ['m_call_then_truncated.pkl', 'm_call_then_garbage.pkl']) {
    const r = await scanFixture(name);
    assert.equal(r.verdict, 'malicious');
    assert.ok(rules(r).includes('scan.pickle.malformed'), dump(r));
    const raised = findingsOf(r, 'scan.pickle.error-after-call')[0]!;
    assert.equal(raised.severity, 'high');
    assert.match(raised.message, /made 1 call \(`posix\.system`\) before it broke/);
  }
  // Neighbour: a stream that breaks before any call is only malformed.
  const early = await scanFixture('s_underflow.pkl');
  assert.equal(early.verdict, 'malformed');
  assert.deepEqual(rules(early), ['scan.pickle.malformed']);
  // A benign checkpoint cut short after its calls: suspicious, not malicious.
  const cut = await scanFixture('b_truncated.pkl');
  assert.equal(cut.verdict, 'suspicious', dump(cut));
});

test('.npy: object arrays run their pickle; numeric arrays must match their header', async () => {
  const evil = await scanFixture('m_npy_object.npy');
  assert.equal(evil.verdict, 'malicious');
  const exec = findingsOf(evil, 'scan.pickle.code-execution')[0]!;
  assert.match(exec.message, /^object array data: /);
  const header = fixture('m_npy_object.npy');
  assert.equal(header[exec.location.byteOffset!], 0x52, 'offsets point into the .npy file');

  const truncated = await scanFixture('s_npy_truncated.npy');
  assert.equal(truncated.verdict, 'malformed');
  assert.match(findingsOf(truncated, 'scan.numpy.size-mismatch')[0]!.message, /needs 80 data bytes but the file has 40/);
  const trailing = await scanFixture('s_npy_trailing.npy');
  assert.match(findingsOf(trailing, 'scan.numpy.size-mismatch')[0]!.message, /11 bytes follow the 16 data bytes/);
  const appended = await scanFixture('m_npy_trailing_pickle.npy');
  assert.equal(appended.verdict, 'malicious');
  for (const name of ['s_npy_bad_header.npy', 's_npy_bad_keys.npy']) {
    const r = await scanFixture(name);
    assert.equal(r.verdict, 'malformed', name);
    assert.deepEqual(rules(r), ['scan.numpy.header-malformed']);
  }
});

test('protocol 5 out-of-band buffers and frame violations are low findings', async () => {
  const oob = await scanFixture('b_oob_buffer.pkl');
  assert.deepEqual(rules(oob), ['scan.pickle.out-of-band-buffer']);
  assert.equal(oob.verdict, 'clean');
  const frame = await scanFixture('s_frame_violation.pkl');
  assert.deepEqual(rules(frame), ['scan.pickle.frame-violation']);
  const normal = await scanFixture('b_builtins_p4.pkl');
  assert.deepEqual(normal.findings, [], 'framed protocol 4 pickles are not violations');
});

test('a FRAME ending inside a GLOBAL line is also read as CPython reads data.pkl from io.BytesIO', async () => {
  // Read from memory the name is `builtins.seteval`; read from a file without peek() (torch.load's
  // BytesIO) the C unpickler drops the buffered 'set' and imports builtins.eval. CPython agrees:
  const truth = JSON.parse(execFileSync('python3', [ORACLE, join(fixturesDir(), 'm_frame_split_line.pkl')]).toString()) as Record<string, { calls: Array<[string, string]> }>;
  assert.deepEqual(Object.values(truth)[0]!.calls, [['builtins', 'eval']]);
  const r = await scanFixture('m_frame_split_line.pkl');
  assert.equal(r.verdict, 'malicious', dump(r));
  const exec = findingsOf(r, 'scan.pickle.code-execution')[0]!;
  assert.equal(exec.evidence?.callable, 'builtins.eval');
  assert.equal(fixture('m_frame_split_line.pkl')[exec.location.byteOffset!], 0x52, 'located at the real REDUCE');
  assert.ok(findingsOf(r, 'scan.pickle.frame-violation').some((f) => /drops 3 bytes at frame ends/.test(f.message)), dump(r));
  // The reading from memory is reported as well.
  assert.ok(findingsOf(r, 'scan.pickle.unknown-callable').some((f) => f.evidence?.callable === 'builtins.seteval'));
});

test('content decides, not the name: a pickle named .safetensors is still scanned', async () => {
  const r = await scanBytes(fixture('m_os_system_p2.pkl'), 'model.safetensors', true);
  assert.equal(r.format, 'pickle');
  assert.equal(r.verdict, 'malicious');
  assert.ok(rules(r).includes('scan.extension-mismatch'));
});
