// Inline progress of one job: a bar with bytes, rate and ETA, and a Cancel button.
import type { JobProgress } from '../../../../shared/api/schemas.ts';
import { api } from '../../lib/api.ts';
import { formatBytes, formatDuration } from '../../lib/format.ts';

export function JobStatus({ job, busy, label }: { job: JobProgress | null; busy: boolean; label: string }) {
  if (!busy) return null;
  const fraction = job && job.bytesTotal > 0 ? job.bytesDone / job.bytesTotal : 0;
  const pct = Math.round(Math.min(1, fraction) * 100);
  return (
    <div className="ds-job" role="status">
      <span>{label}</span>
      <progress max={100} value={pct} aria-label={`${label}: ${pct}%`} />
      <span className="small">
        {pct}%{job && job.bytesTotal > 0 ? ` · ${formatBytes(job.bytesDone)} of ${formatBytes(job.bytesTotal)}` : ''}
        {job && job.rate > 0 ? ` · ${formatBytes(job.rate)}/s · ETA ${formatDuration(job.etaSeconds)}` : ''}
      </span>
      {job && <button type="button" className="secondary" onClick={() => void api.call('jobs.cancel', { jobId: job.jobId })}>Cancel</button>}
    </div>
  );
}
