import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ApiError } from '../../shared/api/errors.ts';
import { withCore } from '../helpers/core.ts';

/** A model folder with a native executable in it: the scan engine raises a high P10 finding. */
async function folderWithExecutable(dir: string): Promise<string> {
  const folder = join(dir, 'model');
  await mkdir(folder);
  await writeFile(join(folder, 'config.json'), '{"labels": ["a", "b"]}\n');
  await writeFile(join(folder, 'helper'), Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(120)]));
  return folder;
}

test('a new case has 20 points not reviewed, grouped in five phases', async () => {
  await withCore(async (core) => {
    const c = await core.invoke('cases.create', { name: 'Fresh' });
    const view = await core.invoke('checklist.get', { caseId: c.id });
    assert.equal(view.entries.length, 20);
    assert.ok(view.entries.every((e) => e.status === 'not_reviewed'));
    assert.deepEqual(view.phases.map((p) => p.tally.total), [4, 5, 3, 4, 4]);
    assert.equal(view.weakestPhase, null);
  });
});

test('a point cannot pass while an open high finding is linked to it; it can once the finding is reviewed', async () => {
  await withCore(async (core, dir) => {
    const c = await core.invoke('cases.create', { name: 'Blocked' });
    const added = await core.invoke('artifacts.add', { caseId: c.id, paths: [await folderWithExecutable(dir)] });
    assert.equal(added.errors.length, 0);
    const p10 = (await core.invoke('checklist.get', { caseId: c.id })).entries.find((e) => e.pointId === 'P10')!;
    assert.equal(p10.blockingFindings, 1);
    assert.equal(p10.suggestedStatus, 'fail');
    await assert.rejects(core.invoke('checklist.set', { caseId: c.id, pointId: 'P10', status: 'pass' }), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.code, 'rule_violation');
      assert.match(e.message, /P10 .* cannot pass: 1 open high or critical finding/);
      return true;
    });
    // The refusal changed nothing.
    assert.equal((await core.invoke('checklist.get', { caseId: c.id })).entries.find((e) => e.pointId === 'P10')!.status, 'not_reviewed');

    const finding = p10.findings.find((f) => f.severity === 'high')!;
    assert.equal(finding.ruleId, 'scan.executable-payload');
    await assert.rejects(core.invoke('findings.review', { findingId: finding.id, status: 'accepted' }), /justification is required/);
    await core.invoke('findings.review', { findingId: finding.id, status: 'accepted', justification: 'helper binary is the publisher\u2019s tokenizer, verified separately' });
    const entry = await core.invoke('checklist.set', { caseId: c.id, pointId: 'P10', status: 'pass', notes: 'accepted risk' });
    assert.equal(entry.status, 'pass');
    const actions = (await core.invoke('custody.list', { caseId: c.id })).events.map((e) => e.action);
    assert.ok(actions.includes('finding.reviewed'));
    assert.equal((await core.invoke('custody.verify', { caseId: c.id })).ok, true);
  });
});

test('phase strength and the weakest phase follow the statuses', async () => {
  await withCore(async (core) => {
    const c = await core.invoke('cases.create', { name: 'Phases' });
    for (const p of ['P01', 'P02', 'P03', 'P04'] as const) await core.invoke('checklist.set', { caseId: c.id, pointId: p, status: 'pass' });
    await core.invoke('checklist.set', { caseId: c.id, pointId: 'P13', status: 'fail' });
    const view = await core.invoke('checklist.get', { caseId: c.id });
    assert.equal(view.phases[0]!.strength, 1);
    assert.equal(view.overall.reviewed, 5);
    // Phases 2, 3, 4 and 5 have strength 0: the earliest of them is the weakest link.
    assert.equal(view.weakestPhase, 2);
  });
});

test('bad input is refused by the contract before it reaches the store', async () => {
  await withCore(async (core) => {
    const c = await core.invoke('cases.create', { name: 'Validation' });
    await assert.rejects(core.call('checklist.set', { caseId: c.id, pointId: 'P21', status: 'pass' }, { face: 'test' }), (e: unknown) => e instanceof ApiError && e.code === 'invalid_input' && /pointId/.test(e.message));
    await assert.rejects(core.call('checklist.set', { caseId: c.id, pointId: 'P01', status: 'great' }, { face: 'test' }), (e: unknown) => e instanceof ApiError && e.code === 'invalid_input');
    await assert.rejects(core.call('checklist.set', { caseId: c.id, pointId: 'P01' }, { face: 'test' }), /give a status, notes, or both/);
    await assert.rejects(core.call('cases.create', { name: '   ' }, { face: 'test' }), /a name is required/);
    await assert.rejects(core.call('no.such.method', {}, { face: 'test' }), (e: unknown) => e instanceof ApiError && e.code === 'not_found');
    await assert.rejects(core.call('cases.get', { caseId: 'zzzzzzzzzzzzzzzz' }, { face: 'test' }), (e: unknown) => e instanceof ApiError && e.code === 'not_found');
  });
});

test('attachments are stored by content and linked to their point', async () => {
  await withCore(async (core, dir) => {
    const c = await core.invoke('cases.create', { name: 'Evidence' });
    const file = join(dir, 'iam-export.json');
    const content = '{"bucket":"golden-data","readers":["ml-team"]}\n';
    await writeFile(file, content);
    const a = await core.invoke('attachments.add', { caseId: c.id, pointId: 'P04', path: file });
    assert.equal(a.sha256, createHash('sha256').update(content).digest('hex'));
    // The evidence lives on in the data directory even if the original is deleted.
    await rm(file);
    assert.equal(await readFile(join(core.context.dataDir, 'blobs', 'sha256', a.sha256.slice(0, 2), a.sha256), 'utf8'), content);
    const p04 = (await core.invoke('checklist.get', { caseId: c.id })).entries.find((e) => e.pointId === 'P04')!;
    assert.deepEqual(p04.attachments.map((x) => x.name), ['iam-export.json']);
    await assert.rejects(core.invoke('attachments.add', { caseId: c.id, pointId: null, path: join(dir, 'missing.pdf') }), /does not exist/);
  });
});
