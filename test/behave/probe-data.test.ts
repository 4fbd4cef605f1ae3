// Probe rows read from datasets (CSV, TSV, JSON Lines through the dataset readers; .npy), bounded
// and checked against the model input's row length.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError } from '../../shared/api/errors.ts';
import { cellNumbers, probeFileFormat, readProbeData } from '../../main/core/behave/probe-data.ts';
import { tempDir } from '../helpers/core.ts';
import { npyBytes } from './helpers.ts';

async function withFiles(files: Record<string, string | Uint8Array>, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await tempDir('assay-probe-data-');
  try {
    for (const [name, content] of Object.entries(files)) await writeFile(join(dir.path, name), content);
    await fn(dir.path);
  } finally {
    await dir.remove();
  }
}

const csv = ['label,a,b,c', 'cat,1,2,3', 'dog,4,5,6', 'cat,7,8,9', ''].join('\n');

test('a cell holds a number, a numeric string or a JSON array of numbers; anything else is no number', () => {
  assert.deepEqual(cellNumbers(3), [3]);
  assert.deepEqual(cellNumbers(' 2.5 '), [2.5]);
  assert.deepEqual(cellNumbers('[[1, 2], [3]]'), [1, 2, 3]);
  assert.deepEqual(cellNumbers(true), [1]);
  for (const bad of ['cat', '', null, '[1, "x"]', '[]', '[1,', Number.NaN]) assert.equal(cellNumbers(bad as never), null, String(bad));
});

test('CSV rows: the numeric columns by default, in file order; a label column is left out', async () => {
  await withFiles({ 'rows.csv': csv }, async (dir) => {
    const r = await readProbeData({ path: join(dir, 'rows.csv'), format: 'csv', name: 'rows.csv', rowLength: 3 });
    assert.equal(r.matrix.rows, 3);
    assert.deepEqual(Array.from(r.matrix.values), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(r.columns, ['a', 'b', 'c']);
    assert.equal(r.truncated, false);
  });
});

test('chosen columns in the order given; a row count limit stops reading early and says so', async () => {
  await withFiles({ 'rows.csv': csv }, async (dir) => {
    const r = await readProbeData({ path: join(dir, 'rows.csv'), format: 'csv', name: 'rows.csv', rowLength: 2, columns: ['c', 'a'], maxRows: 2 });
    assert.deepEqual(Array.from(r.matrix.values), [3, 1, 6, 4]);
    assert.equal(r.truncated, true);
  });
});

test('rows that do not fit the input are refused with what to do (a numeric label column counted in)', async () => {
  const withNumericLabel = ['y,a,b,c', '0,1,2,3', '1,4,5,6'].join('\n');
  await withFiles({ 'rows.csv': withNumericLabel, 'text.csv': 'name,city\nann,paris\n' }, async (dir) => {
    await assert.rejects(readProbeData({ path: join(dir, 'rows.csv'), format: 'csv', name: 'rows.csv', rowLength: 3 }), (e: unknown) => {
      assert.ok(e instanceof ApiError && e.code === 'invalid_input');
      assert.match(e.message, /gives 4 values .* takes 3 per row .*label column/);
      return true;
    });
    await assert.rejects(readProbeData({ path: join(dir, 'rows.csv'), format: 'csv', name: 'rows.csv', rowLength: 3, columns: ['a', 'zz'] }), /no column zz/);
    await assert.rejects(readProbeData({ path: join(dir, 'text.csv'), format: 'csv', name: 'text.csv', rowLength: 1 }), /no column of its first row holds numbers/);
  });
});

test('JSON Lines with an array field, TSV, and .npy rows', async () => {
  const jsonl = [{ id: 'a', x: [[0.1, 0.2], [0.3, 0.4]] }, { id: 'b', x: [[1, 2], [3, 4]] }].map((r) => JSON.stringify(r)).join('\n');
  const npy = npyBytes('<f4', [3, 2, 2], Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
  await withFiles({ 'rows.jsonl': jsonl, 'rows.tsv': 'a\tb\n1\t2\n3\t4\n', 'rows.npy': npy }, async (dir) => {
    const j = await readProbeData({ path: join(dir, 'rows.jsonl'), format: 'jsonl', name: 'rows.jsonl', rowLength: 4 });
    assert.deepEqual(j.columns, ['x']);
    assert.deepEqual(Array.from(j.matrix.values), [0.1, 0.2, 0.3, 0.4, 1, 2, 3, 4]);
    const t = await readProbeData({ path: join(dir, 'rows.tsv'), format: 'tsv', name: 'rows.tsv', rowLength: 2 });
    assert.deepEqual(Array.from(t.matrix.values), [1, 2, 3, 4]);
    const n = await readProbeData({ path: join(dir, 'rows.npy'), format: 'numpy-npy', name: 'rows.npy', rowLength: 4, maxRows: 2 });
    assert.equal(n.matrix.rows, 2);
    assert.deepEqual(Array.from(n.matrix.values), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(n.truncated, true);
    await assert.rejects(readProbeData({ path: join(dir, 'rows.npy'), format: 'numpy-npy', name: 'rows.npy', rowLength: 3 }), /rows of shape \[2, 2\] \(4 values\); the model input takes 3/);
  });
});

test('a probe file\'s format comes from its content (.npy magic) or its name', () => {
  assert.equal(probeFileFormat('x.bin', Uint8Array.from([0x93, ...Buffer.from('NUMPY')])), 'numpy-npy');
  assert.equal(probeFileFormat('x.jsonl', new Uint8Array()), 'jsonl');
  assert.equal(probeFileFormat('x.TSV', new Uint8Array()), 'tsv');
  assert.equal(probeFileFormat('x.txt', Buffer.from('{"a": 1}')), 'jsonl');
  assert.equal(probeFileFormat('x.txt', Buffer.from('a,b\n1,2')), 'csv');
});
