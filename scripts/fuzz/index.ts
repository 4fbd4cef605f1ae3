// `npm run fuzz [-- MINUTES]`: runs the scanner's mutation suites (truncation, bit flips,
// splices, inflated length fields, over every format's fixtures) round after round with new
// seeds until the time is up (default 10 minutes). A failing round prints the command that
// reproduces it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SUITES = ['test/scan/pickle/mutation.test.ts', 'test/scan/archive/mutation.test.ts', 'test/scan/formats/mutation.test.ts'];
const minutes = Number(process.argv[2] ?? 10);
const deadline = Date.now() + minutes * 60_000;

let round = 1;
let failures = 0;
while (Date.now() < deadline) {
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=dot', ...SUITES], {
    cwd: root,
    env: { ...process.env, ASSAY_FUZZ_ROUND: String(round) },
    encoding: 'utf8',
  });
  const ok = r.status === 0;
  console.log(`round ${round}: ${ok ? 'ok' : 'FAILED'} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  if (!ok) {
    failures++;
    console.log(r.stdout.slice(-4000));
    console.log(`reproduce: ASSAY_FUZZ_ROUND=${round} node --import tsx --test ${SUITES.join(' ')}`);
  }
  round++;
}
console.log(`${round - 1} rounds, ${failures} failed`);
process.exit(failures > 0 ? 1 : 0);
