// Findings with their explanation from the rule catalogue, and the auditor's review action.
import { useState } from 'react';
import type { FindingRecord, FindingStatus } from '../../../shared/api/schemas.ts';
import { formatLocation } from '../../../shared/findings.ts';
import { findRule } from '../../../shared/rules/catalogue.ts';
import { api } from '../lib/api.ts';
import { formatTime } from '../lib/format.ts';
import { ErrorText } from './ErrorText.tsx';
import { SeverityBadge } from './SeverityCounts.tsx';

const STATUS_TEXT: Record<FindingStatus, string> = { open: 'Open', accepted: 'Accepted risk', false_positive: 'False positive' };

export function FindingsList({ findings, onChanged }: { findings: FindingRecord[]; onChanged(): void }) {
  if (findings.length === 0) return <p className="muted">No findings.</p>;
  return <ol className="findings">{findings.map((f) => <FindingItem key={f.id} finding={f} onChanged={onChanged} />)}</ol>;
}

function FindingItem({ finding: f, onChanged }: { finding: FindingRecord; onChanged(): void }) {
  const rule = findRule(f.ruleId);
  const [reviewing, setReviewing] = useState(false);
  const [status, setStatus] = useState<FindingStatus>(f.status === 'open' ? 'accepted' : 'open');
  const [justification, setJustification] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    setError(null);
    try {
      await api.call('findings.review', { findingId: f.id, status, justification });
      setReviewing(false);
      setJustification('');
      onChanged();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const where = formatLocation(f.location);
  return (
    <li className={`finding finding-${f.status}`}>
      <div className="finding-head">
        <SeverityBadge severity={f.severity} /> <span className="tag">{STATUS_TEXT[f.status]}</span> <strong>{rule?.title ?? f.ruleId}</strong>
        <span className="muted small"> {f.ruleId} · {f.checklist.join(', ')}</span>
      </div>
      <p className="finding-message">{f.message}</p>
      {where && <p className="small">Location: <code>{where}</code></p>}
      {rule && (
        <details>
          <summary>What it means and what to do</summary>
          <p>{rule.meaning}</p>
          <p><strong>Why it matters:</strong> {rule.rationale}</p>
          <p><strong>Remediation:</strong> {rule.remediation}</p>
        </details>
      )}
      {f.status !== 'open' && <p className="small muted">{STATUS_TEXT[f.status]} by {f.reviewedBy} at {formatTime(f.reviewedAt)}: {f.justification}</p>}
      {!reviewing && <button type="button" className="secondary" onClick={() => setReviewing(true)}>Review…</button>}
      {reviewing && (
        <form className="review-form" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
          <label>Decision
            <select value={status} onChange={(e) => setStatus(e.target.value as FindingStatus)}>
              <option value="accepted">Accept the risk</option>
              <option value="false_positive">Mark as false positive</option>
              <option value="open">Reopen</option>
            </select>
          </label>
          <label>Justification <textarea rows={2} value={justification} onChange={(e) => setJustification(e.target.value)} required={status !== 'open'} /></label>
          <button type="submit" disabled={status !== 'open' && justification.trim() === ''}>Record review</button>
          <button type="button" className="secondary" onClick={() => setReviewing(false)}>Cancel</button>
          <ErrorText error={error} />
        </form>
      )}
    </li>
  );
}
