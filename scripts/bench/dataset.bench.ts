// Dataset scan throughput: a generated 1,000,000-row CSV (~200 MB, planted PII and poison) is
// scanned in full (schema, PII and secrets, poisoning indicators) and compared with parsing the
// same file with csv-parse alone, in the same run. Target: at most 3× the parse time, peak
// memory (RSS) under 1 GiB.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat, symlink, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'csv-parse';
import { build } from 'esbuild';
import type { scanDataset as ScanDataset } from '../../main/core/dataset/index.ts';
import { csvParserOptions } from '../../main/core/dataset/read/csv.ts';
import { DEFAULT_READ_LIMITS } from '../../main/core/dataset/read/types.ts';
import { generateTabular, csvField } from '../../test/dataset/fixtures/tabular.ts';
import type { Bench, BenchContext } from './types.ts';

const ROWS = Number(process.env.ASSAY_BENCH_DATASET_ROWS ?? 1_000_000);
const BLOCK = 10_000;

async function writeDataset(path: string, rows: number): Promise<number> {
  const out = createWriteStream(path);
  let written = 0;
  for (let block = 0; written < rows; block++) {
    const t = generateTabular({ rows: Math.min(BLOCK, rows - written), seed: 1000 + block });
    const lines: string[] = block === 0 ? [t.header.join(',')] : [];
    for (const r of t.rows) {
      if (written >= rows) break;
      r[0] = String(written++);
      lines.push(r.map((f) => csvField(f)).join(','));
    }
    if (!out.write(`${lines.join('\n')}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return (await stat(path)).size;
}

async function parseOnly(path: string): Promise<{ ms: number; records: number }> {
  const started = performance.now();
  let records = 0;
  const parser = createReadStream(path, { highWaterMark: 1024 * 1024 }).pipe(parse(csvParserOptions(',', DEFAULT_READ_LIMITS)));
  parser.on('data', () => { records++; });
  await once(parser, 'end');
  return { ms: performance.now() - started, records };
}

// The app runs the scan from a bundle and its worker from dist/workers/dataset-scan-worker.mjs
// (scripts/build-entries.mjs); from the TypeScript sources the worker would first load tsx and
// compile every module, which the product never does. So the bench bundles both the way the
// build does, into a throw-away app root, and measures that.
const ROOT = new URL('../..', import.meta.url).pathname;
const EXTERNALS = ['electron', 'better-sqlite3', 'onnxruntime-node', 'sharp', 'playwright-core', 'tsx', 'tsx/esm/api', 'esbuild'];
const BANNER = "import { createRequire as __assayCreateRequire } from 'node:module'; const require = __assayCreateRequire(import.meta.url);";

async function bundledScan(dir: string): Promise<typeof ScanDataset> {
  await mkdir(join(dir, 'dist', 'workers'), { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'assay', version: '0.0.0-bench', type: 'module' }));
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const common = { bundle: true, format: 'esm' as const, platform: 'node' as const, target: 'node20', external: EXTERNALS, banner: { js: BANNER }, logLevel: 'error' as const };
  await build({ ...common, entryPoints: [join(ROOT, 'main/core/dataset/scan-worker.ts')], outfile: join(dir, 'dist', 'workers', 'dataset-scan-worker.mjs') });
  await build({ ...common, entryPoints: [join(ROOT, 'main/core/dataset/index.ts')], outfile: join(dir, 'dist', 'dataset.mjs') });
  const mod = (await import(pathToFileURL(join(dir, 'dist', 'dataset.mjs')).href)) as { scanDataset: typeof ScanDataset };
  return mod.scanDataset;
}

function peakRss(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
  return { stop: () => { clearInterval(timer); return Math.max(peak, process.memoryUsage().rss); } };
}

const bench: Bench = {
  description: `full dataset scan of a generated ${ROWS.toLocaleString('en-US')}-row CSV vs csv-parse alone`,
  async run(ctx: BenchContext) {
    const path = join(ctx.tmpDir, 'dataset.csv');
    const size = await writeDataset(path, ROWS);
    ctx.log(`generated ${(size / 1e6).toFixed(0)} MB, ${ROWS} rows`);
    const scanDataset = await bundledScan(join(ctx.tmpDir, 'app'));
    // Warm the page cache and the parser once, then time parse, scan, parse. On a shared machine
    // the parse time varies from run to run; the reference is the mean of the two around the scan.
    await parseOnly(path);
    const before = await parseOnly(path);
    const mem = peakRss();
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    const report = await scanDataset(path);
    const scanMs = performance.now() - started;
    const cpu = process.cpuUsage(cpu0);
    const peak = mem.stop();
    const afterParse = await parseOnly(path);
    const parseMs = (before.ms + afterParse.ms) / 2;
    ctx.log(`parse ${before.ms.toFixed(0)} / ${afterParse.ms.toFixed(0)} ms, scan ${scanMs.toFixed(0)} ms (${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU, all threads), ${report.findings.length} findings, ${report.dataset.rowCount} rows; ${report.dataset.formatDetail}`);
    if (!report.dataset.formatDetail.includes('two threads')) ctx.log('WARNING: the bundled scan did not run in parallel');
    return [
      {
        name: 'scan time / csv-parse time',
        value: scanMs / parseMs,
        unit: '×',
        target: { bound: 3, better: 'lower' },
        detail: {
          scanMs: Math.round(scanMs), parseMs: Math.round(parseMs), parseMsBefore: Math.round(before.ms), parseMsAfter: Math.round(afterParse.ms),
          scanCpuMs: Math.round((cpu.user + cpu.system) / 1000), rows: report.dataset.rowCount, mb: Math.round(size / 1e6), findings: report.findings.length,
        },
      },
      {
        name: 'peak memory during scan',
        value: peak / 2 ** 20,
        unit: 'MiB',
        target: { bound: 1024, better: 'lower' },
      },
    ];
  },
};

export default bench;
