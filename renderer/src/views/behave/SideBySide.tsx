// Two versions of a model on the same probe set, side by side: identity, fingerprint, I/O
// signature and predicted classes of each, how far their outputs are apart, and rows where their
// top-1 predictions differ.
import { Fragment, useState } from 'react';
import type { BehaveRun } from '../../../../shared/api/methods/behave-schemas.ts';
import type { Artifact } from '../../../../shared/api/schemas.ts';
import { formatTime } from '../../lib/format.ts';
import { ClassBars } from './charts/ClassBars.tsx';
import { num, pct, shapeText } from './format.ts';

type Side = NonNullable<BehaveRun['sideBySide']>['a'];

function SideColumn({ side, label }: { side: Side; label: string }) {
  return (
    <section className="side" aria-label={`${label}: ${side.name}`}>
      <h4>{label}: {side.name}</h4>
      <dl className="facts">
        <dt>SHA-256</dt><dd><code className="hash">{side.modelSha256}</code></dd>
        <dt>Fingerprint</dt><dd>{side.fingerprint ? <code className="hash">{side.fingerprint.digest}</code> : '—'}</dd>
        <dt>Run</dt><dd>{side.ok ? 'completed' : <strong className="error-text">{side.failure?.message ?? 'failed'}</strong>}</dd>
        {side.signature?.inputs.map((x) => <Fragment key={`i${x.name}`}><dt>Input {x.name}</dt><dd>{x.dtype} {shapeText(x.shape)}</dd></Fragment>)}
        {side.signature?.outputs.map((x) => <Fragment key={`o${x.name}`}><dt>Output {x.name}</dt><dd>{x.dtype} {shapeText(x.shape)}</dd></Fragment>)}
        <dt>Findings</dt><dd>{side.findings.length === 0 ? 'none' : side.findings.map((f) => f.ruleId).join(', ')}</dd>
      </dl>
    </section>
  );
}

export function SideBySide({ artifact, others, latest, busy, onCompare }: { artifact: Artifact; others: Artifact[]; latest: BehaveRun | null; busy: boolean; onCompare(otherId: string): void }) {
  const [other, setOther] = useState('');
  const s = latest?.sideBySide ?? null;
  const withClasses = s ? s.a.outputs.filter((o) => o.classCounts && s.b.outputs.find((p) => p.name === o.name)?.classCounts) : [];
  return (
    <div className="side-by-side">
      {others.length === 0 ? <p className="muted">Add another version of this model to the case to compare the two side by side.</p> : (
        <form className="inline-form" onSubmit={(e) => { e.preventDefault(); if (other) onCompare(other); }}>
          <label>Compare {artifact.displayName} with
            <select value={other} onChange={(e) => setOther(e.target.value)}>
              <option value="">choose a version…</option>
              {others.map((o) => <option key={o.id} value={o.id}>{o.displayName}</option>)}
            </select>
          </label>
          <button type="submit" disabled={busy || !other}>Compare side by side</button>
        </form>
      )}
      {latest && s && (
        <>
          <p>
            On the same {latest.probe?.rows ?? '?'} probe rows ({formatTime(latest.startedAt)}): <strong className={s.withinTolerance ? 'ok' : 'warn'}>{s.withinTolerance ? 'same behaviour' : 'behaviour differs'}</strong>
            {' '}· max |difference| {num(s.outputs.maxAbsDiff)} · top-1 agreement {pct(s.outputs.top1Agreement, 1)} · fingerprints {s.fingerprint?.verdict ?? 'not compared'}
          </p>
          {s.withinTolerance && s.a.modelSha256 !== s.b.modelSha256 && (
            <p className="small muted">Different files that behave the same on probes: a trigger that needs exact input values is invisible here. The backdoor suite's graph inspection looks for one.</p>
          )}
          <div className="sides">
            <SideColumn side={s.a} label="A" />
            <SideColumn side={s.b} label="B" />
          </div>
          <table>
            <caption>Outputs compared</caption>
            <thead><tr><th scope="col">Output</th><th scope="col">Comparable</th><th scope="col">Max |difference|</th><th scope="col">Mean |difference|</th><th scope="col">Top-1 agreement</th></tr></thead>
            <tbody>{s.outputs.outputs.map((o) => <tr key={o.name}><td><code>{o.name}</code></td><td>{o.comparable ? 'yes' : `no (${o.note ?? ''})`}</td><td>{num(o.maxAbsDiff)}</td><td>{num(o.meanAbsDiff)}</td><td>{pct(o.top1Agreement, 1)}</td></tr>)}</tbody>
          </table>
          {withClasses.map((o) => (
            <ClassBars key={o.name} title={`Predicted classes of ${o.name}`} series={[{ label: `A ${s.a.name}`, counts: o.classCounts! }, { label: `B ${s.b.name}`, counts: s.b.outputs.find((p) => p.name === o.name)!.classCounts! }]} />
          ))}
          {s.disagreements.length > 0 && (
            <table>
              <caption>Probe rows where the top-1 predictions differ (first {s.disagreements.length})</caption>
              <thead><tr><th scope="col">Output</th><th scope="col">Row</th><th scope="col">A predicts</th><th scope="col">B predicts</th></tr></thead>
              <tbody>{s.disagreements.map((d) => <tr key={`${d.output}-${d.row}`}><td>{d.output}</td><td>{d.row}</td><td>{d.a}</td><td>{d.b}</td></tr>)}</tbody>
            </table>
          )}
        </>
      )}
    </div>
  );
}
