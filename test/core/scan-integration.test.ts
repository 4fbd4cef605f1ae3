import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { OnnxGraphSummary } from '../../shared/scan-details.ts';
import { mlpClassifier } from '../fixtures/onnx-builder.ts';
import { withCore } from '../helpers/core.ts';

const EVIL = Buffer.concat([Buffer.from([0x80, 0x02]), Buffer.from('cposix\nsystem\nX\x02\x00\x00\x00id', 'latin1'), Buffer.from([0x85, 0x52, 0x2e])]);

test('intake stores the scan report with unit details; P10 suggests fail for a malicious artifact', async () => {
  await withCore(async (core, dir) => {
    const c = await core.invoke('cases.create', { name: 'Scan' });
    await writeFile(join(dir, 'model.onnx'), mlpClassifier([8, 4, 3]));
    await writeFile(join(dir, 'evil.pkl'), EVIL);
    const r = await core.invoke('artifacts.add', { caseId: c.id, paths: [join(dir, 'model.onnx'), join(dir, 'evil.pkl')] });
    const onnx = r.added.find((a) => a.format === 'onnx')!;
    const evil = r.added.find((a) => a.format === 'pickle')!;
    assert.equal(onnx.verdict, 'clean');
    assert.equal(evil.verdict, 'malicious');
    const report = await core.invoke('scan.report', { artifactId: onnx.id });
    const summary = report!.units[0]!.details.onnx as OnnxGraphSummary;
    assert.deepEqual(summary.inputs.map((i) => i.shape), [['batch', 8]]);
    assert.equal(summary.operators.Gemm, 2);
    const p10 = (await core.invoke('checklist.get', { caseId: c.id })).entries.find((e) => e.pointId === 'P10')!;
    assert.equal(p10.suggestedStatus, 'fail');
    assert.ok(p10.evidence.some((e) => e.artifactId === evil.id && e.suggestedStatus === 'fail'));
    assert.ok(p10.blockingFindings >= 1);
  });
});

test('re-scanning keeps reviews and refuses content that changed since intake', async () => {
  await withCore(async (core, dir) => {
    const c = await core.invoke('cases.create', { name: 'Rescan' });
    const path = join(dir, 'evil.pkl');
    await writeFile(path, EVIL);
    const [evil] = (await core.invoke('artifacts.add', { caseId: c.id, paths: [path] })).added;
    const finding = (await core.invoke('findings.list', { caseId: c.id, artifactId: evil!.id })).find((f) => f.severity === 'critical')!;
    await core.invoke('findings.review', { findingId: finding.id, status: 'accepted', justification: 'sample for training auditors' });
    const again = await core.invoke('scan.rescan', { caseId: c.id });
    assert.equal(again.rescanned, 1);
    const after = (await core.invoke('findings.list', { caseId: c.id, artifactId: evil!.id })).find((f) => f.ruleId === finding.ruleId)!;
    assert.equal(after.status, 'accepted');
    assert.equal(after.justification, 'sample for training auditors');

    await writeFile(path, Buffer.concat([EVIL, Buffer.from('tampered')]));
    const changed = await core.invoke('scan.rescan', { caseId: c.id });
    assert.equal(changed.rescanned, 0);
    assert.match(changed.errors[0]!.message, /no longer has the content recorded at intake/);
    const actions = (await core.invoke('custody.list', { caseId: c.id })).events.map((e) => e.action);
    assert.equal(actions.filter((a) => a === 'artifact.scanned').length, 2);
  });
});
