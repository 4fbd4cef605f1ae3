// The 20 points grouped by phase: question, status, notes, evidence gathered automatically,
// linked findings, attachments; a meter per phase and overall; the weakest phase called out.
import { useEffect, useState } from 'react';
import type { ChecklistEntry, ChecklistView, PhaseProgress } from '../../../../shared/api/schemas.ts';
import { CHECKLIST, CHECKLIST_STATUSES, PHASES, type ChecklistStatus } from '../../../../shared/checklist/points.ts';
import { formatLocation } from '../../../../shared/findings.ts';
import { href } from '../../app/router.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { SeverityBadge } from '../../components/SeverityCounts.tsx';
import { api, platform } from '../../lib/api.ts';
import { formatBytes, formatTime, STATUS_LABELS } from '../../lib/format.ts';
import { changedFor, useLoad } from '../../lib/hooks.ts';

export function ChecklistTab({ caseId }: { caseId: string }) {
  const view = useLoad(() => api.call('checklist.get', { caseId }), [caseId], changedFor(caseId));
  if (view.error && !view.data) return <ErrorText error={view.error} />;
  if (!view.data) return <p className="muted">Loading the checklist…</p>;
  const data = view.data;
  const byId = new Map(data.entries.map((e) => [e.pointId, e]));
  return (
    <div className="checklist">
      <Overview view={data} />
      {PHASES.map((phase) => {
        const progress = data.phases.find((p) => p.phase === phase.id)!;
        const weakest = data.weakestPhase === phase.id;
        return (
          <section key={phase.id} className={`phase${weakest ? ' weakest' : ''}`} aria-labelledby={`phase-${phase.id}`}>
            <h2 id={`phase-${phase.id}`}>
              Phase {phase.id}: {phase.title}
              {weakest && <span className="badge-weakest">weakest phase</span>}
            </h2>
            <PhaseMeter progress={progress} />
            {CHECKLIST.filter((p) => p.phase === phase.id).map((p) => (
              <PointCard key={p.id} caseId={caseId} entry={byId.get(p.id)!} onSaved={view.reload} />
            ))}
          </section>
        );
      })}
    </div>
  );
}

function Overview({ view }: { view: ChecklistView }) {
  const o = view.overall;
  return (
    <section className="panel overview" aria-label="Checklist progress">
      <div>
        <strong>Overall</strong> {o.reviewed}/{o.total} reviewed · {o.pass} pass · {o.partial} partial · {o.fail} fail · {o.notApplicable} not applicable
        <meter min={0} max={o.total} value={o.reviewed} aria-label={`${o.reviewed} of ${o.total} points reviewed`} />
      </div>
      <ol className="phase-strip">
        {view.phases.map((p) => (
          <li key={p.phase} className={p.phase === view.weakestPhase ? 'weakest' : ''}>
            <a href={`#phase-${p.phase}`} onClick={(e) => { e.preventDefault(); document.getElementById(`phase-${p.phase}`)?.scrollIntoView(); }}>
              {p.phase}. {p.title}
            </a>
            <span className="muted"> {Math.round(p.strength * 100)}%</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

function PhaseMeter({ progress }: { progress: PhaseProgress }) {
  const t = progress.tally;
  return (
    <p className="phase-meter">
      <meter min={0} max={1} value={progress.strength} low={0.5} high={0.8} optimum={1} aria-label={`Phase ${progress.phase} strength ${Math.round(progress.strength * 100)}%`} />
      {' '}{t.reviewed}/{t.total} reviewed · strength {Math.round(progress.strength * 100)}%
    </p>
  );
}

function PointCard({ caseId, entry, onSaved }: { caseId: string; entry: ChecklistEntry; onSaved(): void }) {
  const point = CHECKLIST.find((p) => p.id === entry.pointId)!;
  const [notes, setNotes] = useState(entry.notes);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  useEffect(() => setNotes(entry.notes), [entry.notes]);
  const dirty = notes !== entry.notes;

  const save = async (patch: { status?: ChecklistStatus; notes?: string }) => {
    setSaving(true);
    setError(null);
    try {
      await api.call('checklist.set', { caseId, pointId: entry.pointId, ...patch });
      onSaved();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setSaving(false);
    }
  };

  const statusId = `status-${entry.pointId}`;
  const notesId = `notes-${entry.pointId}`;
  return (
    <article className={`point status-${entry.status}`} aria-labelledby={`title-${entry.pointId}`} data-point={entry.pointId}>
      <header>
        <h3 id={`title-${entry.pointId}`}><span className="point-id">{entry.pointId}</span> {point.title}</h3>
        <p className="question">{point.question}</p>
      </header>
      <div className="point-controls">
        <label htmlFor={statusId}>Status</label>
        <select id={statusId} value={entry.status} disabled={saving} onChange={(e) => void save({ status: e.target.value as ChecklistStatus })}>
          {CHECKLIST_STATUSES.map((s) => (
            <option key={s} value={s} disabled={s === 'pass' && entry.blockingFindings > 0}>{STATUS_LABELS[s]}{s === 'pass' && entry.blockingFindings > 0 ? ' (blocked by findings)' : ''}</option>
          ))}
        </select>
        {entry.suggestedStatus && entry.suggestedStatus !== entry.status && (
          <span className="suggestion">Evidence suggests: <strong>{STATUS_LABELS[entry.suggestedStatus]}</strong></span>
        )}
        {entry.blockingFindings > 0 && (
          <span className="warn">{entry.blockingFindings} open high/critical finding{entry.blockingFindings === 1 ? '' : 's'}: cannot pass</span>
        )}
        {entry.updatedAt && <span className="muted small">last set by {entry.auditor} at {formatTime(entry.updatedAt)}</span>}
      </div>
      <div className="notes">
        <label htmlFor={notesId}>Notes</label>
        <textarea
          id={notesId} rows={2} value={notes} onChange={(e) => setNotes(e.target.value)}
          onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && dirty) void save({ notes }); }}
          placeholder={point.auditorEvidence}
        />
        <button type="button" onClick={() => void save({ notes })} disabled={!dirty || saving}>Save notes</button>
      </div>
      <ErrorText error={error} />
      <Details entry={entry} caseId={caseId} automatic={point.automaticEvidence} onSaved={onSaved} />
    </article>
  );
}

function Details({ entry, caseId, automatic, onSaved }: { entry: ChecklistEntry; caseId: string; automatic: string; onSaved(): void }) {
  const count = entry.evidence.length + entry.findings.length + entry.attachments.length;
  return (
    <details className="point-details">
      <summary>Evidence ({entry.evidence.length}), findings ({entry.findings.length}), attachments ({entry.attachments.length})</summary>
      {count === 0 && <p className="muted">{automatic ? `Gathered automatically when available: ${automatic}` : 'This point relies on the auditor\u2019s evidence.'}</p>}
      {entry.evidence.length > 0 && (
        <ul className="evidence">
          {entry.evidence.map((e) => (
            <li key={e.id}><span className="tag">{e.source}</span> <strong>{e.title}</strong> — {e.summary}{e.suggestedStatus && <span className="muted"> (suggests {STATUS_LABELS[e.suggestedStatus]})</span>}</li>
          ))}
        </ul>
      )}
      {entry.findings.length > 0 && (
        <ul className="findings-mini">
          {entry.findings.map((f) => (
            <li key={f.id}>
              <SeverityBadge severity={f.severity} /> <span className="tag">{f.status}</span>{' '}
              {f.artifactId ? <a href={href({ name: 'artifact', caseId, artifactId: f.artifactId, panel: 'findings' })}>{f.message}</a> : f.message}
              <span className="muted small"> {f.ruleId} {formatLocation(f.location)}</span>
            </li>
          ))}
        </ul>
      )}
      <Attachments caseId={caseId} entry={entry} onSaved={onSaved} />
    </details>
  );
}

function Attachments({ caseId, entry, onSaved }: { caseId: string; entry: ChecklistEntry; onSaved(): void }) {
  const [typing, setTyping] = useState(false);
  const [path, setPath] = useState('');
  const [error, setError] = useState<string | null>(null);
  const attach = async (p: string) => {
    setError(null);
    try {
      await api.call('attachments.add', { caseId, pointId: entry.pointId, path: p });
      setPath('');
      setTyping(false);
      onSaved();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const pick = async () => {
    const picked = await platform().pickPaths({ kind: 'files', title: `Attach evidence to ${entry.pointId}` });
    if (picked === null) setTyping(true);
    else for (const p of picked) await attach(p);
  };
  return (
    <div className="attachments">
      {entry.attachments.length > 0 && (
        <ul>
          {entry.attachments.map((a) => <li key={a.id}>{a.name} · {formatBytes(a.size)} · <code className="hash">{a.sha256.slice(0, 16)}…</code> · {a.addedBy}</li>)}
        </ul>
      )}
      <button type="button" className="secondary" onClick={() => void pick()}>Attach evidence…</button>
      {typing && (
        <form onSubmit={(e) => { e.preventDefault(); void attach(path.trim()); }} className="inline-form">
          <label>File path <input value={path} onChange={(e) => setPath(e.target.value)} spellCheck={false} /></label>
          <button type="submit" disabled={path.trim() === ''}>Attach</button>
        </form>
      )}
      <ErrorText error={error} />
    </div>
  );
}
