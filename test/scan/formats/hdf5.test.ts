import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BufferSource, type ByteSource } from '../../../main/core/io/byte-source.ts';
import { readRootAttributes } from '../../../main/core/scan/formats/hdf5/reader.ts';
import { buildHdf5, buildHdf5V2, type H5Attribute } from './fixtures/hdf5.ts';
import { only, scan } from './fixtures/scan.ts';

type JsFive = { File: new (buffer: ArrayBuffer, name: string) => { attrs: Record<string, unknown> } };
const loadJsFive = async (): Promise<JsFive> => (await import('jsfive' as string)) as JsFive;

const ATTRS: H5Attribute[] = [
  { name: 'keras_version', value: '2.15.0' },
  { name: 'backend', value: 'tensorflow', vlen: true },
  { name: 'model_config', value: JSON.stringify({ class_name: 'Sequential', config: { layers: [] } }), vlen: true },
];

test('the fixture writer produces files an independent HDF5 reader (jsfive) accepts, and both readers agree', async () => {
  const jsfive = await loadJsFive();
  for (const options of [{}, { continuation: true }]) {
    const bytes = buildHdf5(ATTRS, options);
    const theirs = new jsfive.File(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer, 'model.h5').attrs;
    const ours = await readRootAttributes(new BufferSource(bytes));
    assert.deepEqual(Object.fromEntries(ours.attributes.map((a) => [a.name, a.value])), theirs);
    assert.equal(ours.superblockVersion, 0);
  }
});

test('version 2 superblocks and object headers are read', async () => {
  const ours = await readRootAttributes(new BufferSource(buildHdf5V2([{ name: 'model_config', value: '{"class_name":"Sequential","config":{}}' }])));
  assert.equal(ours.superblockVersion, 2);
  assert.deepEqual(ours.attributes.map((a) => a.name), ['model_config']);
});

test('only the root header is read: a large weights file is not loaded', async () => {
  const header = buildHdf5(ATTRS);
  let read = 0;
  const big: ByteSource = {
    size: 2 * 1024 * 1024 * 1024,
    async read(offset, length) {
      read += length;
      const out = new Uint8Array(Math.min(length, this.size - offset));
      if (offset < header.length) out.set(header.subarray(offset, offset + out.length));
      return out;
    },
  };
  const ours = await readRootAttributes(big);
  assert.equal(ours.attributes.length, 3);
  assert.ok(read < 1024 * 1024, `read ${read} bytes`);
});

test('a weights-only HDF5 file (as in .keras archives) is clean', async () => {
  const r = await scan(buildHdf5([]), 'model.weights.h5');
  assert.equal(r.format, 'hdf5');
  assert.deepEqual(r.findings, []);
  assert.equal(r.verdict, 'clean');
});

test('dense attribute storage is reported as unsupported, not clean', async () => {
  const r = await scan(buildHdf5([{ name: 'keras_version', value: '3.0' }], { denseStorage: true }), 'model.h5');
  const [f] = only(r, 'scan.hdf5.unsupported');
  assert.match(f!.message, /dense storage/);
  assert.equal(r.verdict, 'unsupported');
});

test('broken structure is a malformed finding with the offending offset', async () => {
  const bytes = buildHdf5(ATTRS);
  // Point the root object header past the end of the file.
  const bad = bytes.slice();
  new DataView(bad.buffer).setBigUint64(56 + 8, 1n << 40n, true);
  let r = await scan(bad, 'model.h5');
  let [f] = only(r, 'scan.hdf5.malformed');
  assert.match(f!.message, /root group object header at 1099511627776 is past the end/);
  assert.equal(f!.location.byteOffset, 56);
  assert.equal(r.verdict, 'malformed');

  const truncated = bytes.subarray(0, bytes.length - 20);
  r = await scan(truncated, 'model.h5');
  [f] = only(r, 'scan.hdf5.malformed');
  assert.ok(f, 'truncated file is malformed');

  const badSizes = bytes.slice();
  badSizes[13] = 3;
  r = await scan(badSizes, 'model.h5');
  assert.match(only(r, 'scan.hdf5.malformed')[0]!.message, /3-byte offsets/);
});
