import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeBatchFrame, encodeFrame, FrameReader, ProtocolError, type WorkerMessage } from '../../main/sandbox/protocol.ts';
import { parseWorkerMessage } from '../../main/core/behave/messages.ts';

function concat(chunks: Uint8Array[]): Uint8Array {
  return Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
}

const batch: WorkerMessage = {
  type: 'batch', id: 3, first: 0, rows: 2,
  outputs: [
    { name: 'a', dtype: 'float32', dims: [2, 2], data: new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer) },
    { name: 'b', dtype: 'int32', dims: [2], data: Buffer.from(new Int32Array([7, 9]).buffer) },
  ],
};

test('a frame with binary blobs (Uint8Array and Buffer) round-trips, even delivered byte by byte', () => {
  const bytes = concat(encodeFrame(batch));
  const reader = new FrameReader(1 << 20);
  const got: unknown[] = [];
  for (let i = 0; i < bytes.length; i++) got.push(...reader.push(bytes.subarray(i, i + 1)));
  assert.equal(got.length, 1);
  const m = parseWorkerMessage(got[0]);
  assert.ok(m && m.type === 'batch');
  assert.deepEqual(Array.from(new Float32Array(new Uint8Array(m.outputs[0]!.data).buffer)), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(new Int32Array(new Uint8Array(m.outputs[1]!.data).buffer)), [7, 9]);
  assert.equal(reader.pending, 0);
});

test('several frames in one chunk come out in order', () => {
  const a = concat(encodeFrame({ type: 'done', id: 1, rows: 4, generateMs: 1, inferMs: 2, totalMs: 3 }));
  const b = concat(encodeFrame({ type: 'self-test', checks: [] }));
  const out = new FrameReader(1 << 20).push(concat([a, b]));
  assert.deepEqual(out.map((m) => (m as { type: string }).type), ['done', 'self-test']);
});

test('a frame announcing more than the limit is refused before its body arrives', () => {
  const head = new Uint8Array(8);
  new DataView(head.buffer).setUint32(0, 10, true);
  new DataView(head.buffer).setUint32(4, 2 ** 31, true);
  assert.throws(() => new FrameReader(1 << 20).push(head), ProtocolError);
});

test('a header that is not JSON, or a blob table that does not match the body, is a protocol error', () => {
  const junk = new Uint8Array(8 + 3);
  new DataView(junk.buffer).setUint32(0, 3, true);
  junk.set([0x7b, 0x7b, 0x7b], 8);
  assert.throws(() => new FrameReader(1 << 20).push(junk), ProtocolError);
  const header = new TextEncoder().encode('{"m":{"type":"hello"},"b":[100]}');
  const lying = new Uint8Array(8 + header.length + 4);
  new DataView(lying.buffer).setUint32(0, header.length, true);
  new DataView(lying.buffer).setUint32(4, 4, true);
  lying.set(header, 8);
  assert.throws(() => new FrameReader(1 << 20).push(lying), ProtocolError);
});

test('worker messages are validated: wrong types and unknown kinds are rejected', () => {
  assert.ok(parseWorkerMessage({ type: 'done', id: 1, rows: 4, generateMs: 1, inferMs: 2, totalMs: 3 }));
  assert.equal(parseWorkerMessage({ type: 'done', id: -1, rows: 4, generateMs: 1, inferMs: 2, totalMs: 3 }), null);
  assert.equal(parseWorkerMessage({ type: 'batch', id: 1, first: 0, rows: 1, outputs: [{ name: 'x', dtype: 'string', dims: [1], data: new Uint8Array(1) }] }), null);
  assert.equal(parseWorkerMessage({ type: 'exec', command: 'rm -rf /' }), null);
  assert.equal(parseWorkerMessage(null), null);
});

test('a batch encoded from per-batch pieces is byte for byte the frame of the joined message', () => {
  const a1 = new Float32Array([1, 2]);
  const a2 = new Float32Array([3, 4]);
  const b1 = new Int32Array([7]);
  const b2 = new Int32Array([9]);
  const pieces = encodeBatchFrame(3, 0, 2, [
    { name: 'a', dtype: 'float32', dims: [2, 2], parts: [new Uint8Array(a1.buffer), new Uint8Array(a2.buffer)] },
    { name: 'b', dtype: 'int32', dims: [2], parts: [new Uint8Array(b1.buffer), new Uint8Array(b2.buffer)] },
  ]);
  assert.deepEqual(concat(pieces), concat(encodeFrame(batch)));
});

test('frame bodies start 8-byte aligned, so a reassembled frame hands out float blobs that need no copy', () => {
  for (let nameLength = 1; nameLength <= 16; nameLength++) {
    const values = Float64Array.from({ length: 40_000 }, (_, i) => i / 3);
    const message: WorkerMessage = { type: 'batch', id: 1, first: 0, rows: 40_000, outputs: [{ name: 'x'.repeat(nameLength), dtype: 'float64', dims: [40_000], data: new Uint8Array(values.buffer) }] };
    const bytes = concat(encodeFrame(message));
    const headerLen = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
    assert.equal((8 + headerLen) % 8, 0);
    // Delivered in pieces, as a socket does: the reader joins them into a buffer of the frame's own.
    const reader = new FrameReader(1 << 20);
    const got: unknown[] = [];
    for (let at = 0; at < bytes.length; at += 65_536) got.push(...reader.push(bytes.subarray(at, at + 65_536)));
    const m = parseWorkerMessage(got[0]);
    assert.ok(m && m.type === 'batch');
    const data = m.outputs[0]!.data;
    assert.equal(data.byteOffset % 8, 0);
    assert.deepEqual(new Float64Array(data.buffer, data.byteOffset, 40_000), values);
  }
});
