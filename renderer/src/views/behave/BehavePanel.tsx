// The behaviour tab of an ONNX artifact: its I/O signature, runs in the sandbox (probes, the
// backdoor suite, baselines, another version side by side) with their progress, the isolation
// report of the latest run, and the results. Every run is stored with the case; findings and
// checklist evidence follow from it.
import { useState } from 'react';
import type { MethodInput } from '../../../../shared/api/contract.ts';
import type { BehaveRun } from '../../../../shared/api/methods/behave-schemas.ts';
import type { Artifact } from '../../../../shared/api/schemas.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { api } from '../../lib/api.ts';
import { formatTime } from '../../lib/format.ts';
import { changedFor, useLoad } from '../../lib/hooks.ts';
import { BackdoorResult } from './BackdoorResult.tsx';
import { Baselines } from './Baselines.tsx';
import { shapeText } from './format.ts';
import { IsolationReport } from './IsolationReport.tsx';
import { ProbeResult } from './ProbeResult.tsx';
import { DEFAULT_RUN_OPTIONS, isProbeDataset, RunOptions, runInput, type RunOptionsValue } from './RunOptions.tsx';
import { SideBySide } from './SideBySide.tsx';
import { newJobId, useJobProgress } from '../../lib/job.ts';

const KIND_LABEL: Record<BehaveRun['kind'], string> = {
  probe: 'Probe run', backdoor: 'Backdoor suite', baseline: 'Baseline recorded', compare: 'Baseline comparison', 'side-by-side': 'Side by side',
};

async function caseArtifacts(caseId: string): Promise<Artifact[]> {
  const r = await api.call('artifacts.list', { caseId, offset: 0, limit: 5000 });
  return r.items;
}

function Signature({ artifactId }: { artifactId: string }) {
  const inspection = useLoad(() => api.call('behave.inspect', { artifactId }), [artifactId]);
  const i = inspection.data;
  if (inspection.error) return <ErrorText error={inspection.error} />;
  if (!i) return <p className="muted">Reading the model…</p>;
  if (!i.ok) return <p className="error-text">The model cannot be decoded: {i.error}</p>;
  return (
    <>
      <table className="signature">
        <caption>Inputs and outputs (symbolic dimensions by name)</caption>
        <thead><tr><th scope="col">Kind</th><th scope="col">Name</th><th scope="col">Element type</th><th scope="col">Shape</th><th scope="col">Probes generated</th></tr></thead>
        <tbody>
          {i.inputs.map((x) => {
            const p = i.probes?.inputs.find((q) => q.name === x.name);
            return (
              <tr key={`in-${x.name}`}>
                <td>input</td><td><code>{x.name}</code></td><td>{x.elementType}</td><td><code>{shapeText(x.shape)}</code></td>
                <td>{p ? `${p.kind}${p.layout ? ` ${p.layout}` : ''}, rows [${p.rowShape.join(', ')}], ${p.distribution.kind}` : <span className="muted">{i.probeError ?? '—'}</span>}</td>
              </tr>
            );
          })}
          {i.outputs.map((x) => <tr key={`out-${x.name}`}><td>output</td><td><code>{x.name}</code></td><td>{x.elementType}</td><td><code>{shapeText(x.shape)}</code></td><td /></tr>)}
        </tbody>
      </table>
      {i.graphTriggers.length > 0 && (
        <p className="warn">Static inspection: {i.graphTriggers.length} comparison{i.graphTriggers.length === 1 ? '' : 's'} of an input with constants gate{i.graphTriggers.length === 1 ? 's' : ''} an output ({i.graphTriggers.map((s) => s.node).slice(0, 3).join(', ')}). Run the backdoor suite to confirm.</p>
      )}
      {i.externalData.length > 0 && <p className="small">External data: {i.externalData.join(', ')} (read from the model's folder in the case).</p>}
    </>
  );
}

function History({ runs }: { runs: BehaveRun[] }) {
  if (runs.length === 0) return null;
  return (
    <details className="history">
      <summary>All runs ({runs.length})</summary>
      <table>
        <thead><tr><th scope="col">When</th><th scope="col">Run</th><th scope="col">By</th><th scope="col">Isolation</th><th scope="col">Result</th><th scope="col">Findings</th></tr></thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id ?? r.startedAt}>
              <td>{formatTime(r.startedAt)}</td><td>{KIND_LABEL[r.kind]}</td><td>{r.actor}</td><td>{r.isolation?.level ?? '—'}</td>
              <td>{r.ok ? 'completed' : `${r.failure?.kind ?? 'failed'}${r.deadline.hit ? ' (time limit)' : ''}`}</td>
              <td>{r.findings.length === 0 ? 'none' : r.findings.map((f) => `${f.severity} ${f.ruleId}`).join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

export function BehavePanel({ artifact }: { artifact: Artifact }) {
  const changed = changedFor(artifact.caseId);
  const runs = useLoad(() => api.call('behave.runs', { artifactId: artifact.id, limit: 50 }), [artifact.id], changed);
  const baselines = useLoad(() => api.call('behave.baselines.list', { artifactId: artifact.id }), [artifact.id], changed);
  const artifacts = useLoad(() => caseArtifacts(artifact.caseId), [artifact.caseId], changed);
  const [options, setOptions] = useState<RunOptionsValue>(DEFAULT_RUN_OPTIONS);
  const [busy, setBusy] = useState<string | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const job = useJobProgress(jobId);

  const all = runs.data ?? [];
  const latest = (kinds: BehaveRun['kind'][]) => all.find((r) => kinds.includes(r.kind)) ?? null;
  const probeRun = latest(['probe', 'baseline']);
  const backdoorRun = latest(['backdoor']);
  const sideRun = latest(['side-by-side']);
  const isolationRun = all.find((r) => r.isolation) ?? all[0] ?? null;
  const compares = new Map<string, BehaveRun>();
  for (const r of all) if (r.kind === 'compare' && r.comparison && !compares.has(r.comparison.baseline.id)) compares.set(r.comparison.baseline.id, r);
  const datasets = (artifacts.data ?? []).filter(isProbeDataset);
  const others = (artifacts.data ?? []).filter((a) => a.format === 'onnx' && a.id !== artifact.id);

  const start = async (label: string, call: (jobId: string) => Promise<unknown>) => {
    setError(null);
    const id = newJobId('behave');
    setJobId(id);
    setBusy(label);
    try {
      await call(id);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(null);
      runs.reload();
      baselines.reload();
    }
  };
  const withOptions = <T,>(fn: (o: ReturnType<typeof runInput>) => T): T | null => {
    try {
      return fn(runInput(options));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      return null;
    }
  };
  const runProbes = () => withOptions((o) => start('Running probes', (jobId) => api.call('behave.probe', { artifactId: artifact.id, ...o, jobId })));
  const runBackdoor = () => withOptions(({ probeData, ...o }) => {
    const input: MethodInput<'behave.backdoor'> = { artifactId: artifact.id, ...o, ...(probeData ? { cleanData: probeData } : {}) };
    return start('Running the backdoor suite', (jobId) => api.call('behave.backdoor', { ...input, jobId }));
  });
  const record = (name: string) => withOptions((o) => start(`Recording baseline ${name}`, (jobId) => api.call('behave.baselines.record', { artifactId: artifact.id, name, ...o, jobId })));
  const compare = (baselineId: string) => withOptions(({ limits, deadlineMs }) => start('Comparing with the baseline', (jobId) => api.call('behave.baselines.compare', { artifactId: artifact.id, baselineId, ...(limits ? { limits } : {}), ...(deadlineMs !== undefined ? { deadlineMs } : {}), jobId })));
  const sideBySide = (otherArtifactId: string) => withOptions(({ probes, limits, deadlineMs }) => start('Comparing two versions', (jobId) => api.call('behave.compareVersions', { artifactId: artifact.id, otherArtifactId, ...(probes ? { probes } : {}), ...(limits ? { limits } : {}), ...(deadlineMs !== undefined ? { deadlineMs } : {}), jobId })));

  const progress = job && job.itemsTotal > 0 ? Math.round((Math.min(job.itemsDone, job.itemsTotal) / job.itemsTotal) * 100) : null;
  return (
    <div className="behave">
      <section aria-labelledby="behave-io">
        <h2 id="behave-io">I/O signature</h2>
        <Signature artifactId={artifact.id} />
      </section>

      <section aria-labelledby="behave-run" className="panel">
        <h2 id="behave-run">Run in the sandbox</h2>
        <p className="small muted">Each run starts one isolated worker process for this model (bubblewrap where available, the Node permission model, an address-space limit, a watchdog). Nothing it does can reach this workstation; a crash or hang becomes a finding.</p>
        <RunOptions value={options} onChange={setOptions} datasets={datasets} />
        <div className="toolbar">
          <button type="button" onClick={() => void runProbes()} disabled={busy !== null}>Run probes</button>
          <button type="button" onClick={() => void runBackdoor()} disabled={busy !== null}>Run backdoor suite</button>
          {busy && (
            <span role="status" className="run-status">
              {busy}… {job?.currentItem ? <span className="muted">{job.currentItem}</span> : null}
              {progress !== null && <progress max={100} value={progress} aria-label={`${busy}: ${progress}%`} />}
            </span>
          )}
        </div>
        <ErrorText error={error ?? runs.error ?? baselines.error} />
      </section>

      <section aria-labelledby="behave-isolation">
        <h2 id="behave-isolation">Isolation report</h2>
        {isolationRun ? <IsolationReport run={isolationRun} /> : <p className="muted">No run yet: the report shows the isolation in force and what the worker was denied.</p>}
      </section>

      <section aria-labelledby="behave-probes">
        <h2 id="behave-probes">Probes and fingerprint</h2>
        {probeRun ? <ProbeResult run={probeRun} /> : <p className="muted">No probe run yet.</p>}
      </section>

      <section aria-labelledby="behave-baselines">
        <h2 id="behave-baselines">Baselines</h2>
        <Baselines baselines={baselines.data ?? []} compares={compares} busy={busy !== null} onRecord={(n) => void record(n)} onCompare={(id) => void compare(id)} />
      </section>

      <section aria-labelledby="behave-backdoor">
        <h2 id="behave-backdoor">Backdoor suite</h2>
        {backdoorRun ? <BackdoorResult run={backdoorRun} /> : <p className="muted">Not run yet: graph trigger inspection and confirmation, trigger sweeps, STRIP and a robustness curve.</p>}
      </section>

      <section aria-labelledby="behave-versions">
        <h2 id="behave-versions">Two versions side by side</h2>
        <SideBySide artifact={artifact} others={others} latest={sideRun} busy={busy !== null} onCompare={(id) => void sideBySide(id)} />
      </section>

      <History runs={all} />
    </div>
  );
}
