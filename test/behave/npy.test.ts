import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NpyError, parseNpy } from '../../main/core/behave/npy.ts';

function npy(descr: string, shape: number[], data: ArrayBufferView, opts: { fortran?: boolean; version?: number } = {}): Uint8Array {
  const dict = `{'descr': '${descr}', 'fortran_order': ${opts.fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const version = opts.version ?? 1;
  const pre = version === 1 ? 10 : 12;
  let header = dict;
  while ((pre + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const head = new Uint8Array(pre + header.length);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const v = new DataView(head.buffer);
  if (version === 1) v.setUint16(8, header.length, true);
  else v.setUint32(8, header.length, true);
  head.set(new TextEncoder().encode(header), pre);
  return Buffer.concat([head, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)]);
}

test('float32 and int64 matrices are read row by row', () => {
  const f = parseNpy(npy('<f4', [2, 3], new Float32Array([1, 2, 3, 4, 5, 6])));
  assert.equal(f.rows, 2);
  assert.deepEqual(f.rowShape, [3]);
  assert.deepEqual(Array.from(f.values), [1, 2, 3, 4, 5, 6]);
  const i = parseNpy(npy('<i8', [3], new BigInt64Array([7n, -1n, 3n]), { version: 2 }));
  assert.deepEqual(Array.from(i.values), [7, -1, 3]);
  const b = parseNpy(npy('|b1', [2, 2], new Uint8Array([1, 0, 0, 1])));
  assert.deepEqual(Array.from(b.values), [1, 0, 0, 1]);
});

test('hostile or unsupported files are refused with a reason, never read past their end', () => {
  assert.throws(() => parseNpy(new Uint8Array([1, 2, 3])), NpyError);
  assert.throws(() => parseNpy(npy('>f4', [2], new Float32Array(2))), /unsupported dtype/);
  assert.throws(() => parseNpy(npy('<f4', [2, 2], new Float32Array(4), { fortran: true })), /Fortran/);
  const full = npy('<f4', [1000], new Float32Array(1000));
  assert.throws(() => parseNpy(full.subarray(0, 200)), /truncated/);
  assert.throws(() => parseNpy(npy('<f4', [100000, 100000], new Float32Array(1))), /exceed/);
  const lying = npy('<f4', [1], new Float32Array(1));
  new DataView(lying.buffer, lying.byteOffset).setUint16(8, 60000, true);
  assert.throws(() => parseNpy(lying), /header length/);
});
