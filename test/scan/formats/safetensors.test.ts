import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSafetensors, concat, rawSafetensors } from './fixtures/safetensors.ts';
import { python } from './fixtures/python.ts';
import { ids, only, scan } from './fixtures/scan.ts';

const entry = (dtype: string, shape: number[], begin: number, end: number) => ({ dtype, shape, data_offsets: [begin, end] });
const header = (h: Record<string, unknown>) => JSON.stringify(h);

test('an ordinary safetensors file is clean with no findings', async () => {
  const bytes = buildSafetensors(
    [{ name: 'model.layers.0.weight', dtype: 'F32', shape: [4, 3] }, { name: 'model.layers.0.bias', dtype: 'BF16', shape: [3] }, { name: 'embed', dtype: 'I64', shape: [2, 2] }],
    { format: 'pt', source: 'unit test' },
  );
  const r = await scan(bytes, 'model.safetensors');
  assert.equal(r.format, 'safetensors');
  assert.equal(r.verdict, 'clean');
  assert.deepEqual(r.findings, []);
  const detail = r.units[0]!.details.safetensors as { tensors: number; dtypes: Record<string, number> };
  assert.equal(detail.tensors, 3);
  assert.deepEqual(detail.dtypes, { F32: 1, BF16: 1, I64: 1 });
});

test('sub-byte dtypes, empty tensors and unicode names are valid', async () => {
  const h = header({ 'poids.é': entry('F4', [4, 3], 0, 6), empty: entry('F32', [0, 5], 6, 6), six: entry('F6_E2M3', [4], 6, 9) });
  const r = await scan(rawSafetensors(h, new Uint8Array(9)), 'm.safetensors');
  assert.deepEqual(r.findings, []);
  assert.equal(r.verdict, 'clean');
});

test('a header length past the end of the file is malformed, not unanalysed', async () => {
  const good = buildSafetensors([{ name: 'w', dtype: 'F32', shape: [2] }]);
  const inflated = good.slice();
  new DataView(inflated.buffer).setBigUint64(0, 1_000_000n, true);
  const r = await scan(inflated, 'm.safetensors');
  assert.equal(r.format, 'safetensors');
  assert.equal(r.verdict, 'malformed');
  const [f] = only(r, 'scan.safetensors.header');
  assert.match(f!.message, /header length 1000000 runs past the end/);
  assert.equal(f!.location.byteOffset, 0);
});

test('a header length above the 100 MB limit is reported', async () => {
  const bytes = rawSafetensors('{"w":{}}', new Uint8Array(0), 200_000_000n);
  const r = await scan(bytes, 'm.safetensors');
  assert.match(only(r, 'scan.safetensors.header')[0]!.message, /exceeds the 100000000-byte limit/);
});

test('header bytes that are not UTF-8 or not JSON are reported with their position', async () => {
  const bad = rawSafetensors('{"w":1}', new Uint8Array(0));
  bad[10] = 0xff; // inside the key
  let r = await scan(bad, 'm.safetensors');
  assert.match(only(r, 'scan.safetensors.header')[0]!.message, /not valid UTF-8/);

  r = await scan(rawSafetensors('{"w": {"dtype": "F32",}}', new Uint8Array(0)), 'm.safetensors');
  const f = only(r, 'scan.safetensors.header')[0]!;
  assert.match(f.message, /not valid JSON/);
  assert.equal(f.location.byteOffset, 8 + 22);
});

test('duplicate keys are found although JSON.parse would hide them', async () => {
  const text = '{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}';
  assert.doesNotThrow(() => JSON.parse(text));
  const r = await scan(rawSafetensors(text, new Uint8Array(8)), 'm.safetensors');
  assert.equal(r.verdict, 'malformed');
  const [f] = only(r, 'scan.safetensors.duplicate-key');
  assert.equal(f!.location.jsonPath, '$.w');
  assert.match(f!.message, /key "w" appears more than once/);

  const inner = '{"w":{"dtype":"F32","dtype":"I64","shape":[1],"data_offsets":[0,4]}}';
  const r2 = await scan(rawSafetensors(inner, new Uint8Array(4)), 'm.safetensors');
  assert.equal(only(r2, 'scan.safetensors.duplicate-key')[0]!.location.jsonPath, '$.w.dtype');
});

test('an unknown dtype is named with its JSON path', async () => {
  const r = await scan(rawSafetensors(header({ 'layer.0': entry('F128', [1], 0, 16) }), new Uint8Array(16)), 'm.safetensors');
  const [f] = only(r, 'scan.safetensors.dtype');
  assert.equal(f!.location.jsonPath, '$["layer.0"].dtype');
  assert.match(f!.message, /"F128"/);
});

test('shape x dtype must equal the byte range, computed without overflow', async () => {
  let r = await scan(rawSafetensors(header({ w: entry('F32', [2, 3], 0, 20) }), new Uint8Array(20)), 'm.safetensors');
  let [f] = only(r, 'scan.safetensors.size-mismatch');
  assert.match(f!.message, /tensor "w": shape \[2, 3\] of F32 needs 24 bytes but data_offsets span 20/);
  assert.equal(f!.location.jsonPath, '$.w.data_offsets');

  // 2^62 x 2^62 elements: a 64-bit product wraps around to 0; BigInt does not.
  const huge = `{"w":{"dtype":"F32","shape":[4611686018427387904,4611686018427387904],"data_offsets":[0,0]}}`;
  r = await scan(rawSafetensors(huge, new Uint8Array(0)), 'm.safetensors');
  [f] = only(r, 'scan.safetensors.size-mismatch');
  assert.match(f!.message, /needs 85070591730234615865843651857942052864 bytes/);

  r = await scan(rawSafetensors(header({ w: entry('F4', [3], 0, 2) }), new Uint8Array(2)), 'm.safetensors');
  assert.match(only(r, 'scan.safetensors.size-mismatch')[0]!.message, /12 bits \(not whole bytes\)/);
});

test('offsets outside the data section and reversed ranges are reported', async () => {
  let r = await scan(rawSafetensors(header({ w: entry('F32', [4], 0, 16) }), new Uint8Array(8)), 'm.safetensors');
  assert.match(only(r, 'scan.safetensors.offsets')[0]!.message, /end 16 is past the 8-byte data section/);
  r = await scan(rawSafetensors(header({ w: entry('F32', [0], 8, 4) }), new Uint8Array(8)), 'm.safetensors');
  assert.match(only(r, 'scan.safetensors.offsets')[0]!.message, /end 4 is before begin 8/);
});

test('overlapping tensors and gaps are reported; an exact tiling is not', async () => {
  let r = await scan(rawSafetensors(header({ a: entry('F32', [2], 0, 8), b: entry('F32', [2], 4, 12) }), new Uint8Array(12)), 'm.safetensors');
  const overlaps = only(r, 'scan.safetensors.layout');
  assert.ok(overlaps.some((f) => /tensor "b" \(bytes 4-12\) overlaps tensor "a" \(bytes 0-8\)/.test(f.message)));

  r = await scan(rawSafetensors(header({ a: entry('F32', [1], 0, 4), b: entry('F32', [1], 8, 12) }), new Uint8Array(12)), 'm.safetensors');
  assert.match(only(r, 'scan.safetensors.layout')[0]!.message, /bytes 4-8 of the data section belong to no tensor \(gap before "b"\)/);

  // Same tensors in a different header order, tiling the data exactly: nothing to report.
  r = await scan(rawSafetensors(header({ b: entry('F32', [1], 4, 8), a: entry('F32', [1], 0, 4) }), new Uint8Array(8)), 'm.safetensors');
  assert.deepEqual(ids(r), []);
});

test('bytes after the last tensor are reported and scanned as their own unit', async () => {
  const hidden = Uint8Array.from(python('import pickle, sys\nsys.stdout.buffer.write(pickle.dumps({"a": 1}, protocol=4))'));
  const bytes = concat([buildSafetensors([{ name: 'w', dtype: 'F32', shape: [2] }]), hidden]);
  const r = await scan(bytes, 'm.safetensors');
  const [f] = only(r, 'scan.safetensors.layout');
  assert.match(f!.message, new RegExp(`${hidden.length} bytes after the last tensor`));
  const nested = r.units.find((u) => u.path.startsWith('unowned bytes'));
  assert.ok(nested, 'the trailing bytes are scanned');
  assert.equal(nested.format, 'pickle');
});

test('__metadata__ must map strings to strings', async () => {
  const text = '{"__metadata__":{"format":"pt","step":1000},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
  const r = await scan(rawSafetensors(text, new Uint8Array(4)), 'm.safetensors');
  const [f] = only(r, 'scan.safetensors.metadata');
  assert.equal(f!.location.jsonPath, '$.__metadata__.step');
  assert.match(f!.message, /"step" is the number 1000/);
  assert.equal(r.verdict, 'malformed');
});

test('malformed tensor entries name the missing or invalid field', async () => {
  let r = await scan(rawSafetensors('{"w":{"dtype":"F32","data_offsets":[0,4]}}', new Uint8Array(4)), 'm.safetensors');
  assert.equal(only(r, 'scan.safetensors.tensor-entry')[0]!.location.jsonPath, '$.w.shape');
  r = await scan(rawSafetensors('{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', new Uint8Array(4)), 'm.safetensors');
  assert.match(only(r, 'scan.safetensors.tensor-entry')[0]!.message, /shape is not a list of non-negative integers/);
  r = await scan(rawSafetensors('{"w":[1,2]}', new Uint8Array(0)), 'm.safetensors');
  assert.match(only(r, 'scan.safetensors.tensor-entry')[0]!.message, /entry is a list, not an object/);
});
