// Baselines: record the outputs of a probe run under a name, and compare this artifact with any
// baseline of its case or the model library (max |difference|, top-1 agreement, fingerprint).
import { useState } from 'react';
import type { BaselineInfo, BehaveRun } from '../../../../shared/api/methods/behave-schemas.ts';
import { formatTime } from '../../lib/format.ts';
import { num, pct } from './format.ts';

const SCOPE: Record<BaselineInfo['scope'], string> = { artifact: 'this artifact', case: 'another artifact of the case', library: 'model library' };

function Comparison({ run }: { run: BehaveRun }) {
  const c = run.comparison;
  if (!c) return <span className="error-text">{run.failure?.message ?? 'did not complete'}</span>;
  return (
    <span>
      <strong className={c.withinTolerance ? 'ok' : 'error-text'}>{c.withinTolerance ? 'within tolerance' : 'differs'}</strong>
      {' '}· max |diff| {num(c.outputs.maxAbsDiff)} (≤ {c.tolerance.maxAbsDiff}) · top-1 {pct(c.outputs.top1Agreement, 1)} · fingerprint {c.fingerprint?.verdict ?? '—'} · {formatTime(run.startedAt)}
    </span>
  );
}

export function Baselines({ baselines, compares, busy, onRecord, onCompare }: {
  baselines: BaselineInfo[];
  /** Latest comparison run per baseline id. */
  compares: Map<string, BehaveRun>;
  busy: boolean;
  onRecord(name: string): void;
  onCompare(baselineId: string): void;
}) {
  const [name, setName] = useState('');
  return (
    <div className="baselines">
      <form className="inline-form" onSubmit={(e) => { e.preventDefault(); if (name.trim()) onRecord(name.trim()); setName(''); }}>
        <label>Record a baseline named <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} placeholder="e.g. vetted-v1" /></label>
        <button type="submit" disabled={busy || name.trim() === ''}>Record baseline</button>
      </form>
      {baselines.length === 0 ? <p className="muted">No baselines yet: record one on a vetted version, then compare later versions with it.</p> : (
        <table className="baseline-table">
          <caption>Baselines this model can be compared with</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Recorded on</th><th scope="col">When, by</th><th scope="col">Probes</th><th scope="col">Latest comparison</th><th scope="col"><span className="visually-hidden">Action</span></th></tr></thead>
          <tbody>
            {baselines.map((b) => {
              const last = compares.get(b.id);
              return (
                <tr key={b.id}>
                  <td><strong>{b.name}</strong></td>
                  <td>{SCOPE[b.scope]}{b.artifactName && b.scope !== 'artifact' ? ` (${b.artifactName})` : ''}<div className="small muted"><code>{b.modelSha256.slice(0, 16)}…</code></div></td>
                  <td>{formatTime(b.createdAt)}, {b.createdBy}</td>
                  <td>{b.rows} rows, {b.probeSource}</td>
                  <td>{last ? <Comparison run={last} /> : <span className="muted">not compared</span>}</td>
                  <td><button type="button" className="secondary" disabled={busy} onClick={() => onCompare(b.id)} aria-label={`Compare with baseline ${b.name}`}>Compare</button></td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
