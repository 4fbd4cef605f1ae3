import { useState, type FormEvent } from 'react';
import { navigate, href } from '../../app/router.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { SeverityCounts } from '../../components/SeverityCounts.tsx';
import { api } from '../../lib/api.ts';
import { formatTime } from '../../lib/format.ts';
import { useAction, useLoad } from '../../lib/hooks.ts';

function NewCaseForm({ onCreated }: { onCreated(id: string): void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const c = await run(() => api.call('cases.create', { name, description }));
    if (c) onCreated(c.id);
  };
  return (
    <form className="panel new-case" onSubmit={submit} aria-labelledby="new-case-title">
      <h2 id="new-case-title">New audit case</h2>
      <label>Name <input name="case-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} placeholder="e.g. llama-7b-chat intake, March" /></label>
      <label>Description <textarea name="case-description" value={description} onChange={(e) => setDescription(e.target.value)} rows={2} maxLength={5000} /></label>
      <ErrorText error={error} />
      <button type="submit" disabled={busy || name.trim() === ''}>Create case</button>
    </form>
  );
}

export function CasesList() {
  const cases = useLoad(() => api.call('cases.list', {}), [], (e) => e.type === 'changed');
  const [demoError, setDemoError] = useState<string | null>(null);
  const [demoBusy, setDemoBusy] = useState(false);
  const tryDemo = async () => {
    setDemoBusy(true);
    setDemoError(null);
    try {
      const c = await api.call('demo.create', {});
      navigate({ name: 'case', caseId: c.id, tab: 'artifacts' });
    } catch (e) {
      setDemoError(e instanceof Error ? e.message : String(e));
    } finally {
      setDemoBusy(false);
    }
  };
  const list = cases.data ?? [];
  return (
    <div className="cases-page">
      <h1>Audit cases</h1>
      <ErrorText error={cases.error} />
      {cases.data && list.length === 0 && (
        <div className="panel empty">
          <p>No cases yet. Create one below, or look around a filled-in case first.</p>
          <button type="button" onClick={() => void tryDemo()} disabled={demoBusy}>{demoBusy ? 'Building the demo case…' : 'Try the demo case'}</button>
          <ErrorText error={demoError} />
        </div>
      )}
      {list.length > 0 && (
        <table className="cases-table">
          <thead>
            <tr><th scope="col">Case</th><th scope="col">State</th><th scope="col">Artifacts</th><th scope="col">Checklist</th><th scope="col">Findings</th><th scope="col">Auditor</th><th scope="col">Created</th></tr>
          </thead>
          <tbody>
            {list.map((c) => (
              <tr key={c.id}>
                <td><a href={href({ name: 'case', caseId: c.id, tab: 'artifacts' })}>{c.name}</a><div className="muted small">{c.id}</div></td>
                <td>{c.state}</td>
                <td>{c.artifactCount}</td>
                <td><meter min={0} max={c.checklist.total} value={c.checklist.reviewed} aria-label={`${c.checklist.reviewed} of ${c.checklist.total} reviewed`} /> {c.checklist.reviewed}/{c.checklist.total}</td>
                <td><SeverityCounts counts={c.findingCounts} /></td>
                <td>{c.auditor}</td>
                <td>{formatTime(c.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <NewCaseForm onCreated={(id) => navigate({ name: 'case', caseId: id, tab: 'artifacts' })} />
      {list.length > 0 && (
        <p className="muted">Want an example? <button type="button" className="link" onClick={() => void tryDemo()} disabled={demoBusy}>Create the demo case</button></p>
      )}
    </div>
  );
}
