export { formatBytes } from '../../../shared/format.ts';

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m} min ${Math.ceil(seconds % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function formatTime(iso: string | null): string {
  if (!iso) return '—';
  return iso.replace('T', ' ').slice(0, 19);
}

export const STATUS_LABELS: Record<string, string> = {
  not_reviewed: 'Not reviewed', pass: 'Pass', fail: 'Fail', partial: 'Partial', not_applicable: 'Not applicable',
};
