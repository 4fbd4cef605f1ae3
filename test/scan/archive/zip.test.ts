import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { BufferSource } from '../../../main/core/io/byte-source.ts';
import { readZipLayout } from '../../../main/core/scan/archive/zip-layout.ts';
import type { BudgetTracker } from '../../../main/core/scan/types.ts';
import { buildZip, elfBytes, text, unicodePathExtra, UNIX_MADE_BY, unixAttrs } from './fixtures/zip.ts';
import { python } from './fixtures/torch.ts';
import { dump, only, ruleIds, scan } from './helpers.ts';

const noBudget: BudgetTracker = { consumeBytes() {}, consumeEntry() {}, checkTime() {} };
const README = text('Model card\n\nA small test model.\n');

function yazlZip(files: { name: string; data: Uint8Array; compress: boolean }[]): Promise<Uint8Array> {
  const z = new yazl.ZipFile();
  for (const f of files) z.addBuffer(Buffer.from(f.data), f.name, { compress: f.compress, mtime: new Date(2020, 0, 1) });
  z.end();
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    z.outputStream.on('data', (c: Buffer) => parts.push(c)).on('end', () => resolve(Buffer.concat(parts))).on('error', reject);
  });
}

function yauzlList(bytes: Uint8Array): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(Buffer.from(bytes), { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e2, stream) => {
          if (e2 || !stream) return reject(e2);
          const parts: Buffer[] = [];
          stream.on('data', (c: Buffer) => parts.push(c)).on('end', () => { out.set(entry.fileName, Buffer.concat(parts)); zip.readEntry(); });
        });
      });
      zip.on('end', () => resolve(out));
      zip.readEntry();
    });
  });
}

test('a benign zip written by yazl is clean, and lists the same members and bytes as yauzl reads', async () => {
  const weights = new Uint8Array(300_000).map((_, i) => (i * 7919) % 251);
  const bytes = await yazlZip([
    { name: 'README.txt', data: README, compress: true },
    { name: 'notes/usage.txt', data: text('run it\n'.repeat(500)), compress: true },
    { name: 'weights.bin.txt', data: text('0.1 0.2 0.3\n'), compress: false },
    { name: 'raw/blob.txt', data: text(Buffer.from(weights).toString('base64')), compress: true },
  ]);
  const r = await scan(bytes, 'bundle.zip');
  assert.equal(r.format, 'zip');
  assert.equal(r.verdict, 'clean', dump(r));
  assert.deepEqual(r.findings, []);

  const layout = await readZipLayout(new BufferSource(bytes), noBudget);
  const viaYauzl = await yauzlList(bytes);
  assert.deepEqual(layout.entries.map((e) => e.name).sort(), [...viaYauzl.keys()].sort());
  assert.deepEqual(layout.issues, []);
  assert.deepEqual(layout.gaps, []);
  const paths = r.units.map((u) => u.path).sort();
  assert.deepEqual(paths, ['', ...viaYauzl.keys()].sort());
});

test('path traversal: `..`, absolute, drive and UNC names are high findings at their directory header', async () => {
  const evil = ['../../home/user/.bashrc', '/etc/cron.d/job', 'C:/Windows/evil.txt', '\\\\server\\share\\x.txt', 'ok/../../escape.txt'];
  const built = buildZip(evil.map((name) => ({ name, data: text('echo hi\n') })));
  const r = await scan(built.bytes, 'evil.zip');
  const hits = only(r, 'scan.archive.path-traversal');
  assert.equal(hits.length, evil.length, dump(r));
  assert.ok(hits.every((f) => f.severity === 'high'));
  assert.deepEqual(hits.map((f) => f.location.byteOffset), built.centralOffsets);
  assert.equal(r.verdict, 'suspicious');
});

test('names that only look odd do not count as traversal', async () => {
  const built = buildZip(['a/b/..c.txt', 'dots..txt', 'x/...', 'archive/.data/version'].map((name) => ({ name, data: README })));
  const r = await scan(built.bytes, 'fine.zip');
  assert.deepEqual(only(r, 'scan.archive.path-traversal'), []);
  assert.equal(r.verdict, 'clean', dump(r));
});

test('a Unix symlink member is a high finding naming its target; a regular Unix file is not', async () => {
  const bad = buildZip([
    { name: 'link', data: text('/etc/passwd'), madeBy: UNIX_MADE_BY, externalAttrs: unixAttrs(0o120777) },
  ]);
  const r = await scan(bad.bytes, 'links.zip');
  const [f] = only(r, 'scan.archive.symlink-member');
  assert.ok(f, dump(r));
  assert.equal(f.severity, 'high');
  assert.equal(f.evidence?.target, '/etc/passwd');
  assert.match(f.message, /outside the archive/);
  assert.equal(r.verdict, 'suspicious');

  const good = buildZip([{ name: 'file.txt', data: README, madeBy: UNIX_MADE_BY, externalAttrs: unixAttrs(0o100644) }]);
  const g = await scan(good.bytes, 'files.zip');
  assert.equal(g.verdict, 'clean', dump(g));
});

test('local and central headers that disagree on name, method or size are reported at the local header', async () => {
  const built = buildZip([
    { name: 'a.txt', data: README, local: { name: 'b.txt' } },
    { name: 'c.txt', data: README, local: { uncompressedSize: 999 } },
    { name: 'd.txt', data: README, method: 8, local: { method: 0 } },
  ]);
  const r = await scan(built.bytes, 'mismatch.zip');
  const hits = only(r, 'scan.archive.header-mismatch');
  assert.equal(hits.length, 3, dump(r));
  assert.deepEqual(hits.map((f) => f.location.byteOffset), built.localOffsets);
  assert.match(hits[0]!.message, /name/);
  assert.match(hits[2]!.message, /method/);
  assert.equal(r.verdict, 'malformed');
  // What a streaming reader would see through the local header of d.txt is scanned too.
  assert.ok(r.units.some((u) => u.path === 'd.txt (local header view)'));
});

test('a data descriptor (zero sizes in the local header, as torch writes) is not a disagreement', async () => {
  const built = buildZip([{ name: 'a.txt', data: README, descriptor: true }, { name: 'b.txt', data: README, method: 8, descriptor: true }]);
  const r = await scan(built.bytes, 'desc.zip');
  assert.equal(r.verdict, 'clean', dump(r));
});

test('a CRC mismatch is reported; the content is still scanned', async () => {
  const built = buildZip([{ name: 'tool', data: elfBytes(), crc: 0x12345678 }]);
  const r = await scan(built.bytes, 'crc.zip');
  assert.equal(only(r, 'scan.archive.crc-mismatch').length, 1, dump(r));
  const exe = only(r, 'scan.executable-payload');
  assert.deepEqual(exe[0]?.location.members, ['tool']);
  assert.equal(r.verdict, 'malicious');
  const ok = await scan(buildZip([{ name: 'a.txt', data: README, method: 8 }]).bytes, 'ok.zip');
  assert.deepEqual(ruleIds(ok), []);
});

test('an encryption flag on cleartext data is high and the member is scanned; real ciphertext is not scanned', async () => {
  const cleartext = buildZip([{ name: 'payload.bin', data: elfBytes(), flags: 0x01 }]);
  const r = await scan(cleartext.bytes, 'enc.zip');
  assert.equal(only(r, 'scan.archive.encryption-flag-cleartext').length, 1, dump(r));
  assert.deepEqual(only(r, 'scan.executable-payload')[0]?.location.members, ['payload.bin']);
  assert.equal(r.verdict, 'malicious');

  const cipher = new Uint8Array(200).map((_, i) => (i * 97 + 13) & 0xff);
  const encrypted = buildZip([{ name: 'secret.bin', data: README, compressed: cipher, method: 0, flags: 0x01, size: cipher.length }]);
  const e = await scan(encrypted.bytes, 'secret.zip');
  assert.equal(only(e, 'scan.archive.encrypted-member').length, 1, dump(e));
  assert.equal(e.units.length, 1, 'an encrypted member is not handed on as content');
  assert.equal(e.verdict, 'unsupported');
});

test('duplicate names (exact, and differing only in case) are reported; every copy is scanned', async () => {
  const built = buildZip([
    { name: 'model.bin.txt', data: README },
    { name: 'model.bin.txt', data: elfBytes() },
    { name: 'Config.txt', data: README },
    { name: 'config.txt', data: README },
  ]);
  const r = await scan(built.bytes, 'dups.zip');
  assert.equal(only(r, 'scan.archive.duplicate-member').length, 2, dump(r));
  assert.equal(only(r, 'scan.executable-payload').length, 1, 'the second copy is scanned too');
  const distinct = await scan(buildZip([{ name: 'a.txt', data: README }, { name: 'b.txt', data: README }]).bytes, 'd.zip');
  assert.deepEqual(only(distinct, 'scan.archive.duplicate-member'), []);
});

test('a decompression bomb is reported from its ratio without inflating it; inflating past the byte budget stops with a budget finding', async () => {
  const zeros = new Uint8Array(48 * 1024 * 1024);
  const bomb = buildZip([{ name: 'zeros.bin', data: zeros, method: 8 }]);
  assert.ok(bomb.bytes.length < 100_000);
  const r = await scan(bomb.bytes, 'bomb.zip');
  assert.equal(only(r, 'scan.archive.compression-bomb').length, 1, dump(r));
  assert.ok(r.bytesRead < 4 * 1024 * 1024, `a large member is only sniffed, read ${r.bytesRead}`);

  // A member small enough to be inflated in memory meets the byte budget.
  const mid = buildZip([{ name: 'zeros.bin', data: new Uint8Array(12 * 1024 * 1024), method: 8 }]);
  const b = await scan(mid.bytes, 'mid.zip', { maxBytes: 4 * 1024 * 1024 });
  assert.equal(only(b, 'scan.budget-exceeded').length, 1, dump(b));
  assert.ok(b.bytesRead < 8 * 1024 * 1024, `stopped near the budget, read ${b.bytesRead}`);

  // A member that claims a huge size is judged by the claim, without inflating anything.
  const claim = buildZip([{ name: 'claims.txt', data: README, method: 8, size: 3_000_000_000 }]);
  const c = await scan(claim.bytes, 'claim.zip');
  assert.equal(only(c, 'scan.archive.compression-bomb').length, 1, dump(c));

  // Highly compressible but small content is not a bomb.
  const small = buildZip([{ name: 'pad.txt', data: new Uint8Array(1024 * 1024).fill(0x20), method: 8 }]);
  const s = await scan(small.bytes, 'small.zip');
  assert.deepEqual(only(s, 'scan.archive.compression-bomb'), []);
});

test('nesting past the depth budget is reported with the member chain; shallow nesting is followed', async () => {
  let inner = buildZip([{ name: 'payload.bin', data: elfBytes() }]).bytes;
  for (let i = 0; i < 10; i++) inner = buildZip([{ name: `level${i}.zip`, data: inner }]).bytes;
  const r = await scan(inner, 'deep.zip');
  const deep = only(r, 'scan.nesting-too-deep');
  assert.equal(deep.length, 1, dump(r));
  // The top file is depth 0: the unit at depth 9 is the first past the default limit of 8.
  assert.deepEqual(deep[0]!.location.members, Array.from({ length: 9 }, (_, i) => `level${9 - i}.zip`));
  assert.deepEqual(only(r, 'scan.executable-payload'), []);

  const shallow = buildZip([{ name: 'inner.zip', data: buildZip([{ name: 'payload.bin', data: elfBytes() }]).bytes, method: 8 }]).bytes;
  const s = await scan(shallow, 'shallow.zip');
  assert.deepEqual(only(s, 'scan.executable-payload')[0]?.location.members, ['inner.zip', 'payload.bin']);
});

test('two directory entries sharing one local header are overlapping members', async () => {
  const built = buildZip([{ name: 'a.txt', data: README }], { aliases: [{ name: 'b.txt', index: 0 }] });
  const r = await scan(built.bytes, 'overlap.zip');
  const [f] = only(r, 'scan.archive.overlapping-members');
  assert.ok(f, dump(r));
  assert.equal(f.location.byteOffset, built.centralOffsets[1]);
  assert.equal(r.verdict, 'malformed');
});

test('a directory offset past the end of the file is reported, and the local header it misses is found as hidden', async () => {
  const built = buildZip([{ name: 'a.txt', data: README }], { offsetShift: 10_000 });
  const r = await scan(built.bytes, 'outside.zip');
  assert.equal(only(r, 'scan.archive.data-outside-file')[0]?.location.byteOffset, built.centralOffsets[0], dump(r));
  assert.equal(only(r, 'scan.archive.hidden-member')[0]?.location.byteOffset, 0);
  assert.equal(r.verdict, 'suspicious');
});

test('a member hidden from the central directory is found and scanned', async () => {
  const built = buildZip([
    { name: 'README.txt', data: README },
    { name: 'dropper.bin', data: elfBytes(), hidden: true },
    { name: 'config.txt', data: README },
  ]);
  const r = await scan(built.bytes, 'hidden.zip');
  const [h] = only(r, 'scan.archive.hidden-member');
  assert.ok(h, dump(r));
  assert.equal(h.location.byteOffset, built.localOffsets[1]);
  assert.deepEqual(only(r, 'scan.executable-payload')[0]?.location.members, ['dropper.bin']);
  assert.equal(r.verdict, 'malicious');
});

test('bytes after the end record are reported and scanned as their own unit', async () => {
  const built = buildZip([{ name: 'a.txt', data: README }], { trailing: elfBytes() });
  const r = await scan(built.bytes, 'trailing.zip');
  assert.equal(only(r, 'scan.archive.unaccounted-data').length, 1, dump(r));
  assert.equal(only(r, 'scan.executable-payload').length, 1, dump(r));
  // Zero padding is not content.
  const padded = await scan(buildZip([{ name: 'a.txt', data: README }], { trailing: new Uint8Array(4096) }).bytes, 'p.zip');
  assert.deepEqual(only(padded, 'scan.archive.unaccounted-data'), []);
});

test('a zip without its end record is read from its local headers, as a streaming reader would', async () => {
  const built = buildZip([{ name: 'README.txt', data: README }, { name: 'tool', data: elfBytes(), method: 8 }], { noEnd: true });
  const r = await scan(built.bytes, 'cut.zip');
  assert.ok(ruleIds(r).includes('scan.archive.malformed-directory'), dump(r));
  assert.deepEqual(only(r, 'scan.executable-payload')[0]?.location.members, ['tool']);
});

test('an unsupported compression method is reported as not scanned', async () => {
  const built = buildZip([{ name: 'weights.bin', data: README, method: 12, compressed: text('BZh91AY&SY....') }]);
  const r = await scan(built.bytes, 'bz.zip');
  assert.equal(only(r, 'scan.archive.unsupported-method').length, 1, dump(r));
  assert.equal(r.verdict, 'unsupported');
});

test('a deflate stream shorter than declared, or with unused bytes after its end, is a size mismatch', async () => {
  const short = buildZip([{ name: 'a.txt', data: README, method: 8, size: README.length + 50 }]);
  const r = await scan(short.bytes, 'short.zip');
  assert.ok(only(r, 'scan.archive.size-mismatch').length >= 1, dump(r));
  const padded = Buffer.concat([deflateRawSync(README), text('hidden tail bytes')]);
  const tail = buildZip([{ name: 'b.txt', data: README, method: 8, compressed: padded }]);
  const t = await scan(tail.bytes, 'tail.zip');
  assert.match(only(t, 'scan.archive.size-mismatch')[0]?.message ?? '', /never read/);
});

test('a Unicode path field naming the member differently is a disagreement, and its name is checked too', async () => {
  const built = buildZip([{ name: 'model.txt', data: README, extra: unicodePathExtra('model.txt', '../../evil.txt') }]);
  const r = await scan(built.bytes, 'unicode.zip');
  assert.equal(only(r, 'scan.archive.header-mismatch').length, 1, dump(r));
  assert.equal(only(r, 'scan.archive.path-traversal').length, 1, dump(r));
});

test('names with control characters or backslashes are suspicious', async () => {
  const built = buildZip([{ name: 'model.bin\u0000.txt', data: README }, { name: 'dir\\file.txt', data: README }]);
  const r = await scan(built.bytes, 'names.zip');
  assert.equal(only(r, 'scan.archive.suspicious-name').length, 2, dump(r));
});

test('zip64 records and extra fields are read like their 32-bit counterparts', async () => {
  const built = buildZip([{ name: 'README.txt', data: README, zip64: true }, { name: 'tool', data: elfBytes(), method: 8, zip64: true }], { zip64End: true });
  const layout = await readZipLayout(new BufferSource(built.bytes), noBudget);
  assert.deepEqual(layout.issues, []);
  assert.deepEqual(layout.entries.map((e) => [e.name, e.compressedSize > 0, e.localHeaderOffset]), [['README.txt', true, built.localOffsets[0]], ['tool', true, built.localOffsets[1]]]);
  const r = await scan(built.bytes, 'z64.zip');
  assert.deepEqual(ruleIds(r), ['scan.executable-payload'], dump(r));
});

test('an overlapping-member bomb (one stream listed a hundred times) is reported and stopped by the byte budget', async () => {
  const aliases = Array.from({ length: 100 }, (_, i) => ({ name: `copy${i}.bin`, index: 0 }));
  const built = buildZip([{ name: 'zeros.bin', data: new Uint8Array(8 * 1024 * 1024), method: 8 }], { aliases });
  const r = await scan(built.bytes, 'zbsm.zip', { maxBytes: 64 * 1024 * 1024 });
  assert.ok(only(r, 'scan.archive.overlapping-members').length >= 50, dump(r).slice(0, 500));
  assert.equal(only(r, 'scan.archive.compression-bomb').length, 1);
  assert.equal(only(r, 'scan.budget-exceeded').length, 1);
  assert.ok(r.durationMs < 5000);
});

test('an npz archive is scanned member by member: float arrays are clean, an object array with a payload is not', async () => {
  const benign = python(String.raw`
import numpy as np, io
buf = io.BytesIO(); np.savez_compressed(buf, weights=np.linspace(0, 1, 1000, dtype=np.float32), bias=np.zeros(10)); out.write(buf.getvalue())
`);
  const r = await scan(benign, 'arrays.npz');
  assert.equal(r.format, 'numpy-npz');
  assert.equal(r.verdict, 'clean', dump(r));
  assert.deepEqual(r.units.map((u) => `${u.path}:${u.format}`).sort(), [':numpy-npz', 'bias.npy:numpy-npy', 'weights.npy:numpy-npy']);

  const evil = python(String.raw`
import numpy as np, io, os
class E:
    def __reduce__(self): return (os.system, ('id',))
buf = io.BytesIO(); np.savez(buf, evil=np.array([E()], dtype=object)); out.write(buf.getvalue())
`);
  const e = await scan(evil, 'arrays.npz');
  assert.equal(e.verdict, 'malicious', dump(e));
  assert.ok(e.findings.some((f) => f.location.members?.[0] === 'evil.npy' && f.severity === 'critical'), dump(e));
});
