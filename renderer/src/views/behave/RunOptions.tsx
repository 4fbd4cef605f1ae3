// What the auditor may set for a run: the probe seed and row count, probe rows from a dataset of
// the case, and the time limits (watchdog without progress; the whole operation).
import type { MethodInput } from '../../../../shared/api/contract.ts';
import type { Artifact } from '../../../../shared/api/schemas.ts';

export interface RunOptionsValue {
  seed: string;
  rows: string;
  datasetId: string;
  columns: string;
  watchdogSeconds: string;
  limitSeconds: string;
}

export const DEFAULT_RUN_OPTIONS: RunOptionsValue = { seed: '', rows: '', datasetId: '', columns: '', watchdogSeconds: '30', limitSeconds: '600' };

const DATASET_FORMATS = new Set(['csv', 'tsv', 'jsonl', 'numpy-npy']);
export const isProbeDataset = (a: Artifact) => DATASET_FORMATS.has(a.format);

type ProbeInput = MethodInput<'behave.probe'>;

/** The parts of an API input these options give; throws a message for a value that does not parse. */
export function runInput(o: RunOptionsValue): Pick<ProbeInput, 'probes' | 'probeData' | 'limits' | 'deadlineMs'> {
  const int = (text: string, what: string, min: number): number | undefined => {
    if (text.trim() === '') return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`${what} must be a whole number of at least ${min}`);
    return n;
  };
  const seed = int(o.seed, 'The seed', 0);
  const rows = int(o.rows, 'Rows', 1);
  const watchdog = int(o.watchdogSeconds, 'The watchdog', 1);
  const limit = int(o.limitSeconds, 'The time limit', 0);
  const columns = o.columns.split(',').map((c) => c.trim()).filter(Boolean);
  return {
    ...(seed !== undefined || rows !== undefined ? { probes: { ...(seed !== undefined ? { seed } : {}), ...(rows !== undefined ? { rows } : {}) } } : {}),
    ...(o.datasetId ? { probeData: { artifactId: o.datasetId, ...(columns.length > 0 ? { columns } : {}) } } : {}),
    ...(watchdog !== undefined ? { limits: { timeoutMs: watchdog * 1000 } } : {}),
    ...(limit !== undefined ? { deadlineMs: limit * 1000 } : {}),
  };
}

export function RunOptions({ value, onChange, datasets }: { value: RunOptionsValue; onChange(v: RunOptionsValue): void; datasets: Artifact[] }) {
  const set = (k: keyof RunOptionsValue) => (e: { target: { value: string } }) => onChange({ ...value, [k]: e.target.value });
  return (
    <fieldset className="run-options">
      <legend>Run options</legend>
      <label className="inline">Seed <input type="number" min={0} value={value.seed} onChange={set('seed')} placeholder="default" size={10} /></label>
      <label className="inline">Rows <input type="number" min={1} value={value.rows} onChange={set('rows')} placeholder="64" size={6} /></label>
      <label className="inline">Probe rows from
        <select value={value.datasetId} onChange={set('datasetId')}>
          <option value="">generated probes</option>
          {datasets.map((d) => <option key={d.id} value={d.id}>{d.displayName} ({d.formatLabel})</option>)}
        </select>
      </label>
      {value.datasetId && <label className="inline">Columns <input value={value.columns} onChange={set('columns')} placeholder="all numeric" /></label>}
      <label className="inline">Watchdog (s) <input type="number" min={1} value={value.watchdogSeconds} onChange={set('watchdogSeconds')} size={5} /></label>
      <label className="inline">Time limit (s, 0 for none) <input type="number" min={0} value={value.limitSeconds} onChange={set('limitSeconds')} size={6} /></label>
    </fieldset>
  );
}
