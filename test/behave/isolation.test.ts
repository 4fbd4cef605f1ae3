// P16: a worker started by the launcher cannot write a file, open a socket, spawn a process or
// exceed its memory cap. The worker attempts each at start-up and the host checks the results
// it can see itself (a connection arriving, a file appearing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFrame, PROTOCOL_VERSION } from '../../main/sandbox/protocol.ts';
import { defaultThreads } from '../../main/core/behave/launcher.ts';
import { runProbes } from '../../main/core/behave/run.ts';
import { SandboxFailure, SandboxSession } from '../../main/core/behave/session.ts';
import { failureFinding } from '../../main/core/behave/sandboxed.ts';
import { addOneModel, infiniteLoopModel } from '../fixtures/behave-models.ts';
import { alive, bestLevel, levelWorks, runtime } from './helpers.ts';

const plan = (rows: number) => ({
  rows, batchSize: rows, outputs: ['y'],
  inputs: { x: { source: 'generate' as const, dtype: 'float32' as const, rowShape: [4], distribution: { kind: 'constant' as const, value: 2 }, seed: 1 } },
});

const bwrap = await levelWorks('bubblewrap');

test('auto chooses bubblewrap where it works, and there every forbidden operation is denied', { skip: !bwrap && 'bubblewrap does not work on this machine' }, async () => {
  const s = await SandboxSession.open(addOneModel(), { runtime: await runtime() });
  try {
    const iso = s.isolation!;
    assert.equal(iso.level, 'bubblewrap');
    assert.deepEqual(iso.checks.map((c) => c.id).sort(), ['child-process', 'fs-read', 'fs-write', 'memory', 'native-write', 'network', 'worker-thread']);
    for (const c of iso.checks) assert.ok(c.denied, `${c.id} was not denied: ${c.detail}`);
    // The native library's write was stopped by the read-only root, not only by the permission model.
    assert.match(iso.checks.find((c) => c.id === 'native-write')!.detail, /read-only|Read-only|denied|failed/i);
    assert.ok(iso.limits.addressSpaceBytes !== null && iso.limits.addressSpaceBytes >= 2 ** 31);
    assert.equal(iso.limits.fileSizeBytes, 0);
    assert.ok(iso.layers.some((l) => l.includes('uid 65534')));
    assert.ok(iso.command.includes('--unshare-all') && iso.command.some((a) => a.startsWith('--allow-fs-read=')));
    // Still a working inference worker.
    const r = await s.run(plan(3));
    assert.deepEqual(Array.from(r.outputs.y!.values), new Array(12).fill(3));
  } finally {
    await s.close();
  }
});

test('weaker levels run too and record what they did not deny', async (t) => {
  for (const level of ['unshare', 'plain'] as const) {
    if (!(await levelWorks(level))) {
      t.diagnostic(`${level} not available here`);
      continue;
    }
    const r = await runProbes(addOneModel(), { name: 'add.onnx', isolation: level, runtime: await runtime(), determinism: false, fingerprint: false });
    assert.ok(r.ok, level);
    assert.equal(r.isolation!.level, level);
    const check = (id: string) => r.isolation!.checks.find((c) => c.id === id)!;
    // The permission model holds at every level.
    for (const id of ['fs-write', 'fs-read', 'child-process', 'worker-thread']) assert.ok(check(id).denied, `${level}: ${id}`);
    if (r.isolation!.limits.addressSpaceBytes !== null) assert.ok(check('memory').denied, `${level}: memory`);
    // Only a network namespace stops a socket.
    assert.equal(check('network').denied, level === 'unshare', `${level}: network ${check('network').detail}`);
    const degraded = r.findings.find((f) => f.ruleId === 'behave.isolation-degraded');
    assert.ok(degraded, `${level} raises isolation-degraded`);
    assert.equal(degraded.severity, 'low');
  }
});

test('when bubblewrap is unavailable the launcher falls back and records why', async () => {
  const before = process.env.ASSAY_SANDBOX_DISABLE;
  process.env.ASSAY_SANDBOX_DISABLE = 'bubblewrap';
  try {
    const r = await runProbes(addOneModel(), { name: 'add.onnx', runtime: await runtime(), determinism: false, fingerprint: false });
    assert.ok(r.ok);
    assert.notEqual(r.isolation!.level, 'bubblewrap');
    assert.deepEqual(r.isolation!.fallbacks[0], { level: 'bubblewrap', reason: 'disabled by ASSAY_SANDBOX_DISABLE' });
    assert.ok(r.findings.some((f) => f.ruleId === 'behave.isolation-degraded' && /disabled by ASSAY_SANDBOX_DISABLE/.test(f.message)));
  } finally {
    if (before === undefined) delete process.env.ASSAY_SANDBOX_DISABLE;
    else process.env.ASSAY_SANDBOX_DISABLE = before;
  }
});

test('a worker that sends an oversized frame is killed and reported as a protocol violation', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'assay-fake-worker-'));
  const hello = Buffer.concat(encodeFrame({ type: 'hello', protocol: PROTOCOL_VERSION, pid: 1, node: process.version, uid: null, cwd: '/' })).toString('base64');
  const fake = join(dir, 'flood.mjs');
  // Says hello properly, then answers the model with a frame header claiming 2 GiB.
  await writeFile(fake, `import { Socket } from 'node:net';
const out = new Socket({ fd: 3, readable: false, writable: true });
out.write(Buffer.from('${hello}', 'base64'));
process.stdin.once('data', () => { const h = Buffer.alloc(8); h.writeUInt32LE(16, 0); h.writeUInt32LE(0x7fffffff, 4); out.write(h); });
setInterval(() => {}, 1000);
`);
  const r = await runProbes(addOneModel(), { name: 'add.onnx', runtime: { workerPath: fake }, determinism: false, fingerprint: false, limits: { timeoutMs: 10_000 } });
  await rm(dir, { recursive: true, force: true });
  assert.ok(!r.ok);
  const f = r.findings.find((x) => x.ruleId === 'behave.protocol-violation');
  assert.ok(f, JSON.stringify(r.findings));
  assert.equal(f.severity, 'high');
  assert.ok(r.timings.totalMs < 9000, 'killed at once, not by the watchdog');
});

test('a worker that dies of a signal mid-run becomes a crash finding, and nothing is left running', async () => {
  const s = await SandboxSession.open(infiniteLoopModel(), { runtime: await runtime(), isolation: (await bestLevel()) === 'bubblewrap' ? 'bubblewrap' : 'plain', selfTest: false, limits: { timeoutMs: 20_000 } });
  const pid = s.pid!;
  const running = s.run(plan(1));
  setTimeout(() => process.kill(pid, 'SIGSEGV'), 300);
  const err = await running.then(() => null, (e: unknown) => e);
  assert.ok(err instanceof SandboxFailure, String(err));
  assert.equal(err.info.kind, 'crash');
  assert.match(err.info.message, /SIGSEGV/);
  assert.equal(failureFinding(err.info, s.isolation).ruleId, 'behave.sandbox-crash');
  await s.close();
  assert.ok(!alive(pid));
});

test('inference leaves the app a core of its own: one thread on one or two cores, one fewer than the cores up to four', () => {
  assert.deepEqual([1, 2, 3, 4, 8, 64].map(defaultThreads), [1, 1, 2, 3, 4, 4]);
});
