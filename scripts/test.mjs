#!/usr/bin/env node
// `npm test`: typecheck, import-boundary check, build the renderer, then every test file under
// test/ with node's test runner (TAP on stdout: CI reads its `# pass N` / `# fail N` lines).
// `npm test -- test/store test/cli/add.test.ts` runs only the given files or folders, without the
// typecheck and build steps.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);

function run(cmd, cmdArgs) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function collect(path, out) {
  const st = statSync(path);
  if (st.isDirectory()) {
    for (const name of readdirSync(path).sort()) collect(join(path, name), out);
  } else if (/\.test\.ts$/.test(path)) {
    out.push(relative(root, path));
  }
  return out;
}

const targets = args.length > 0 ? args : ['test'];
const files = targets.flatMap((t) => collect(join(root, t), []));
if (files.length === 0) {
  console.error(`no test files under ${targets.join(', ')}`);
  process.exit(2);
}

if (args.length === 0) {
  console.error('== typecheck');
  run('npm', ['run', '-s', 'typecheck']);
  console.error('== import boundaries');
  run('node', ['--import', 'tsx', 'scripts/check-boundaries.ts']);
  console.error('== build');
  run('node', ['scripts/build.mjs']);
}

console.error(`== ${files.length} test files`);
run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', ...files]);
