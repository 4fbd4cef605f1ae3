// The runtime the faces give the sandbox: never a stale worker bundle (a development checkout
// builds a fresh one on demand), and the runtime's environment (ELECTRON_RUN_AS_NODE for the
// app's own binary) reaches the worker at every isolation level, with onnxruntime's telemetry off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, copyFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProbes } from '../../main/core/behave/run.ts';
import { ensureWorkerBundle, sourcesDigest } from '../../main/core/behave/worker-bundle.ts';
import type { IsolationLevel } from '../../main/core/behave/types.ts';
import { addOneModel } from '../fixtures/behave-models.ts';
import { tempDir } from '../helpers/core.ts';
import { levelWorks, runtime } from './helpers.ts';

const SOURCES = fileURLToPath(new URL('../../main/sandbox/', import.meta.url));

test('a bundle newer than the sources is used; a stale or missing one is rebuilt into the cache, once', async () => {
  const saved = process.env.ASSAY_SANDBOX_WORKER;
  delete process.env.ASSAY_SANDBOX_WORKER;
  const dir = await tempDir('assay-bundle-');
  try {
    const dist = join(dir.path, 'dist-worker.mjs');
    await writeFile(dist, '// a bundle from an earlier build\n');
    const fresh = await ensureWorkerBundle({ cacheDir: join(dir.path, 'cache'), sourcesDir: SOURCES, distBundle: dist });
    assert.deepEqual(fresh, { path: dist, origin: 'dist' });

    // Older than the sources: never run it.
    await utimes(dist, new Date(0), new Date(0));
    const built = await ensureWorkerBundle({ cacheDir: join(dir.path, 'cache'), sourcesDir: SOURCES, distBundle: dist });
    assert.equal(built.origin, 'built');
    assert.ok(built.path.includes(sourcesDigest(SOURCES).slice(0, 24)), built.path);
    const first = await stat(built.path);
    assert.ok(first.size > 10_000, 'a real bundle was written');
    const again = await ensureWorkerBundle({ cacheDir: join(dir.path, 'cache'), sourcesDir: SOURCES, distBundle: join(dir.path, 'missing.mjs') });
    assert.equal(again.path, built.path);
    assert.equal((await stat(again.path)).mtimeMs, first.mtimeMs, 'the cached bundle is reused, not rebuilt');

    // The rebuilt bundle runs a model.
    const r = await runProbes(addOneModel(), { name: 'add.onnx', runtime: { workerPath: built.path }, determinism: false, fingerprint: false, probes: { rows: 4 } });
    assert.ok(r.ok, JSON.stringify(r.failure));

    // Installed app (no sources): the build's bundle, or a clear error.
    assert.deepEqual(await ensureWorkerBundle({ cacheDir: dir.path, sourcesDir: null, distBundle: dist }), { path: dist, origin: 'installed' });
  } finally {
    if (saved === undefined) delete process.env.ASSAY_SANDBOX_WORKER;
    else process.env.ASSAY_SANDBOX_WORKER = saved;
    await dir.remove();
  }
});

test('the runtime\'s environment reaches the worker at every level (an app binary acting as Node)', async () => {
  const dir = await tempDir('assay-runtime-');
  try {
    // Stands in for Electron's binary: acts as Node only with its variable set and its resource
    // file beside it, and checks onnxruntime's telemetry is off.
    const fakeNode = join(dir.path, 'app-binary');
    await writeFile(join(dir.path, 'resources.pak'), 'resource');
    await writeFile(fakeNode, [
      '#!/bin/sh',
      '[ "$ASSAY_FAKE_RUN_AS_NODE" = 1 ] || { echo "not acting as node" >&2; exit 3; }',
      '[ -f "$(dirname "$0")/resources.pak" ] || { echo "resources missing" >&2; exit 4; }',
      '[ "$ORT_DISABLE_TELEMETRY" = 1 ] || { echo "telemetry on" >&2; exit 5; }',
      `exec ${process.execPath} "$@"`,
      '',
    ].join('\n'));
    await chmod(fakeNode, 0o755);
    const rt = await runtime();
    const levels: IsolationLevel[] = [];
    for (const level of ['bubblewrap', 'unshare', 'plain'] as const) if (await levelWorks(level)) levels.push(level);
    assert.ok(levels.includes('plain'));
    for (const level of levels) {
      const env = { ASSAY_FAKE_RUN_AS_NODE: '1', ELECTRON_RUN_AS_NODE: '1' };
      const r = await runProbes(addOneModel(), {
        name: 'add.onnx', isolation: level, runtime: { ...rt, nodePath: fakeNode, env }, determinism: false, fingerprint: false, probes: { rows: 4 },
      });
      assert.ok(r.ok, `${level}: ${JSON.stringify(r.failure)}`);
      assert.equal(r.isolation!.level, level);
      assert.equal(r.isolation!.runtime.node, process.version, 'the report names the worker\'s Node');
      if (level === 'bubblewrap') {
        const cmd = r.isolation!.command.join(' ');
        assert.match(cmd, /--clearenv --setenv ASSAY_FAKE_RUN_AS_NODE 1 --setenv ELECTRON_RUN_AS_NODE 1/);
        assert.ok(cmd.includes(`--ro-bind ${dir.path} ${dir.path}`), 'the app binary\'s directory is bound read-only');
      }
    }
    // Without its variable the binary is not Node, and no worker can start: an environment error, not a finding.
    const copy = join(dir.path, 'other-binary');
    await copyFile(fakeNode, copy);
    await chmod(copy, 0o755);
    await assert.rejects(
      runProbes(addOneModel(), { name: 'add.onnx', isolation: 'plain', runtime: { ...rt, nodePath: copy, env: {} }, determinism: false, fingerprint: false }),
      (e: unknown) => e instanceof Error && e.name === 'SandboxUnavailableError',
    );
  } finally {
    await dir.remove();
  }
});
