import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkSha256Sums, parseSha256Sums } from '../../main/core/trust/digests/sha256sums.ts';
import { checkFileDigest, comparePastedDigest, parsePastedDigest } from '../../main/core/trust/digests/pasted.ts';
import { sumsEvidence, sumsFindings } from '../../main/core/trust/evidence.ts';
import { makeModel, tempDir } from './fixtures.ts';

const hex = (s: string) => createHash('sha256').update(s).digest('hex');

test('parses GNU (text and binary), escaped and BSD lines; rejects other algorithms by line', () => {
  const text = [
    '# published by example.org',
    `${hex('a')}  a.bin`,
    `${hex('b').toUpperCase()} *dir/b.bin`,
    `\\${hex('c')}  odd\\nname`,
    `SHA256 (c.bin) = ${hex('c')}`,
    `MD5 (a.bin) = ${'0'.repeat(32)}`,
    'garbage',
    '',
  ].join('\r\n');
  const p = parseSha256Sums(text);
  assert.deepEqual(p.entries.map((e) => [e.name, e.sha256, e.line]), [
    ['a.bin', hex('a'), 2], ['dir/b.bin', hex('b'), 3], ['odd\nname', hex('c'), 4], ['c.bin', hex('c'), 5],
  ]);
  assert.deepEqual(p.rejectedLines, [{ line: 6, reason: 'not a SHA-256 entry' }, { line: 7, reason: 'not a digest line' }]);
});

test('a model folder against SHA256SUMS: ok, mismatch, missing and unlisted files are each named', async () => {
  const model = await makeModel({ 'a.bin': 'a', 'dir/b.bin': 'B!', 'extra.py': 'x' });
  const sums = `${hex('a')}  ./a.bin\n${hex('b')}  dir/b.bin\n${hex('gone')}  gone.bin\n`;
  await writeFile(join(model, 'SHA256SUMS'), sums);
  const r = await checkSha256Sums(model, sums, { sumsPath: join(model, 'SHA256SUMS') });
  assert.equal(r.ok, false);
  assert.deepEqual(r.files.map((f) => [f.path, f.status]), [['a.bin', 'ok'], ['dir/b.bin', 'mismatch'], ['extra.py', 'unlisted'], ['gone.bin', 'missing']]);
  assert.deepEqual(sumsFindings(r).map((f) => f.ruleId).sort(), ['trust.digest-listed-missing', 'trust.digest-mismatch', 'trust.digest-unlisted']);
  assert.equal(sumsEvidence(r, null)[0]!.suggestedStatus, 'fail');
  const good = await checkSha256Sums(model, `${hex('a')}  a.bin\n${hex('B!')}  dir/b.bin\n${hex('x')}  extra.py\n`, { sumsPath: join(model, 'SHA256SUMS') });
  assert.equal(good.ok, true);
  assert.equal(sumsEvidence(good, null)[0]!.suggestedStatus, 'pass');
});

test('conflicting lines for one file and names that leave the folder are not trusted', async () => {
  const model = await makeModel({ 'a.bin': 'a' });
  const r = await checkSha256Sums(model, `${hex('a')}  a.bin\n${hex('z')}  a.bin\n${hex('p')}  ../../etc/passwd\n`);
  assert.equal(r.ok, false);
  assert.ok(r.files.some((f) => f.status === 'duplicate'));
  assert.ok(r.rejectedLines.some((l) => l.line === 3));
});

test('a single file is checked against its own line (or its name in a list for a folder)', async () => {
  const dir = await tempDir();
  const file = join(dir, 'model.gguf');
  await writeFile(file, 'gguf');
  const own = await checkSha256Sums(file, `${hex('gguf')}  model.gguf\n${hex('other')}  other.bin\n`);
  assert.equal(own.ok, true);
  const nested = await checkSha256Sums(file, `${hex('gguf')}  release/model.gguf\n`);
  assert.deepEqual(nested.files.map((f) => [f.path, f.status]), [['model.gguf', 'ok']]);
  const bad = await checkSha256Sums(file, `${hex('nope')}  model.gguf\n`);
  assert.deepEqual(bad.files.map((f) => f.status), ['mismatch']);
});

test('pasted digests in the usual spellings; other algorithms are named, not compared', async () => {
  const d = hex('weights');
  const b64 = Buffer.from(d, 'hex').toString('base64');
  for (const text of [d, d.toUpperCase(), `sha256:${d}`, `SHA256=${d}`, `SHA-256: ${d}`, `sha256-${b64}`, `${d}  model.bin`, d.match(/../g)!.join(':'), b64]) {
    assert.deepEqual(parsePastedDigest(text), { algorithm: 'sha256', hex: d }, text);
  }
  assert.equal(parsePastedDigest('d41d8cd98f00b204e9800998ecf8427e').algorithm, 'md5');
  assert.equal(parsePastedDigest('da39a3ee5e6b4b0d3255bfef95601890afd80709').algorithm, 'sha1');
  assert.equal(parsePastedDigest(`sha256:${'ab'.repeat(20)}`).algorithm, 'unknown');
  assert.equal(parsePastedDigest('hello').algorithm, 'unknown');
  assert.equal(comparePastedDigest(d, d).match, true);
  const other = comparePastedDigest(d, hex('other'));
  assert.equal(other.match, false);
  assert.match(other.message, /pasted digest is/);
  assert.match(comparePastedDigest(d, 'da39a3ee5e6b4b0d3255bfef95601890afd80709').message, /SHA1, not SHA-256/);
  const dir = await tempDir();
  await writeFile(join(dir, 'w.bin'), 'weights');
  assert.equal((await checkFileDigest(join(dir, 'w.bin'), `sha256:${d}`)).match, true);
  assert.equal((await checkFileDigest(join(dir, 'w.bin'), hex('x'))).match, false);
});
