#!/usr/bin/env node
// `assay` / `npx assay`. Runs the bundled CLI (dist/cli/main.mjs, built by `npm run build`) when
// it is newer than every source file, so commands start fast; otherwise — a fresh checkout, or
// sources edited since the last build — runs the TypeScript sources through tsx.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// onnxruntime writes telemetry state from any process that loads it unless told not to.
process.env.ORT_DISABLE_TELEMETRY = '1';

// Output piped into `head` and closed early is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'cli', 'main.mjs');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function bundleIsFresh() {
  try {
    const built = statSync(bundle).mtimeMs;
    return ['main', 'shared'].every((d) => newestMtime(join(root, d)) <= built);
  } catch {
    return false;
  }
}

let runCli;
if (process.env.ASSAY_FROM_SOURCES !== '1' && bundleIsFresh()) {
  ({ runCli } = await import(bundle));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ runCli } = await import('../main/cli/main.ts'));
}
const code = await runCli(process.argv.slice(2), {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  stderrIsTTY: Boolean(process.stderr.isTTY),
  stdin: process.stdin,
});
process.exitCode = code;
