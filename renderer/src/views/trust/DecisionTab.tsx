// The case's "Decision & bundle" tab: the policy in force and what it allows now (blockers,
// waivers), the intake decision, and the signed audit bundle export.
import { useEffect, useState, type FormEvent } from 'react';
import type { MethodOutput } from '../../../../shared/api/contract.ts';
import { DECISION_OUTCOMES, type DecisionOutcome, type SigningKeyRef } from '../../../../shared/api/methods/trust-schemas.ts';
import { CHECKLIST, POINT_IDS, type PointId } from '../../../../shared/checklist/points.ts';
import { href } from '../../app/router.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { api } from '../../lib/api.ts';
import { formatBytes, formatTime } from '../../lib/format.ts';
import { changedFor, useAction, useLoad } from '../../lib/hooks.ts';
import { Fingerprint, KeyPicker, LabeledSelect, PathField } from './common.tsx';

type State = MethodOutput<'decision.get'>;

const OUTCOME_LABEL: Record<DecisionOutcome, string> = {
  approved: 'Approved', 'approved-with-conditions': 'Approved with conditions', rejected: 'Rejected',
};

function PolicyPanel({ state }: { state: State }) {
  const open = state.evaluation.blockers.filter((b) => !b.waivedBy);
  const waived = state.evaluation.blockers.filter((b) => b.waivedBy);
  return (
    <section className="panel" aria-labelledby="policy-title">
      <h2 id="policy-title">Intake policy</h2>
      <p className="small">
        <strong>{state.policy.policy.name}</strong> — read from <code>{state.policy.path ?? state.policy.source}</code>
        {' '}· sha256 <code className="hash">{state.policy.sha256}</code>
      </p>
      <p>The policy allows now: {state.evaluation.allowedOutcomes.map((o) => <span key={o} className="tag">{OUTCOME_LABEL[o]}</span>)}</p>
      {open.length > 0 && (
        <details open={open.length <= 12}>
          <summary>{open.length} unmet requirement{open.length === 1 ? '' : 's'}</summary>
          <ul className="blockers">
            {open.map((b, i) => <li key={i} className={b.level === 'block' ? 'bad' : 'warn'}>{b.level === 'block' ? 'Blocks approval' : 'Needs conditions'}: {b.message}</li>)}
          </ul>
        </details>
      )}
      {waived.length > 0 && <p className="small muted">{waived.length} requirement(s) lifted by waivers.</p>}
      {state.evaluation.rejectedWaivers.map((r) => <p key={r.waiver.pointId} className="warn small">Waiver on {r.waiver.pointId} not applied: {r.reason}</p>)}
    </section>
  );
}

function Waivers({ caseId, state, onChange }: { caseId: string; state: State; onChange(): void }) {
  const [pointId, setPointId] = useState<PointId>('P08');
  const [justification, setJustification] = useState('');
  const { error, run } = useAction();
  const add = async (e: FormEvent) => {
    e.preventDefault();
    await run(async () => {
      await api.call('waivers.set', { caseId, pointId, justification });
      setJustification('');
      onChange();
    });
  };
  const remove = (p: PointId) => run(async () => {
    await api.call('waivers.remove', { caseId, pointId: p });
    onChange();
  });
  return (
    <section className="panel" aria-labelledby="waivers-title">
      <h2 id="waivers-title">Waivers</h2>
      {state.waivers.length === 0 ? <p className="muted">No waiver recorded.</p> : (
        <table>
          <thead><tr><th scope="col">Point</th><th scope="col">Justification</th><th scope="col">Granted</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {state.waivers.map((w) => (
              <tr key={w.pointId}>
                <td>{w.pointId}</td><td>{w.justification}</td><td className="small">{w.grantedBy}<br />{formatTime(w.grantedAt)}</td>
                <td><button type="button" className="secondary" onClick={() => void remove(w.pointId)}>Remove waiver on {w.pointId}</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="inline-form waiver-form" onSubmit={(e) => void add(e)}>
        <LabeledSelect label="Point" value={pointId} onChange={(v) => setPointId(v as PointId)}>
          {POINT_IDS.map((p) => <option key={p} value={p}>{p} {CHECKLIST.find((c) => c.id === p)?.title}</option>)}
        </LabeledSelect>
        <label className="grow">Waiver justification<input value={justification} onChange={(e) => setJustification(e.target.value)} /></label>
        <button type="submit" disabled={justification.trim() === ''}>Record waiver</button>
      </form>
      <ErrorText error={error} />
    </section>
  );
}

function DecisionForm({ caseId, state, onChange }: { caseId: string; state: State; onChange(): void }) {
  const [outcome, setOutcome] = useState<DecisionOutcome>(state.evaluation.allowedOutcomes[0] ?? 'rejected');
  const [justification, setJustification] = useState('');
  const [conditions, setConditions] = useState('');
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await run(async () => {
      await api.call('decision.record', {
        caseId, outcome, justification,
        conditions: outcome === 'approved-with-conditions' ? conditions.split('\n').map((c) => c.trim()).filter(Boolean) : [],
      });
      setJustification('');
      setConditions('');
      onChange();
    });
  };
  const d = state.decision;
  return (
    <section className="panel" aria-labelledby="decision-title">
      <h2 id="decision-title">Intake decision</h2>
      {d ? (
        <div className={`decision-box ${d.outcome}`} role="status">
          <p><strong>{OUTCOME_LABEL[d.outcome]}</strong> by {d.decidedBy} at {formatTime(d.decidedAt)}</p>
          <p>{d.justification}</p>
          {d.conditions.length > 0 && <ol>{d.conditions.map((c, i) => <li key={i}>{c}</li>)}</ol>}
          {state.decisionPolicy && <p className="small muted">Under “{state.decisionPolicy.policy.name}” (sha256 {state.decisionPolicy.sha256.slice(0, 16)}…)</p>}
        </div>
      ) : <p className="muted">No decision recorded yet.</p>}
      {state.history.length > 0 && <p className="small muted">Earlier decisions: {state.history.map((h) => `${h.outcome} (${formatTime(h.decidedAt)})`).join(', ')}</p>}
      <form onSubmit={(e) => void submit(e)} className="decision-form">
        <fieldset>
          <legend>{d ? 'Record a new decision' : 'Decide'}</legend>
          {DECISION_OUTCOMES.map((o) => (
            <label key={o} className="inline">
              <input type="radio" name="outcome" value={o} checked={outcome === o} onChange={() => setOutcome(o)} />
              {OUTCOME_LABEL[o]}{!state.evaluation.allowedOutcomes.includes(o) && <span className="muted small"> (not allowed now)</span>}
            </label>
          ))}
        </fieldset>
        {outcome === 'approved-with-conditions' && (
          <label>Conditions, one per line<textarea rows={3} value={conditions} onChange={(e) => setConditions(e.target.value)} /></label>
        )}
        <label>Justification<textarea rows={3} value={justification} onChange={(e) => setJustification(e.target.value)} /></label>
        <button type="submit" disabled={busy || justification.trim() === ''}>Record decision</button>
      </form>
      <ErrorText error={error} />
    </section>
  );
}

function ExportPanel({ caseId }: { caseId: string }) {
  const [key, setKey] = useState<SigningKeyRef | null>(null);
  const [outPath, setOutPath] = useState('');
  const [includeModels, setIncludeModels] = useState(false);
  const { busy, error, run } = useAction();
  const [result, setResult] = useState<MethodOutput<'bundles.export'> | null>(null);
  useEffect(() => {
    api.call('bundles.suggestPath', { caseId }).then((r) => setOutPath((p) => p || r.path), () => undefined);
  }, [caseId]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!key) return;
    setResult(null);
    await run(async () => {
      setResult(await api.call('bundles.export', { caseId, key, outPath: outPath.trim(), includeModels }));
      // A fresh name for the next export: an export never overwrites a file.
      api.call('bundles.suggestPath', { caseId }).then((r) => setOutPath(r.path), () => undefined);
    });
  };
  return (
    <form className="panel" onSubmit={(e) => void submit(e)} aria-labelledby="export-title">
      <h2 id="export-title">Export the signed audit bundle</h2>
      <p className="small muted">One .assay file: the case, artifacts and digests, findings (JSON and SARIF), the checklist, evidence files, the custody log, a CycloneDX AI bill of materials, the report as HTML and PDF, and your signature over every file. Exporting the same case state twice gives the same content; only the signature differs.</p>
      <KeyPicker purpose="signs the bundle" onChange={setKey} />
      <PathField label="Bundle file to write" value={outPath} onChange={setOutPath} />
      <label className="inline"><input type="checkbox" checked={includeModels} onChange={(e) => setIncludeModels(e.target.checked)} /> Include the model files themselves</label>
      <div className="toolbar"><button type="submit" disabled={busy || !key || outPath.trim() === ''}>{busy ? 'Exporting…' : 'Export bundle'}</button></div>
      <ErrorText error={error} />
      {result && (
        <div className="export-result" role="status">
          <p><strong>Bundle exported</strong> to <code>{result.path}</code> ({formatBytes(result.size)}, {result.files} files)</p>
          <p className="small">SHA-256 <code className="hash">{result.sha256}</code><br />Bundle id <code className="hash">{result.bundleId}</code></p>
          <p className="small">Signed by {result.signer.description} at {formatTime(result.signedAt)} — fingerprint <Fingerprint value={result.signer.fingerprint} /></p>
          {!result.pdf.included && <p className="warn small">No PDF report in this bundle: {result.pdf.reason}.</p>}
          <p><a href={href({ name: 'bundle', path: result.path })}>Open this bundle</a></p>
        </div>
      )}
    </form>
  );
}

export function DecisionTab({ caseId }: { caseId: string }) {
  const state = useLoad(() => api.call('decision.get', { caseId }), [caseId], changedFor(caseId));
  return (
    <div className="trust-tab">
      <ErrorText error={state.error} />
      {!state.data && !state.error && <p className="muted">Loading the policy…</p>}
      {state.data && (
        <>
          <PolicyPanel state={state.data} />
          <Waivers caseId={caseId} state={state.data} onChange={state.reload} />
          <DecisionForm key={state.data.decision?.decidedAt ?? 'none'} caseId={caseId} state={state.data} onChange={state.reload} />
        </>
      )}
      <ExportPanel caseId={caseId} />
    </div>
  );
}
