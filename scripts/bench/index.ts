// `npm run bench [-- NAME...]`: runs the benches in scripts/bench/*.bench.ts and prints each
// result with its target, plus the machine it ran on. Exit code 1 when a target is missed.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { cpus, freemem, totalmem } from 'node:os';
import { join } from 'node:path';
import { meetsTarget, type Bench, type BenchResult } from './types.ts';

const dir = new URL('.', import.meta.url).pathname;
const wanted = process.argv.slice(2);
const files = (await readdir(dir)).filter((f) => f.endsWith('.bench.ts')).sort();
const selected = files.filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.bench\.ts$/, '')));

const cpu = cpus();
console.log(`machine: ${cpu.length} x ${cpu[0]?.model ?? 'unknown cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM (${(freemem() / 2 ** 30).toFixed(1)} free), node ${process.version}, ${process.platform}-${process.arch}`);
let missed = 0;
for (const file of selected) {
  const bench = (await import(join(dir, file))).default as Bench;
  console.log(`\n## ${file.replace(/\.bench\.ts$/, '')}: ${bench.description}`);
  const tmpDir = await mkdtemp(join(process.env.ASSAY_BENCH_DIR ?? '/var/tmp', 'assay-bench-'));
  let results: BenchResult[] = [];
  try {
    results = await bench.run({ tmpDir, log: (l) => console.log(`  ${l}`) });
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
  for (const r of results) {
    const ok = meetsTarget(r);
    if (ok === false) missed++;
    const target = r.target ? ` (target ${r.target.better === 'higher' ? '>=' : '<='} ${r.target.bound}: ${ok ? 'met' : 'MISSED'})` : '';
    console.log(`  ${r.name}: ${r.value.toFixed(3)} ${r.unit}${target}`);
    if (r.detail) console.log(`    ${Object.entries(r.detail).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  }
}
process.exit(missed > 0 ? 1 : 0);
