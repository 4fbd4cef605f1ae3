// TorchScript archives and legacy checkpoints name classes a plain pickle never does; they must
// come out clean, while the same names used as a disguise still do not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scanSource } from '../../../main/core/scan/engine.ts';
import { BufferSource } from '../../../main/core/io/byte-source.ts';

const bytes = (s: string) => Buffer.from(s, 'latin1');
const scan = (b: Buffer) => scanSource(new BufferSource(b), { name: 'data.pkl' });

test('a TorchScript module class reference is clean (it is compiled from the archive\u2019s code/ sources)', async () => {
  const r = await scan(bytes('\x80\x02c__torch__.torch.nn.modules.linear\nLinear\nq\x00)\x81q\x01}q\x02X\x08\x00\x00\x00trainingq\x03\x88sb.'));
  assert.equal(r.verdict, 'clean');
  assert.deepEqual(r.findings, []);
});

test('TorchScript container helpers and legacy tensor classes are clean', async () => {
  assert.equal((await scan(bytes('\x80\x02ctorch.jit._pickle\nbuild_intlist\nq\x00]q\x01K\x01a\x85q\x02Rq\x03.'))).verdict, 'clean');
  assert.equal((await scan(bytes('\x80\x02ctorch\nFloatTensor\nq\x00)\x81q\x01.'))).verdict, 'clean');
  assert.equal((await scan(bytes('\x80\x02ctorch.cuda\nLongTensor\nq\x00)\x81q\x01.'))).verdict, 'clean');
});

test('the TorchScript namespace is no disguise for a system call or a dunder route', async () => {
  const viaDots = await scan(bytes('\x80\x02c__torch__\nos.system\nq\x00.'));
  assert.equal(viaDots.verdict, 'malicious');
  assert.match(viaDots.findings[0]!.message, /os\.system/);
  const dunder = await scan(bytes('\x80\x02c__torch__.a\nX.__globals__\nq\x00.'));
  assert.equal(dunder.verdict, 'malicious');
  assert.equal(dunder.findings[0]!.ruleId, 'scan.pickle.dunder-name');
  const other = await scan(bytes('\x80\x02ctorch.jit._pickle\nexec_code\nq\x00.'));
  assert.notEqual(other.verdict, 'clean');
});
