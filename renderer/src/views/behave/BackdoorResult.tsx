// The backdoor suite's results, strongest evidence first: graph trigger sites and their
// confirmation, the trigger sweep (heat maps of flip rate per patch position, or token
// candidates), STRIP entropies, and the robustness curve.
import type { BehaveRun } from '../../../../shared/api/methods/behave-schemas.ts';
import { formatTime } from '../../lib/format.ts';
import { EntropyHistogram } from './charts/EntropyHistogram.tsx';
import { HeatMap } from './charts/HeatMap.tsx';
import { NoiseCurve } from './charts/NoiseCurve.tsx';
import { num, pct } from './format.ts';

type Backdoor = NonNullable<BehaveRun['backdoor']>;

function GraphSites({ b }: { b: Backdoor }) {
  if (b.graph.length === 0) return <p>No comparison between an input and a constant gates an output.</p>;
  return (
    <table className="graph-sites">
      <caption>Comparisons of inputs with constants that reach an output</caption>
      <thead><tr><th scope="col">Node</th><th scope="col">Input read</th><th scope="col">Constant</th><th scope="col">Gates</th><th scope="col">Subgraph</th></tr></thead>
      <tbody>
        {b.graph.map((s, i) => (
          <tr key={`${s.node}-${i}`}>
            <td><code>{s.node}</code> ({s.op}, true when {s.relation})</td>
            <td><code>{s.input}</code>{s.path.length > 0 && <span className="small muted"> via {s.path.join(' → ')}</span>}{s.trigger && <div className="small">offsets {s.trigger.offsets.slice(0, 8).join(', ')}{s.trigger.offsets.length > 8 ? ', …' : ''}</div>}</td>
            <td><code>{s.constant.name}</code> = {s.constant.values.slice(0, 6).map((v) => num(v, 5)).join(', ')}{s.constant.count > 6 ? ', …' : ''}</td>
            <td>{s.gates.join(', ')} → {s.outputs.join(', ')}</td>
            <td className="small">{s.subgraph.slice(0, 8).join(' → ')}{s.subgraph.length > 8 ? ' → …' : ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Confirmations({ b }: { b: Backdoor }) {
  if (b.confirmations.length === 0) return null;
  return (
    <table className="confirmations">
      <caption>Graph-guided confirmation: the constants written into probes against random values at the same positions</caption>
      <thead><tr><th scope="col">Site</th><th scope="col">Trigger success</th><th scope="col">Random control</th><th scope="col">Target class</th><th scope="col">Rows</th><th scope="col">Result</th></tr></thead>
      <tbody>
        {b.confirmations.map((c, i) => (
          <tr key={i} className={c.confirmed ? 'confirmed' : undefined}>
            <td>{c.site === null ? `all sites on ${c.input}` : `site ${c.site + 1}`} ({c.variant})</td>
            <td>{pct(c.triggerSuccessRate)}</td>
            <td>{pct(c.controlSuccessRate)}</td>
            <td>{c.targetClass} ({pct(c.targetShare)} of triggered rows)</td>
            <td>{c.rows}</td>
            <td>{c.confirmed ? <strong className="error-text">confirmed trigger</strong> : 'not confirmed'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Sweep({ b }: { b: Backdoor }) {
  const s = b.sweep;
  if (!s) return <p className="muted">{b.skipped.find((x) => x.stage === 'sweep')?.reason ?? 'No sweep ran.'}</p>;
  const flagged = new Set(s.flagged.filter((f) => f.y !== undefined).map((f) => `${f.pattern}:${f.y},${f.x}`));
  const top = [...s.candidates].sort((x, y) => (y.successRate ?? 0) - (x.successRate ?? 0)).slice(0, 8);
  return (
    <div>
      <p>
        {s.kind === 'patch' ? `Patches of ${s.patchSize}×${s.patchSize} extreme values` : 'Candidate tokens inserted'} on <code>{s.input}</code>, {s.candidates.length} candidates over {s.rows} rows;
        {' '}<strong>{s.flagged.length} flagged</strong>. Clean probes mostly fall in class {s.dominantClass.value} ({pct(s.dominantClass.share)}).
      </p>
      {s.heatmaps && s.grid && (
        <div className="heatmaps">
          {Object.entries(s.heatmaps).map(([pattern, values]) => (
            <HeatMap
              key={pattern}
              title={`Flip rate, ${pattern} patch`}
              values={values}
              ys={s.grid!.ys}
              xs={s.grid!.xs}
              marked={new Set([...flagged].filter((k) => k.startsWith(`${pattern}:`)).map((k) => k.slice(pattern.length + 1)))}
            />
          ))}
        </div>
      )}
      <table className="candidates">
        <caption>Strongest candidates (success: share of rows not already in the target class sent there)</caption>
        <thead><tr><th scope="col">Candidate</th><th scope="col">Flip rate</th><th scope="col">Success</th><th scope="col">Target class</th><th scope="col">Flagged</th></tr></thead>
        <tbody>
          {top.map((c, i) => (
            <tr key={i}>
              <td>{s.kind === 'patch' ? `${c.pattern} at y ${c.y}, x ${c.x}` : `token ${c.token}${c.position !== undefined ? ` at ${c.position}` : ''}`}</td>
              <td>{pct(c.flipRate)}</td>
              <td>{pct(c.successRate)}</td>
              <td>{c.targetClass} ({pct(c.targetShare)})</td>
              <td>{s.flagged.includes(c) || s.flagged.some((f) => f.pattern === c.pattern && f.y === c.y && f.x === c.x && f.token === c.token) ? <strong className="error-text">yes</strong> : 'no'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function BackdoorResult({ run }: { run: BehaveRun }) {
  const b = run.backdoor;
  return (
    <div className="backdoor-result">
      <p className="muted small">
        Backdoor suite at {formatTime(run.startedAt)} by {run.actor}{b?.output ? ` · output analysed: ${b.output.name} (${b.output.mode})` : ''} · {Math.round((run.timings.totalMs ?? 0) / 100) / 10} s
        {!run.ok && <strong className="error-text"> · did not complete: {run.failure?.message ?? 'see the findings'}</strong>}
      </p>
      {b && (
        <>
          <h4>1. Graph inspection</h4>
          <GraphSites b={b} />
          <h4>2. Graph-guided confirmation</h4>
          {b.confirmations.length > 0 ? <Confirmations b={b} /> : <p className="muted">{b.skipped.find((x) => x.stage === 'confirm')?.reason ?? 'Nothing to confirm.'}</p>}
          <h4>3. Trigger sweep</h4>
          <Sweep b={b} />
          <h4>4. STRIP (superimposition entropy)</h4>
          {b.strip ? (
            <>
              <p>
                {b.strip.rows} rows × {b.strip.blends} blends at α {num(b.strip.alpha)} with {b.strip.cleanSamples ? 'the auditor\'s clean samples' : 'generated samples (weaker than clean data)'}:
                {' '}clean median entropy {num(b.strip.clean.median)}{b.strip.triggered && <>, with the {b.strip.candidate}: {num(b.strip.triggered.median)}</>}
                {b.strip.flagged ? <strong className="error-text"> — flagged</strong> : ' — not flagged'}.
              </p>
              <EntropyHistogram title="Entropy of superimposed inputs" clean={b.strip.clean.histogram} triggered={b.strip.triggered?.histogram ?? null} triggeredLabel={b.strip.candidate ?? 'candidate trigger'} />
            </>
          ) : <p className="muted">{b.skipped.find((x) => x.stage === 'strip')?.reason ?? 'STRIP did not run.'}</p>}
          <h4>Robustness</h4>
          {b.robustness ? <NoiseCurve title={`Agreement under noise on ${b.robustness.input} (${b.robustness.rows} rows)`} points={b.robustness.points} /> : <p className="muted">{b.skipped.find((x) => x.stage === 'robustness')?.reason ?? 'No robustness curve.'}</p>}
        </>
      )}
    </div>
  );
}
