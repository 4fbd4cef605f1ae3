// Printing for people and for scripts: aligned tables, JSON documents, and a progress line on
// stderr that only appears when stderr is a terminal.
import type { AppEvent } from '../../shared/api/events.ts';
import type { JobProgress } from '../../shared/api/schemas.ts';
import type { CliContext } from './types.ts';
import { formatBytes } from '../../shared/format.ts';

export { formatBytes };

export function printJson(ctx: CliContext, value: unknown): void {
  ctx.io.out(`${JSON.stringify(value, null, 2)}\n`);
}

export function table(rows: string[][], header?: string[]): string {
  const all = header ? [header, ...rows] : rows;
  const widths: number[] = [];
  for (const r of all) r.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, c.length); });
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + (all.length ? '\n' : '');
}


export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m}m${String(Math.ceil(seconds % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function progressLine(job: JobProgress, width = 80): string {
  const pct = job.bytesTotal > 0 ? job.bytesDone / job.bytesTotal : job.itemsTotal > 0 ? job.itemsDone / job.itemsTotal : 0;
  const barWidth = 20;
  const filled = Math.round(Math.min(1, pct) * barWidth);
  const parts = [
    `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]`,
    `${(pct * 100).toFixed(0).padStart(3)}%`,
    job.rate > 0 ? `${formatBytes(job.rate)}/s` : '',
    job.etaSeconds !== null && job.state === 'running' ? `ETA ${formatDuration(job.etaSeconds)}` : '',
    job.itemsTotal > 0 ? `${job.itemsDone}/${job.itemsTotal}` : '',
    job.currentItem ?? '',
  ].filter(Boolean);
  const line = parts.join(' ');
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}

/** Shows job progress on stderr while `work` runs, when stderr is a TTY. */
export async function withProgress<T>(ctx: CliContext, work: () => Promise<T>): Promise<T> {
  if (!ctx.io.stderrIsTTY) return work();
  let shown = false;
  const off = ctx.core().events.on((e: AppEvent) => {
    if (e.type !== 'job') return;
    shown = true;
    ctx.io.err(`\r\x1b[2K${progressLine(e.job, (process.stderr.columns ?? 80) - 1)}`);
  });
  try {
    return await work();
  } finally {
    off();
    if (shown) ctx.io.err('\r\x1b[2K');
  }
}
