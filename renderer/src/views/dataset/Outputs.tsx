// What leaves the review: the exclusion list (CSV, written to a file and custody-logged) and the
// masked export (a new dataset in the case, linked to its source, with progress).
import { useId, useState } from 'react';
import type { MethodOutput } from '../../../../shared/api/contract.ts';
import type { DatasetDetail } from '../../../../shared/api/methods/dataset.ts';
import { href } from '../../app/router.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { api } from '../../lib/api.ts';
import { changedFor, useLoad } from '../../lib/hooks.ts';
import { JobStatus } from './JobStatus.tsx';
import { useLongCall } from '../../lib/job.ts';

const PREVIEW_LINES = 30;

export function ExclusionList({ detail }: { detail: DatasetDetail }) {
  const s = detail.summary;
  const preview = useLoad(() => api.call('datasets.exclusions', { datasetId: s.id }), [s.id, s.reviews.excluded, s.reviews.reviewed], changedFor(s.caseId));
  const [path, setPath] = useState('');
  const [result, setResult] = useState<MethodOutput<'datasets.exclusions'> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const write = async () => {
    setError(null);
    setResult(null);
    try {
      setResult(await api.call('datasets.exclusions', { datasetId: s.id, outPath: path.trim() }));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const lines = preview.data?.csv.split('\n').filter(Boolean) ?? [];
  return (
    <section className="panel" aria-labelledby="ds-excl-h">
      <h2 id="ds-excl-h">Exclusion list</h2>
      <p className="small">{s.reviews.excluded} row{s.reviews.excluded === 1 ? '' : 's'} excluded and {s.reviews.reviewed} reviewed. The list names each excluded row (0-based, header not counted{s.kind === 'image-folder' ? '; the file for image folders' : ''}) with the rules that flagged it and the auditor's note, for the data provider or the training pipeline to drop.</p>
      {lines.length > 1 && (
        <pre className="ds-csv" aria-label="Exclusion list preview">{lines.slice(0, PREVIEW_LINES).join('\n')}{lines.length > PREVIEW_LINES ? `\n… ${lines.length - PREVIEW_LINES} more rows` : ''}</pre>
      )}
      <form className="toolbar" onSubmit={(e) => { e.preventDefault(); void write(); }}>
        <label htmlFor={id} className="inline-label">Write to</label>
        <input id={id} className="ds-path" value={path} onChange={(e) => setPath(e.target.value)} placeholder="/path/to/exclusions.csv (a new file)" spellCheck={false} />
        <button type="submit" disabled={path.trim() === '' || s.reviews.excluded === 0}>Export exclusion list</button>
      </form>
      {result?.path && <p className="good-text small" role="status">{result.rows} row{result.rows === 1 ? '' : 's'} written to {result.path} (SHA-256 <code className="hash">{result.sha256}</code>), recorded in the custody log.</p>}
      <ErrorText error={error ?? preview.error} />
    </section>
  );
}

export function MaskedExport({ detail, onDone }: { detail: DatasetDetail; onDone(): void }) {
  const s = detail.summary;
  const found = [...new Set(detail.report?.pii.map((p) => p.detector) ?? [])];
  const [all, setAll] = useState(found.length === 0);
  const [chosen, setChosen] = useState<Set<string>>(new Set(found));
  const [mode, setMode] = useState<'pseudonym' | 'redact'>('pseudonym');
  const [leaveOut, setLeaveOut] = useState(true);
  const [path, setPath] = useState('');
  const [result, setResult] = useState<MethodOutput<'datasets.exportMasked'> | null>(null);
  const call = useLongCall('dataset');
  const pathId = useId();
  const labels = new Map(detail.detectors.map((d) => [d.id, d.label]));
  const toggle = (d: string) => setChosen((c) => { const n = new Set(c); if (n.has(d)) n.delete(d); else n.add(d); return n; });
  const run = async () => {
    setResult(null);
    const r = await call.run((jobId) => api.call('datasets.exportMasked', {
      datasetId: s.id, detectors: all ? 'all' : [...chosen], mode, leaveOutExcluded: leaveOut, ...(path.trim() ? { outPath: path.trim() } : {}), jobId,
    }));
    if (r) { setResult(r); onDone(); }
  };
  const others = detail.detectors.filter((d) => !found.includes(d.id));
  return (
    <section className="panel" aria-labelledby="ds-mask-h">
      <h2 id="ds-mask-h">Masked export</h2>
      <p className="small">Writes a copy of the dataset with the chosen detectors' values replaced, adds it to the case as a new dataset linked to this one, and records the transformation with both SHA-256 digests in the custody log. Pseudonyms are consistent within this case (the same value gives the same token) and keyed by a secret kept in the store; redaction replaces each value by its detector's name.</p>
      <form onSubmit={(e) => { e.preventDefault(); void run(); }}>
        <fieldset className="ds-fieldset">
          <legend>Values to replace</legend>
          <label className="inline"><input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> every detector ({detail.detectors.length})</label>
          {!all && (
            <div className="ds-detectors">
              {found.length > 0 && <p className="small muted">Found in this dataset:</p>}
              {found.map((d) => <label key={d} className="inline"><input type="checkbox" checked={chosen.has(d)} onChange={() => toggle(d)} /> {labels.get(d) ?? d}</label>)}
              <details>
                <summary>Other detectors ({others.length})</summary>
                {others.map((d) => <label key={d.id} className="inline"><input type="checkbox" checked={chosen.has(d.id)} onChange={() => toggle(d.id)} /> {d.label}</label>)}
              </details>
            </div>
          )}
        </fieldset>
        <fieldset className="ds-fieldset">
          <legend>Replace with</legend>
          <label className="inline"><input type="radio" name="ds-mode" checked={mode === 'pseudonym'} onChange={() => setMode('pseudonym')} /> consistent pseudonyms</label>
          <label className="inline"><input type="radio" name="ds-mode" checked={mode === 'redact'} onChange={() => setMode('redact')} /> redaction</label>
        </fieldset>
        <label className="inline"><input type="checkbox" checked={leaveOut} onChange={(e) => setLeaveOut(e.target.checked)} /> leave out the {s.reviews.excluded} excluded row{s.reviews.excluded === 1 ? '' : 's'}</label>
        <div className="path-field">
          <label htmlFor={pathId}>Write to (optional; default: the data directory's exports folder)</label>
          <input id={pathId} className="ds-path" value={path} onChange={(e) => setPath(e.target.value)} placeholder="/path/to/masked.csv (a new file)" spellCheck={false} />
        </div>
        <div className="toolbar">
          <button type="submit" disabled={call.busy || (!all && chosen.size === 0)}>{call.busy ? 'Exporting…' : 'Write masked copy'}</button>
        </div>
      </form>
      <JobStatus job={call.job} busy={call.busy} label="Masked export" />
      <ErrorText error={call.error} />
      {result && (
        <div className="ds-export-result" role="status">
          <p className="good-text">Masked copy written: {result.rows.toLocaleString('en-US')} rows, {result.replaced.toLocaleString('en-US')} values replaced{result.excluded > 0 ? `, ${result.excluded} excluded rows left out` : ''}.</p>
          <dl className="facts">
            <dt>File</dt><dd><code>{result.path}</code></dd>
            <dt>In the case</dt><dd><a href={href({ name: 'artifact', caseId: s.caseId, artifactId: result.artifact.id, panel: 'dataset' })}>{result.artifact.displayName}</a></dd>
            <dt>Source SHA-256</dt><dd><code className="hash">{result.inputSha256}</code></dd>
            <dt>Copy SHA-256</dt><dd><code className="hash">{result.outputSha256}</code></dd>
            <dt>Replaced</dt><dd>{Object.entries(result.byDetector).map(([d, n]) => `${labels.get(d) ?? d}: ${n}`).join('; ') || 'nothing'}</dd>
          </dl>
        </div>
      )}
    </section>
  );
}
