#!/usr/bin/env node
// `assay` / `npx assay`: runs the CLI from its TypeScript sources through tsx, so it works
// straight after `npm ci` without a separate build step.
import { register } from 'tsx/esm/api';

// Output piped into `head` and closed early is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

// onnxruntime writes telemetry state from any process that loads it unless told not to.
process.env.ORT_DISABLE_TELEMETRY = '1';

register();
const { runCli } = await import('../main/cli/main.ts');
const code = await runCli(process.argv.slice(2), {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  stderrIsTTY: Boolean(process.stderr.isTTY),
  stdin: process.stdin,
});
process.exitCode = code;
