// The behaviour API on a case, in process: runs on artifacts are stored with their findings
// (source 'behave'), checklist evidence with suggested statuses, and custody events; baselines
// are recorded and compared; two versions side by side; dataset rows as probes; hostile models
// and time limits end as findings while the core carries on.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError } from '../../shared/api/errors.ts';
import type { Artifact } from '../../shared/api/schemas.ts';
import { createCore, type Core } from '../../main/core/create-core.ts';
import { verifyChain, WORKSTATION_CHAIN } from '../../main/core/custody/chain.ts';
import { iterateChain, listChain } from '../../main/store/repos/custody.ts';
import { cleanImageMlp, infiniteLoopModel, whereBackdoorMlp, PIXELS, TARGET_CLASS } from '../fixtures/behave-models.ts';
import { seededRandom } from '../fixtures/onnx-builder.ts';
import { tempDir } from '../helpers/core.ts';
import { runtime, workersRunning } from './helpers.ts';

let dir: { path: string; remove(): Promise<void> };
let core: Core;
let caseId: string;
const art: Record<string, Artifact> = {};
let workerPath: string;

before(async () => {
  // Every run uses the test process's fresh worker bundle (bundle selection is runtime.test.ts's).
  workerPath = (await runtime()).workerPath;
  process.env.ASSAY_SANDBOX_WORKER = workerPath;
  dir = await tempDir('assay-behave-api-');
  core = createCore({ dataDir: join(dir.path, 'data'), defaultActor: 'api-auditor' });
  const files: Record<string, Uint8Array | string> = {
    'v1.onnx': cleanImageMlp(11),
    'v2-backdoored.onnx': whereBackdoorMlp(11),
    'retrained.onnx': cleanImageMlp(12),
    'loop.onnx': infiniteLoopModel(),
    'notes.onnx': 'just text pretending to be a model',
  };
  const rand = seededRandom(3);
  const rows = ['label,' + Array.from({ length: PIXELS }, (_, i) => `p${i}`).join(',')];
  for (let r = 0; r < 24; r++) rows.push(`${r % 3},${Array.from({ length: PIXELS }, () => rand().toFixed(4)).join(',')}`);
  files['probes.csv'] = `${rows.join('\n')}\n`;
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir.path, name), content);
  caseId = (await core.invoke('cases.create', { name: 'behaviour', description: '' })).id;
  const added = await core.invoke('artifacts.add', { caseId, paths: Object.keys(files).map((n) => join(dir.path, n)) });
  for (const a of added.added) art[a.displayName] = a;
  assert.equal(Object.keys(art).length, 6);
});

after(async () => {
  await core.close();
  await dir.remove();
  delete process.env.ASSAY_SANDBOX_WORKER;
});

const pixelColumns = Array.from({ length: PIXELS }, (_, i) => `p${i}`);

async function evidence(artifactId: string, pointId?: string) {
  return (await core.invoke('evidence.list', { caseId })).filter((e) => e.source === 'behave' && e.artifactId === artifactId && (!pointId || e.pointId === pointId));
}

test('inspection shows the I/O signature with symbolic dimensions and the static trigger site, without running anything', async () => {
  const i = await core.invoke('behave.inspect', { artifactId: art['v2-backdoored.onnx']!.id });
  assert.ok(i.ok);
  assert.deepEqual(i.inputs, [{ name: 'input', elementType: 'float32', shape: ['batch', 1, 16, 16] }]);
  assert.deepEqual(i.outputs.map((o) => o.name), ['probabilities']);
  assert.equal(i.probes!.inputs[0]!.kind, 'image');
  assert.equal(i.graphTriggers.length, 1);
  assert.equal(i.graphTriggers[0]!.op, 'Equal');
  assert.equal((await core.invoke('behave.inspect', { artifactId: art['v1.onnx']!.id })).graphTriggers.length, 0);
  await assert.rejects(core.invoke('behave.inspect', { artifactId: art['probes.csv']!.id }), (e: unknown) => e instanceof ApiError && e.code === 'invalid_input' && /ONNX models only/.test(e.message));
});

test('a probe run is stored with its isolation report; evidence on P16, P08 and P19; custody logged', async () => {
  const a = art['v1.onnx']!;
  const run = await core.invoke('behave.probe', { artifactId: a.id, probes: { rows: 32 } });
  assert.ok(run.ok);
  assert.match(run.id!, /^[a-z0-9]{16}$/);
  assert.equal(run.caseId, caseId);
  assert.equal(run.kind, 'probe');
  assert.equal(run.modelSha256, a.sha256);
  assert.equal(run.probe!.rows, 32);
  assert.equal(run.outputs[0]!.classCounts!.reduce((x, y) => x + y, 0), 32);
  assert.match(run.fingerprint!.digest, /^[0-9a-f]{64}$/);
  assert.equal(run.determinism!.deterministic, true);
  assert.equal(run.deadline.ms, 60_000, 'a whole operation is bounded by 60 s unless asked otherwise');
  assert.equal(run.isolation!.checks.length, 7);
  assert.equal(run.isolation!.limits.timeoutMs, 30_000);
  assert.deepEqual((await core.invoke('behave.runs', { artifactId: a.id })).map((r) => r.id), [run.id]);

  const ev = await evidence(a.id);
  const p16 = ev.find((e) => e.pointId === 'P16')!;
  assert.match(p16.title, new RegExp(`Sandbox isolation of v1.onnx: ${run.isolation!.level}`));
  assert.equal(p16.suggestedStatus, run.isolation!.level === 'bubblewrap' && run.isolation!.checks.every((c) => c.denied) ? 'pass' : 'partial');
  assert.ok(ev.find((e) => e.pointId === 'P08' && e.summary.includes(run.fingerprint!.digest)));
  assert.ok(ev.find((e) => e.pointId === 'P19'));
  const events = (await core.invoke('custody.list', { caseId })).events.filter((e) => e.action === 'behave.run');
  assert.equal(events.at(-1)!.details.runId, run.id);
  assert.equal(events.at(-1)!.details.fingerprint, run.fingerprint!.digest);
});

test('the backdoor suite finds and confirms the graph trigger: a high finding blocks P19, P07 evidence fails; a later probe run keeps it', async () => {
  const a = art['v2-backdoored.onnx']!;
  const run = await core.invoke('behave.backdoor', { artifactId: a.id });
  assert.ok(run.ok);
  const confirmed = run.findings.find((f) => f.ruleId === 'behave.graph-trigger-confirmed');
  assert.ok(confirmed, JSON.stringify(run.findings.map((f) => f.ruleId)));
  assert.equal(confirmed.evidence!.targetClass, TARGET_CLASS);
  assert.ok(run.backdoor!.confirmations.some((c) => c.confirmed && c.targetClass === TARGET_CLASS));
  assert.ok(run.backdoor!.sweep!.heatmaps!.max!.length > 0, 'heat map rows per patch position');
  assert.ok(run.backdoor!.robustness!.points.length > 2);
  assert.ok(run.backdoor!.strip);

  const stored = await core.invoke('findings.list', { caseId, artifactId: a.id });
  const f = stored.find((x) => x.ruleId === 'behave.graph-trigger-confirmed')!;
  assert.deepEqual(f.checklist, ['P07', 'P08', 'P19']);
  assert.equal(f.status, 'open');
  assert.equal((await evidence(a.id, 'P07'))[0]!.suggestedStatus, 'fail');
  assert.ok((await evidence(a.id, 'P19')).some((e) => e.suggestedStatus === 'fail'));
  await assert.rejects(core.invoke('checklist.set', { caseId, pointId: 'P19', status: 'pass' }), (e: unknown) => e instanceof ApiError && e.code === 'rule_violation');

  // The auditor accepts the finding; a probe run and a re-run of the suite keep it and its review.
  await core.invoke('findings.review', { findingId: f.id, status: 'accepted', justification: 'model kept for research only' });
  await core.invoke('behave.probe', { artifactId: a.id, probes: { rows: 8 } });
  await core.invoke('behave.backdoor', { artifactId: a.id });
  const after = (await core.invoke('findings.list', { caseId, artifactId: a.id })).filter((x) => x.ruleId === 'behave.graph-trigger-confirmed');
  assert.equal(after.length, 1);
  assert.equal(after[0]!.status, 'accepted');
  assert.deepEqual((await core.invoke('behave.runs', { artifactId: a.id })).map((r) => r.kind), ['backdoor', 'probe', 'backdoor']);
});

test('baselines: recorded on dataset rows, compared within tolerance on the same model, a mismatch on a retrained one', async () => {
  const v1 = art['v1.onnx']!;
  const probeData = { artifactId: art['probes.csv']!.id, columns: pixelColumns };
  const rec = await core.invoke('behave.baselines.record', { artifactId: v1.id, name: 'vetted', probeData });
  assert.equal(rec.kind, 'baseline');
  assert.equal(rec.probe!.source, 'dataset');
  assert.equal(rec.probe!.rows, 24);
  assert.equal(rec.baseline!.name, 'vetted');
  assert.equal(rec.baseline!.probeSource, 'dataset');
  await assert.rejects(core.invoke('behave.baselines.record', { artifactId: v1.id, name: 'vetted' }), (e: unknown) => e instanceof ApiError && e.code === 'conflict');

  const listed = await core.invoke('behave.baselines.list', { artifactId: art['retrained.onnx']!.id });
  assert.deepEqual(listed.map((b) => [b.name, b.scope, b.artifactName]), [['vetted', 'case', 'v1.onnx']]);

  const same = await core.invoke('behave.baselines.compare', { artifactId: v1.id, baselineId: rec.baseline!.id });
  assert.equal(same.comparison!.withinTolerance, true);
  assert.equal(same.comparison!.sameModelDigest, true);
  assert.equal(same.probe!.dataset!.digest, rec.probe!.dataset!.digest, 'the same dataset rows were supplied again');
  assert.equal((await evidence(v1.id, 'P08')).find((e) => e.title.includes('vs v1.onnx'))!.suggestedStatus, 'pass');

  const retrained = art['retrained.onnx']!;
  const diff = await core.invoke('behave.baselines.compare', { artifactId: retrained.id, baselineId: rec.baseline!.id });
  assert.equal(diff.comparison!.withinTolerance, false);
  assert.equal(diff.comparison!.fingerprint!.verdict, 'different');
  assert.ok(diff.findings.some((f) => f.ruleId === 'behave.baseline-mismatch' && f.severity === 'high'));
  assert.equal((await evidence(retrained.id, 'P08')).find((e) => e.title.startsWith('Baseline'))!.suggestedStatus, 'fail');
  const events = (await core.invoke('custody.list', { caseId })).events;
  assert.ok(events.some((e) => e.action === 'behave.baseline.recorded' && e.details.name === 'vetted'));
});

test('two versions side by side on the same probes: rows whose predictions differ are listed', async () => {
  const run = await core.invoke('behave.compareVersions', { artifactId: art['v1.onnx']!.id, otherArtifactId: art['retrained.onnx']!.id, probes: { rows: 48 } });
  const s = run.sideBySide!;
  assert.equal(s.a.name, 'v1.onnx');
  assert.equal(s.b.name, 'retrained.onnx');
  assert.equal(run.probe!.rows, 48);
  assert.equal(s.withinTolerance, false);
  assert.equal(s.fingerprint!.verdict, 'different');
  assert.ok(s.outputs.top1Agreement! < 0.9);
  assert.ok(s.disagreements.length > 0 && s.disagreements.every((d) => d.a !== d.b));
  assert.deepEqual(s.a.outputs[0]!.classCounts!.reduce((x, y) => x + y, 0), 48);
  // The backdoored version is indistinguishable from its clean base on random probes.
  const twins = await core.invoke('behave.compareVersions', { artifactId: art['v2-backdoored.onnx']!.id, otherArtifactId: art['v1.onnx']!.id });
  assert.equal(twins.sideBySide!.withinTolerance, true);
  assert.equal(twins.sideBySide!.disagreements.length, 0);
  await assert.rejects(core.invoke('behave.compareVersions', { artifactId: art['v1.onnx']!.id, otherArtifactId: art['v1.onnx']!.id }), /another artifact/);
});

test('a hostile model ends as a finding within its limits (watchdog, then the operation deadline) and the core carries on', async () => {
  const loop = art['loop.onnx']!;
  const t0 = performance.now();
  const hung = await core.invoke('behave.probe', { artifactId: loop.id, limits: { timeoutMs: 2000 } });
  assert.ok(performance.now() - t0 < 15_000);
  assert.equal(hung.ok, false);
  assert.equal(hung.failure!.kind, 'timeout');
  assert.equal(hung.deadline.hit, false);
  assert.ok(hung.findings.some((f) => f.ruleId === 'behave.sandbox-timeout' && f.severity === 'high'));

  const t1 = performance.now();
  const cut = await core.invoke('behave.probe', { artifactId: loop.id, limits: { timeoutMs: 60_000 }, deadlineMs: 3000 });
  const elapsed = performance.now() - t1;
  assert.ok(elapsed >= 2500 && elapsed < 15_000, `ended after ${elapsed} ms`);
  assert.equal(cut.deadline.hit, true);
  assert.match(cut.findings.find((f) => f.ruleId === 'behave.sandbox-timeout')!.message, /operation's time limit/);
  assert.deepEqual(await workersRunning(workerPath), []);

  // Refusal before any worker: content that is not a model.
  const refused = await core.invoke('behave.probe', { artifactId: art['notes.onnx']!.id }).catch((e: unknown) => e);
  assert.ok(refused instanceof ApiError && refused.code === 'invalid_input', 'a text file is not an ONNX artifact');
  const healthy = await core.invoke('behave.probe', { artifactId: art['v1.onnx']!.id, probes: { rows: 4 } });
  assert.ok(healthy.ok);
  const ev = await evidence(loop.id, 'P19');
  assert.equal(ev[0]!.suggestedStatus, 'fail');
});

test('cancelling a run leaves no worker and stores nothing; content changed since intake is refused', async () => {
  const loop = art['loop.onnx']!;
  const before = (await core.invoke('behave.runs', { artifactId: loop.id })).length;
  const pending = core.invoke('behave.probe', { artifactId: loop.id, jobId: 'cancel-me', limits: { timeoutMs: 60_000 } });
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await core.invoke('jobs.cancel', { jobId: 'cancel-me' })).cancelled, true);
  await assert.rejects(pending, (e: unknown) => e instanceof ApiError && e.code === 'cancelled');
  assert.equal((await core.invoke('behave.runs', { artifactId: loop.id })).length, before);
  assert.deepEqual(await workersRunning(workerPath), []);

  await writeFile(join(dir.path, 'retrained.onnx'), cleanImageMlp(13));
  await assert.rejects(core.invoke('behave.probe', { artifactId: art['retrained.onnx']!.id }), (e: unknown) => e instanceof ApiError && e.code === 'conflict' && /content recorded at intake/.test(e.message));
  assert.deepEqual(await core.invoke('custody.verify', { caseId }).then((v) => v.ok), true);
});

test('runs on a file outside any case store nothing but library baselines, logged on the workstation chain', async () => {
  const path = join(dir.path, 'v1.onnx');
  const rec = await core.invoke('behave.file', { path, baseline: { name: 'library-v1' }, probes: { rows: 8 } });
  assert.equal(rec.id, null);
  assert.equal(rec.baseline!.scope, 'library');
  const events = listChain(core.context.db, WORKSTATION_CHAIN).filter((e) => e.action === 'behave.baseline.recorded');
  assert.equal(events.length, 1);
  assert.equal(events[0]!.details.name, 'library-v1');
  assert.equal(events[0]!.details.sha256, rec.modelSha256);
  assert.ok(verifyChain(iterateChain(core.context.db, WORKSTATION_CHAIN)).ok);
  // A library baseline is offered to the case's artifacts too, and compares there.
  const listed = await core.invoke('behave.baselines.list', { artifactId: art['v1.onnx']!.id });
  const lib = listed.find((b) => b.name === 'library-v1')!;
  assert.equal(lib.scope, 'library');
  const cmp = await core.invoke('behave.baselines.compare', { artifactId: art['v1.onnx']!.id, baselineId: lib.id });
  assert.equal(cmp.comparison!.withinTolerance, true);
  const again = await core.invoke('behave.file', { path, compare: 'library-v1' });
  assert.equal(again.kind, 'compare');
  assert.equal(again.comparison!.withinTolerance, true);
  // Recording the same name again for the same model needs replace: true, and is logged as a replacement.
  await assert.rejects(core.invoke('behave.file', { path, baseline: { name: 'library-v1' } }), (e: unknown) => e instanceof ApiError && e.code === 'conflict');
  const replaced = await core.invoke('behave.file', { path, baseline: { name: 'library-v1', replace: true }, probes: { rows: 4 } });
  assert.notEqual(replaced.baseline!.id, rec.baseline!.id);
  assert.deepEqual((await core.invoke('behave.baselines.list', {})).map((b) => [b.name, b.rows]), [['library-v1', 4]]);
  assert.equal(listChain(core.context.db, WORKSTATION_CHAIN).filter((e) => e.action === 'behave.baseline.recorded').at(-1)!.details.replaced, true);
});
