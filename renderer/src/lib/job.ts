// Progress of one job a view started (the jobs bar shows every job; this shows one inline), and
// running a long call under a fresh job id so the view can show its progress and cancel it.
import { useEffect, useState } from 'react';
import type { JobProgress } from '../../../shared/api/schemas.ts';
import { onEvent } from './api.ts';

/** A fresh job id; `area` names the view that started it, for the jobs bar and the logs. */
export function newJobId(area: string): string {
  return `${area}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
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

/** Runs a long call under a fresh job id, remembering the id (for progress and Cancel) while it runs. */
export function useLongCall(area: string): {
  jobId: string | null;
  job: JobProgress | null;
  busy: boolean;
  error: string | null;
  run<T>(call: (jobId: string) => Promise<T>): Promise<T | null>;
  clearError(): void;
} {
  const [jobId, setJobId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const job = useJobProgress(jobId);
  const run = async <T,>(call: (jobId: string) => Promise<T>): Promise<T | null> => {
    const id = newJobId(area);
    setJobId(id);
    setBusy(true);
    setError(null);
    try {
      return await call(id);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      return null;
    } finally {
      setBusy(false);
    }
  };
  return { jobId, job, busy, error, run, clearError: () => setError(null) };
}
