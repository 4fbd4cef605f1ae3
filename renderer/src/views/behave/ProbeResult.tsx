// A probe run: the probe set, determinism, the behavioural fingerprint and what the outputs
// predicted.
import { Fragment } from 'react';
import type { BehaveRun } from '../../../../shared/api/methods/behave-schemas.ts';
import { formatTime } from '../../lib/format.ts';
import { ClassBars } from './charts/ClassBars.tsx';
import { num } from './format.ts';

export function ProbeSummary({ run }: { run: BehaveRun }) {
  const p = run.probe;
  return (
    <dl className="facts">
      <dt>Run</dt><dd>{run.kind} at {formatTime(run.startedAt)} by {run.actor}{run.ok ? '' : ` — did not complete (${run.failure?.kind ?? 'failed'})`}</dd>
      {p && <><dt>Probes</dt><dd>{p.rows} rows, {p.source === 'dataset' ? `from ${p.dataset?.name} (input ${p.dataset?.input})` : `generated from seed ${p.seed}`}, batch {p.batchSize}</dd></>}
      {p && p.inputs.map((x) => (
        <Fragment key={x.name}>
          <dt>Input {x.name}</dt>
          <dd>{x.dtype} rows [{x.rowShape.join(', ')}] · {x.kind}{x.layout ? ` ${x.layout}` : ''} · {x.distribution.kind === 'uniform' || x.distribution.kind === 'integers' ? `${x.distribution.kind} ${x.distribution.min}..${x.distribution.max}` : x.distribution.kind === 'normal' ? `normal μ ${x.distribution.mean} σ ${x.distribution.std}` : `constant ${x.distribution.value}`}</dd>
        </Fragment>
      ))}
      <dt>Determinism</dt><dd>{run.determinism ? (run.determinism.deterministic ? 'identical over two runs' : <strong className="warn">differs over two runs (max |diff| {num(run.determinism.maxAbsDiff)})</strong>) : 'not checked'}</dd>
      <dt>Fingerprint</dt><dd>{run.fingerprint ? <code className="hash fingerprint">{run.fingerprint.digest}</code> : '—'}</dd>
      <dt>Throughput</dt><dd>{run.throughput !== null ? `${Math.round(run.throughput)} rows/s in the sandbox` : '—'}</dd>
      <dt>Timings</dt><dd>launch {Math.round(run.timings.launchMs ?? 0)} ms · load {Math.round(run.timings.loadMs ?? 0)} ms · first result {run.timings.firstResultMs !== null ? `${Math.round(run.timings.firstResultMs)} ms` : '—'} · total {Math.round(run.timings.totalMs ?? 0)} ms</dd>
    </dl>
  );
}

export function ProbeResult({ run }: { run: BehaveRun }) {
  return (
    <div className="probe-result">
      <ProbeSummary run={run} />
      {run.outputs.map((o) => (
        <div key={o.name}>
          <p>Output <code>{o.name}</code>: {o.rows} rows of [{o.rowShape.join(', ')}], min {num(o.min)}, max {num(o.max)}, mean {num(o.mean)}</p>
          {o.classCounts && <ClassBars title={`Predicted classes of ${o.name}`} series={[{ label: run.modelName, counts: o.classCounts }]} />}
        </div>
      ))}
    </div>
  );
}
