// Dataset scan throughput: a generated 1,000,000-row CSV (~200 MB, planted PII and poison) is
// scanned in full (schema, PII and secrets, poisoning indicators) and compared with parsing the
// same file with csv-parse alone, in the same run. Target: at most 3× the parse time, peak
// memory (RSS) under 1 GiB.
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { parse } from 'csv-parse';
import { scanDataset } from '../../main/core/dataset/index.ts';
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
    ctx.log(`parse ${before.ms.toFixed(0)} / ${afterParse.ms.toFixed(0)} ms, scan ${scanMs.toFixed(0)} ms (${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU, all threads), ${report.findings.length} findings, ${report.dataset.rowCount} rows`);
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
