// Every long operation in flight, with a progress bar, throughput, ETA and a cancel button.
import { useEffect, useState } from 'react';
import type { JobProgress } from '../../../shared/api/schemas.ts';
import { api, onEvent } from '../lib/api.ts';
import { formatBytes, formatDuration } from '../lib/format.ts';

export function JobsBar() {
  const [jobs, setJobs] = useState<Map<string, JobProgress>>(new Map());
  useEffect(() => {
    api.call('jobs.list', {}).then((list) => setJobs(new Map(list.map((j) => [j.jobId, j]))), () => undefined);
    return onEvent((e) => {
      if (e.type !== 'job') return;
      setJobs((prev) => {
        const next = new Map(prev);
        next.set(e.job.jobId, e.job);
        return next;
      });
      if (e.job.state !== 'running') {
        const id = e.job.jobId;
        setTimeout(() => setJobs((prev) => { const next = new Map(prev); next.delete(id); return next; }), e.job.state === 'done' ? 1500 : 8000);
      }
    });
  }, []);
  if (jobs.size === 0) return null;
  return (
    <section className="jobs" aria-label="Operations in progress">
      {[...jobs.values()].map((j) => <JobRow key={j.jobId} job={j} />)}
    </section>
  );
}

function JobRow({ job }: { job: JobProgress }) {
  const fraction = job.bytesTotal > 0 ? job.bytesDone / job.bytesTotal : job.itemsTotal > 0 ? job.itemsDone / job.itemsTotal : 0;
  const pct = Math.round(Math.min(1, fraction) * 100);
  return (
    <div className={`job job-${job.state}`}>
      <div className="job-label">
        <strong>{job.label}</strong>
        {job.currentItem && job.state === 'running' && <span className="muted"> · {job.currentItem}</span>}
        {job.state === 'failed' && <span className="error-text"> · failed: {job.error}</span>}
        {job.state === 'cancelled' && <span className="muted"> · cancelled</span>}
      </div>
      <progress max={100} value={pct} aria-label={`${job.label}: ${pct}%`} />
      <span className="job-figures">
        {pct}%{job.itemsTotal > 0 && ` · ${job.itemsDone}/${job.itemsTotal} items`}
        {job.bytesTotal > 0 && ` · ${formatBytes(job.bytesDone)} of ${formatBytes(job.bytesTotal)}`}
        {job.rate > 0 && job.state === 'running' && ` · ${formatBytes(job.rate)}/s · ETA ${formatDuration(job.etaSeconds)}`}
      </span>
      {job.state === 'running' && (
        <button type="button" className="secondary" onClick={() => void api.call('jobs.cancel', { jobId: job.jobId })}>Cancel</button>
      )}
    </div>
  );
}
