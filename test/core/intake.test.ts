import assert from 'node:assert/strict';
import { execFileSync, execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { mkdir, open, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { JobProgress } from '../../shared/api/schemas.ts';
import { folderRootDigest } from '../../main/core/intake/folder-digest.ts';
import { FileChangedError, readFileChunks, sha256File } from '../../main/core/intake/hash.ts';
import { tempDir, withCore } from '../helpers/core.ts';

const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
const PICKLE = Buffer.from([0x80, 0x04, 0x95, 0x05, 0, 0, 0, 0, 0, 0, 0, 0x4b, 0x01, 0x2e]);

test('files are hashed, detected from content, and a misleading name is recorded', async () => {
  await withCore(async (core, dir) => {
    const c = await core.invoke('cases.create', { name: 'Intake' });
    await writeFile(join(dir, 'weights.safetensors'), PICKLE); // a pickle disguised by its name
    await writeFile(join(dir, 'train.csv'), 'text,label\nhello,1\nbye,0\n');
    const r = await core.invoke('artifacts.add', { caseId: c.id, paths: [join(dir, 'weights.safetensors'), join(dir, 'train.csv')] });
    assert.deepEqual(r.errors, []);
    const byName = new Map(r.added.map((a) => [a.displayName, a]));
    const w = byName.get('weights.safetensors')!;
    assert.equal(w.sha256, sha(PICKLE));
    assert.equal(w.format, 'pickle');
    assert.equal(w.extensionClaim, 'safetensors');
    assert.equal(w.extensionMismatch, true);
    const csv = byName.get('train.csv')!;
    assert.equal(csv.format, 'csv');
    assert.equal(csv.kind, 'dataset');
    assert.equal(csv.extensionMismatch, false);
    const mismatch = (await core.invoke('findings.list', { caseId: c.id, artifactId: w.id })).find((f) => f.ruleId === 'scan.extension-mismatch');
    assert.ok(mismatch, 'the disguise is a finding');
    // Evidence attached automatically: digests for P08 (model) and P01 (dataset), permissions for P04.
    const evidence = await core.invoke('evidence.list', { caseId: c.id });
    assert.ok(evidence.some((e) => e.pointId === 'P08' && e.artifactId === w.id));
    assert.ok(evidence.some((e) => e.pointId === 'P01' && e.artifactId === csv.id));
    assert.ok(evidence.some((e) => e.pointId === 'P04' && e.artifactId === csv.id));
  });
});

test('adding the same content twice is idempotent', async () => {
  await withCore(async (core, dir) => {
    const c = await core.invoke('cases.create', { name: 'Twice' });
    await writeFile(join(dir, 'a.bin'), 'same bytes');
    await writeFile(join(dir, 'b.bin'), 'same bytes');
    const first = await core.invoke('artifacts.add', { caseId: c.id, paths: [join(dir, 'a.bin')] });
    const eventsAfterFirst = (await core.invoke('custody.list', { caseId: c.id })).total;
    const second = await core.invoke('artifacts.add', { caseId: c.id, paths: [join(dir, 'a.bin'), join(dir, 'b.bin')] });
    assert.equal(first.added.length, 1);
    assert.equal(second.added.length, 0);
    assert.deepEqual(second.existing.map((a) => a.id), [first.added[0]!.id, first.added[0]!.id]);
    assert.equal((await core.invoke('artifacts.list', { caseId: c.id })).total, 1);
    assert.equal((await core.invoke('custody.list', { caseId: c.id })).total, eventsAfterFirst);
  });
});

test("a folder is one artifact set whose root digest coreutils reproduces; links are recorded, not followed", async () => {
  await withCore(async (core, dir) => {
    const c = await core.invoke('cases.create', { name: 'Folder' });
    const folder = join(dir, 'bert-mini');
    await mkdir(join(folder, 'tokenizer'), { recursive: true });
    await writeFile(join(folder, 'config.json'), '{"hidden": 64}\n');
    await writeFile(join(folder, 'tokenizer', 'vocab.txt'), 'a\nb\nc\n');
    await writeFile(join(folder, 'Zeta.bin'), Buffer.alloc(1000, 7));
    await writeFile(join(dir, 'outside-secret.txt'), 'not part of the model');
    await symlink(join(dir, 'outside-secret.txt'), join(folder, 'link-out'));
    const r = await core.invoke('artifacts.add', { caseId: c.id, paths: [folder] });
    assert.deepEqual(r.errors, []);
    assert.equal(r.sets.length, 1);
    const set = r.sets[0]!;
    assert.equal(set.fileCount, 3);
    assert.deepEqual(r.added.map((a) => a.relPath).sort(), ['Zeta.bin', 'config.json', 'tokenizer/vocab.txt']);
    const expected = execSync("find . -type f -printf '%P\\0' | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum", { cwd: folder, shell: '/bin/bash' }).toString().slice(0, 64);
    assert.equal(set.rootDigest, expected);
    const findings = await core.invoke('findings.list', { caseId: c.id });
    const link = findings.find((f) => f.ruleId === 'intake.symlink-skipped');
    assert.ok(link);
    assert.match(link.message, /link-out/);
    // Adding the same folder again changes nothing.
    const again = await core.invoke('artifacts.add', { caseId: c.id, paths: [folder] });
    assert.equal(again.added.length, 0);
    assert.equal(again.existing.length, 3);
  });
});

test('the root digest is over sorted "digest  path" lines (known answer)', () => {
  const entries = [
    { rel: 'b/x.txt', sha256: sha('x') },
    { rel: 'a.txt', sha256: sha('a') },
  ];
  const text = `${sha('a')}  a.txt\n${sha('x')}  b/x.txt\n`;
  assert.equal(folderRootDigest(entries), sha(text));
});

test('bad input gets a clear error and stores nothing', async () => {
  await withCore(async (core, dir) => {
    const c = await core.invoke('cases.create', { name: 'Bad input' });
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    await symlink(join(dir, 'loop-b'), join(dir, 'loop-a'));
    await symlink(join(dir, 'loop-a'), join(dir, 'loop-b'));
    await symlink(join(dir, 'gone'), join(dir, 'dangling'));
    await mkdir(join(dir, 'empty-folder'));
    const r = await core.invoke('artifacts.add', {
      caseId: c.id,
      paths: [join(dir, 'nope.onnx'), join(dir, 'pipe'), join(dir, 'loop-a'), join(dir, 'dangling'), join(dir, 'empty-folder'), '/dev/zero'],
    });
    assert.equal(r.added.length, 0);
    const messages = r.errors.map((e) => e.message).join('\n');
    assert.match(messages, /nope\.onnx does not exist/);
    assert.match(messages, /pipe is a named pipe/);
    assert.match(messages, /loop-a is a symbolic link loop/);
    assert.match(messages, /dangling is a symbolic link to something that does not exist/);
    assert.match(messages, /empty-folder contains no regular files/);
    assert.match(messages, /\/dev\/zero is a character device/);
    assert.equal((await core.invoke('artifacts.list', { caseId: c.id })).total, 0);
    assert.equal((await core.invoke('custody.list', { caseId: c.id })).total, 1);
  });
});

test('a file that changes while it is read is detected and named', async () => {
  const dir = await tempDir();
  try {
    const file = join(dir.path, 'growing.bin');
    await writeFile(file, Buffer.alloc(16 * 1024 * 1024, 1));
    let appended = false;
    await assert.rejects(readFileChunks(file, () => {
      if (!appended) {
        appendFileSync(file, 'written by another process');
        appended = true;
      }
    }), (e: unknown) => e instanceof FileChangedError && /changed while it was being read/.test(e.message));
  } finally {
    await dir.remove();
  }
});

test('hashing agrees with node:crypto on a multi-chunk file', async () => {
  const dir = await tempDir();
  try {
    const file = join(dir.path, 'big.bin');
    const bytes = Buffer.alloc(9 * 1024 * 1024 + 123);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31) & 0xff;
    await writeFile(file, bytes);
    const progress: number[] = [];
    const d = await sha256File(file, { onProgress: (done) => progress.push(done) });
    assert.equal(d.sha256, sha(bytes));
    assert.equal(d.size, bytes.length);
    assert.equal(progress.at(-1), bytes.length);
    assert.ok(progress.length >= 3);
  } finally {
    await dir.remove();
  }
});

test('import copies the bytes into the data directory, so the case survives the original', async () => {
  await withCore(async (core, dir) => {
    const c = await core.invoke('cases.create', { name: 'Import' });
    const file = join(dir, 'model.onnx');
    await writeFile(file, 'pretend weights');
    const r = await core.invoke('artifacts.add', { caseId: c.id, paths: [file], storage: 'import' });
    const a = r.added[0]!;
    assert.equal(a.storage, 'import');
    await rm(file);
    const blob = await readFile(join(core.context.dataDir, 'blobs', 'sha256', a.sha256.slice(0, 2), a.sha256), 'utf8');
    assert.equal(blob, 'pretend weights');
  });
});

test('long adds report progress and can be cancelled; nothing half-done is stored', async () => {
  await withCore(async (core, dir) => {
    const c = await core.invoke('cases.create', { name: 'Cancel' });
    const folder = join(dir, 'huge');
    await mkdir(folder);
    for (const n of ['a', 'b']) {
      const fh = await open(join(folder, `${n}.bin`), 'w');
      await fh.close();
      await truncate(join(folder, `${n}.bin`), 1024 * 1024 * 1024); // sparse: large to hash, cheap on disk
    }
    const seen: JobProgress[] = [];
    core.events.on((e) => {
      if (e.type !== 'job' || e.job.jobId !== 'cancel-me') return;
      seen.push(e.job);
      if (e.job.bytesDone > 0 && e.job.state === 'running') void core.invoke('jobs.cancel', { jobId: 'cancel-me' });
    });
    await assert.rejects(core.invoke('artifacts.add', { caseId: c.id, paths: [folder], jobId: 'cancel-me' }), /cancelled/);
    assert.ok(seen.some((j) => j.bytesTotal === 2 * 1024 * 1024 * 1024), 'the total is known up front');
    assert.equal(seen.at(-1)!.state, 'cancelled');
    assert.equal((await core.invoke('artifacts.list', { caseId: c.id })).total, 0);
    assert.deepEqual(await core.invoke('jobs.list', {}), []);
  });
});
