// Progress of one job the view started (the jobs bar shows every job; this shows this one inline).
import { useEffect, useState } from 'react';
import type { JobProgress } from '../../../../shared/api/schemas.ts';
import { onEvent } from '../../lib/api.ts';

export function newJobId(): string {
  return `behave-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

export function useJobProgress(jobId: string | null): JobProgress | null {
  const [job, setJob] = useState<JobProgress | null>(null);
  useEffect(() => {
    setJob(null);
    if (!jobId) return undefined;
    return onEvent((e) => {
      if (e.type === 'job' && e.job.jobId === jobId) setJob(e.job);
    });
  }, [jobId]);
  return job;
}
