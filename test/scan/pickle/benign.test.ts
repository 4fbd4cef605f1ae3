// The benign set: real-shaped PyTorch, NumPy, joblib and scikit-learn pickles must come out clean,
// with no finding of medium severity or above (zero false positives is a requirement).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BufferSource } from '../../../main/core/io/byte-source.ts';
import { walkPickle } from '../../../main/core/scan/pickle/index.ts';
import { dump, findingsOf, fixture, manifest, rules, scanFixture } from './fixtures.ts';

const SERIOUS = new Set(['medium', 'high', 'critical']);
/** Benign fixtures that are deliberately broken (they test error handling, not false positives). */
const BROKEN_ON_PURPOSE = new Set(['b_truncated.pkl']);

test('every benign fixture scans clean with nothing of medium severity or above', async () => {
  const names = Object.keys(manifest()).filter((n) => n.startsWith('b_') && !BROKEN_ON_PURPOSE.has(n));
  assert.ok(names.length >= 30, `expected the full benign set, got ${names.length}`);
  for (const name of names) {
    const r = await scanFixture(name);
    assert.equal(r.verdict, 'clean', `${name}:\n${dump(r)}`);
    const serious = r.findings.filter((f) => SERIOUS.has(f.severity));
    assert.deepEqual(serious, [], `${name}:\n${dump(r)}`);
  }
});

test('builtins set, frozenset, slice, complex and collections pickle clean in protocols 0 to 5', async () => {
  for (let p = 0; p <= 5; p++) {
    const r = await scanFixture(`b_builtins_p${p}.pkl`);
    assert.equal(r.verdict, 'clean', dump(r));
    assert.deepEqual(r.findings, []);
    assert.equal(r.format, 'pickle');
  }
});

test('a PyTorch data.pkl exposes its storages as persistent ids through walkPickle', async () => {
  for (const p of [2, 4]) {
    const bytes = fixture(`b_torch_datapkl_p${p}.pkl`);
    const w = await walkPickle(new BufferSource(bytes));
    const storages = w.persistentIds.map((id) => id.storage);
    assert.equal(w.persistentIdCount, 3, 'three tensors reference storages');
    assert.deepEqual(
      [...new Map(storages.map((s) => [s?.key, s])).values()].sort((a, b) => String(a?.key).localeCompare(String(b?.key))),
      [{ type: 'torch.FloatStorage', key: '0', location: 'cpu', numel: 6 }, { type: 'torch.LongStorage', key: '1', location: 'cpu', numel: 3 }],
    );
    assert.equal(w.streams.length, 1);
    assert.equal(w.streams[0]!.error, null);
    const called = w.globals.filter((g) => g.use.calls > 0).map((g) => `${g.module}.${g.name}`).sort();
    assert.deepEqual(called, ['collections.OrderedDict', 'torch._utils._rebuild_tensor_v2']);
    assert.ok(w.globals.every((g) => g.classification.tier === 'allowed'));
  }
});

test('a plain pickle.dump of a tensor is clean: the loader is noted and its embedded stream scanned', async () => {
  for (const p of [2, 4]) {
    const r = await scanFixture(`b_torch_plain_pickle_p${p}.pkl`);
    assert.equal(r.verdict, 'clean', dump(r));
    const notes = findingsOf(r, 'scan.pickle.embedded-loader');
    assert.equal(notes.length, 1);
    assert.equal(notes[0]!.severity, 'info');
    assert.match(notes[0]!.message, /torch\.storage\._load_from_bytes/);
    const nested = r.units.find((u) => u.path.startsWith('bytes@'));
    assert.ok(nested, `a nested unit for the embedded bytes: ${r.units.map((u) => u.path).join(', ')}`);
    assert.equal(nested.format, 'pytorch-legacy', 'the embedded bytes are a legacy torch.save stream');
  }
});

test('scikit-learn-shaped estimators are unknown-but-common: info findings naming the classes, verdict clean', async () => {
  for (const name of ['b_sklearn_p2.pkl', 'b_sklearn_pipeline.joblib']) {
    const r = await scanFixture(name);
    assert.equal(r.verdict, 'clean', dump(r));
    assert.deepEqual(rules(r), ['scan.pickle.common-callable']);
    const named = findingsOf(r, 'scan.pickle.common-callable').map((f) => f.evidence?.callable);
    for (const cls of ['sklearn.pipeline.Pipeline', 'sklearn.linear_model._logistic.LogisticRegression', 'sklearn.tree._tree.Tree']) {
      assert.ok(named.includes(cls), `${cls} in ${named.join(', ')}`);
    }
    assert.ok(findingsOf(r, 'scan.pickle.common-callable').every((f) => f.severity === 'info'));
  }
});

test('joblib dumps are parsed past their raw array bytes', async () => {
  const r = await scanFixture('b_joblib_aligned.joblib');
  assert.equal(r.format, 'joblib');
  assert.equal(r.verdict, 'clean', dump(r));
  const detail = r.units[0]!.details.pickle as { rawRegions: Array<{ what: string; length: number }>; streams: Array<{ error: unknown }> };
  assert.equal(detail.rawRegions.length, 3, 'three arrays skipped');
  assert.ok(detail.rawRegions.some((x) => x.what.includes('(3, 4)') && x.length >= 48), JSON.stringify(detail.rawRegions));
  assert.equal(detail.streams[0]!.error, null);

  const older = await scanFixture('b_joblib_noalign.pkl');
  assert.equal(older.verdict, 'clean', dump(older));
  const objectArray = await scanFixture('b_joblib_object_array.pkl');
  assert.equal(objectArray.verdict, 'clean', dump(objectArray));
  const od = objectArray.units[0]!.details.pickle as { streams: Array<{ nestedIn: number | null }> };
  assert.ok(od.streams.some((s) => s.nestedIn === 0), 'the inline object-array pickle is walked as a nested stream');
});

test('a legacy torch.save file is walked through its five pickles and storage records', async () => {
  const r = await scanFixture('b_torch_legacy.pt');
  assert.equal(r.format, 'pytorch-legacy');
  assert.equal(r.verdict, 'clean', dump(r));
  const legacy = (r.units[0]!.details.pickle as { legacy: { magicOk: boolean; protocolVersion: number; storages: number; storageBytes: number; problems: string[] } }).legacy;
  assert.deepEqual({ ...legacy, dataStart: undefined, dataEnd: undefined }, {
    magicOk: true, protocolVersion: 1001, storages: 2, storageBytes: 6 * 4 + 3 * 8, problems: [], dataStart: undefined, dataEnd: undefined,
  });
});

test('NumPy arrays, scalars and dtypes pickle clean (numpy 1 and 2 module names, protocol 5 buffers)', async () => {
  for (const name of ['b_numpy_p2.pkl', 'b_numpy_p4.pkl', 'b_numpy2_p4.pkl', 'b_numpy_p5.pkl']) {
    const r = await scanFixture(name);
    assert.equal(r.verdict, 'clean', `${name}\n${dump(r)}`);
    assert.deepEqual(r.findings, [], name);
  }
});

test('.npy files: numeric, structured, version 2 and object arrays with a benign pickle', async () => {
  for (const name of ['b_npy_float.npy', 'b_npy_structured.npy', 'b_npy_v2.npy', 'b_npy_scalar.npy']) {
    const r = await scanFixture(name);
    assert.equal(r.format, 'numpy-npy');
    assert.deepEqual(r.findings, [], `${name}\n${dump(r)}`);
  }
  const obj = await scanFixture('b_npy_object.npy');
  assert.equal(obj.verdict, 'clean', dump(obj));
  assert.deepEqual(rules(obj), ['scan.numpy.object-array']);
  assert.equal(findingsOf(obj, 'scan.numpy.object-array')[0]!.severity, 'low');
});

test('bytes that merely start like a pickle are data, not a nested pickle', async () => {
  const r = await scanFixture('b_bytes_like_pickle.pkl');
  assert.deepEqual(r.findings, [], dump(r));
  assert.equal(r.units.length, 1, 'no nested unit was scanned');
});
