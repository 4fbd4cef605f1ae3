import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { buildTar } from './fixtures/tar.ts';
import { python, torchPickle, LINEAR } from './fixtures/torch.ts';
import { elfBytes, text } from './fixtures/zip.ts';
import { dump, only, scan } from './helpers.ts';

/** One gzip member written by hand, with an optional stored file name and a corruptible trailer. */
function gzipMember(data: Uint8Array, opts: { fileName?: string; badCrc?: boolean } = {}): Uint8Array {
  const name = opts.fileName !== undefined ? Buffer.from(`${opts.fileName}\0`, 'latin1') : Buffer.alloc(0);
  const header = Buffer.from([0x1f, 0x8b, 8, opts.fileName !== undefined ? 0x08 : 0, 0, 0, 0, 0, 0, 3]);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE((crc32(data) ^ (opts.badCrc ? 1 : 0)) >>> 0, 0);
  trailer.writeUInt32LE(data.length % 0x100000000, 4);
  return Buffer.concat([header, name, deflateRawSync(data), trailer]);
}

const BENIGN_TGZ = String.raw`
import tarfile, io
out = io.BytesIO()
with tarfile.open(fileobj=out, mode='w:gz') as tar:
    for name, data in [('model/README.md', b'# Model\n'), ('model/config.txt', b'hidden=16\n')]:
        info = tarfile.TarInfo(name); info.size = len(data); info.mtime = 1600000000
        tar.addfile(info, io.BytesIO(data))
sys.stdout.buffer.write(out.getvalue())
`;

test('a benign .tar.gz is clean and its members are scanned through the decompressed tar', async () => {
  const r = await scan(python(BENIGN_TGZ), 'model.tar.gz');
  assert.equal(r.format, 'gzip');
  assert.equal(r.verdict, 'clean', dump(r));
  assert.deepEqual(r.findings, []);
  assert.deepEqual(r.units.map((u) => `${u.path}:${u.format}`), [':gzip', '(decompressed):tar', '(decompressed)!model/README.md:text', '(decompressed)!model/config.txt:text']);
});

test('the name stored in the gzip header names the decompressed unit', async () => {
  const r = await scan(gzipMember(elfBytes(), { fileName: 'dir/tool.bin' }), 'x.gz');
  assert.deepEqual(only(r, 'scan.executable-payload')[0]?.location.members, ['tool.bin']);
  assert.equal(r.verdict, 'malicious');
});

test('a compressed joblib-style zlib stream is inflated and its pickle analysed', async () => {
  const r = await scan(deflateSync(torchPickle(LINEAR, { osSystem: 'id' })), 'model.joblib');
  assert.equal(r.format, 'zlib');
  assert.equal(r.units[1]?.format, 'pickle');
  assert.equal(r.verdict, 'malicious', dump(r));
  assert.ok(r.findings.some((f) => f.location.members?.[0] === '(decompressed)'));
  const clean = await scan(deflateSync(torchPickle(LINEAR)), 'model.joblib');
  assert.equal(clean.verdict, 'clean', dump(clean));
});

test('truncated streams, bad trailers and trailing garbage are reported', async () => {
  const whole = gzipMember(text('hello world\n'.repeat(100)));
  const cut = await scan(whole.subarray(0, whole.length - 20), 'cut.gz');
  assert.equal(only(cut, 'scan.archive.malformed-stream').length, 1, dump(cut));

  const bad = await scan(gzipMember(text('hello\n'), { badCrc: true }), 'bad.gz');
  assert.match(only(bad, 'scan.archive.malformed-stream')[0]?.message ?? '', /trailer/);

  const first = gzipMember(text('hello\n'));
  const junk = await scan(Buffer.concat([first, elfBytes()]), 'junk.gz');
  assert.equal(only(junk, 'scan.archive.unaccounted-data').length, 1, dump(junk));
  assert.deepEqual(only(junk, 'scan.executable-payload')[0]?.location.members, [`[trailing bytes at ${first.length}]`]);

  const zjunk = await scan(Buffer.concat([deflateSync(text('hello\n')), text('tail')]), 'x.zlib');
  assert.equal(only(zjunk, 'scan.archive.unaccounted-data').length, 1, dump(zjunk));

  const padded = await scan(Buffer.concat([gzipMember(text('hello\n')), new Uint8Array(512)]), 'pad.gz');
  assert.deepEqual(padded.findings, []);
});

test('concatenated gzip members decompress to one content', async () => {
  const elf = elfBytes();
  const r = await scan(Buffer.concat([gzipMember(elf.subarray(0, 20)), gzipMember(elf.subarray(20))]), 'two.gz');
  assert.equal(only(r, 'scan.executable-payload').length, 1, dump(r));
  assert.deepEqual(only(r, 'scan.archive.malformed-stream'), []);
});

test('a gzip bomb is reported, and inflating past the byte budget stops with a budget finding', async () => {
  const bomb = gzipSync(new Uint8Array(40 * 1024 * 1024), { level: 9 });
  const r = await scan(bomb, 'bomb.gz');
  assert.equal(only(r, 'scan.archive.compression-bomb').length, 1, dump(r));
  const limited = await scan(bomb, 'bomb.gz', { maxBytes: 8 * 1024 * 1024 });
  assert.equal(only(limited, 'scan.budget-exceeded').length, 1, dump(limited));
  assert.ok(limited.bytesRead < 12 * 1024 * 1024, `read ${limited.bytesRead}`);
  const small = await scan(gzipSync(new Uint8Array(2 * 1024 * 1024)), 'zeros.gz');
  assert.deepEqual(only(small, 'scan.archive.compression-bomb'), []);
});

test('content too large to hold is served by re-inflation: a member deep inside a big .tar.gz is found', async () => {
  const filler = new Uint8Array(20 * 1024 * 1024).map((_, i) => (i % 251 === 0 ? 1 : 0));
  const tar = buildTar([{ name: 'data/filler.bin', data: filler }, { name: 'bin/tool', data: elfBytes() }]).bytes;
  const r = await scan(gzipSync(tar, { level: 1 }), 'big.tar.gz');
  assert.equal(r.units[1]?.format, 'tar');
  assert.ok(r.units[1]!.size > 16 * 1024 * 1024);
  assert.deepEqual(only(r, 'scan.executable-payload')[0]?.location.members, ['(decompressed)', 'bin/tool'], dump(r));
});

test('gzip headers with extra field, comment and header CRC are parsed; reserved flags are reported', async () => {
  const body = deflateRawSync(elfBytes());
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(elfBytes()), 0);
  trailer.writeUInt32LE(elfBytes().length, 4);
  const fields = Buffer.concat([
    Buffer.from([4, 0]), Buffer.from('ABCD'), // FEXTRA: XLEN 4
    Buffer.from('weights.bin\0', 'latin1'), // FNAME
    Buffer.from('a comment\0', 'latin1'), // FCOMMENT
    Buffer.from([0x12, 0x34]), // FHCRC (not verified by most readers)
  ]);
  const header = Buffer.from([0x1f, 0x8b, 8, 0x04 | 0x08 | 0x10 | 0x02, 0, 0, 0, 0, 0, 3]);
  const r = await scan(Buffer.concat([header, fields, body, trailer]), 'x.gz');
  assert.deepEqual(only(r, 'scan.executable-payload')[0]?.location.members, ['weights.bin'], dump(r));
  assert.deepEqual(only(r, 'scan.archive.malformed-stream'), []);
  const reserved = Buffer.from(header);
  reserved[3] = 0x20;
  const bad = await scan(Buffer.concat([reserved, body, trailer]), 'x.gz');
  assert.equal(only(bad, 'scan.archive.malformed-stream').length, 1, dump(bad));
});
