// The dataset's provenance record (P01): what the auditor learnt about its origin, the file
// digests recorded at intake, and its lineage (the dataset it was masked from, masked copies).
import { useEffect, useId, useState } from 'react';
import type { DatasetDetail, Provenance } from '../../../../shared/api/methods/dataset.ts';
import { href } from '../../app/router.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { api } from '../../lib/api.ts';
import { formatBytes, formatTime } from '../../lib/format.ts';

const TEXT_FIELDS: { key: 'source' | 'licence' | 'collector' | 'labeller'; label: string; hint: string }[] = [
  { key: 'source', label: 'Source', hint: 'where the data came from (supplier, URL, contract)' },
  { key: 'licence', label: 'Licence', hint: 'e.g. CC-BY-4.0, proprietary under contract 123' },
  { key: 'collector', label: 'Collector', hint: 'who collected it' },
  { key: 'labeller', label: 'Labeller', hint: 'who labelled it (team, vendor, method)' },
];
const SHOWN_DIGESTS = 50;

export function ProvenanceForm({ detail, onSaved }: { detail: DatasetDetail; onSaved(): void }) {
  const s = detail.summary;
  const [form, setForm] = useState<Provenance>(s.provenance);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const ids = { from: useId(), to: useId(), notes: useId() };
  useEffect(() => setForm(s.provenance), [s.id, s.recordUpdatedAt]); // eslint-disable-line react-hooks/exhaustive-deps
  const dirty = JSON.stringify(form) !== JSON.stringify(s.provenance);
  const save = async () => {
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await api.call('datasets.setRecord', { datasetId: s.id, ...form });
      setSaved(true);
      onSaved();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const c = s.completeness;
  const caseId = s.caseId;
  return (
    <section className="panel" aria-labelledby="ds-prov-h">
      <h2 id="ds-prov-h">Provenance (P01)</h2>
      <p className="small">
        <meter min={0} max={c.total} value={c.filled} aria-label={`${c.filled} of ${c.total} provenance fields recorded`} /> {c.filled} of {c.total} recorded
        {c.missing.length > 0 && <span className="warn"> · missing: {c.missing.join(', ')}</span>}
        {s.recordUpdatedAt && <span className="muted"> · last changed {formatTime(s.recordUpdatedAt)} by {s.recordUpdatedBy}</span>}
      </p>
      <form className="ds-prov-form" onSubmit={(e) => { e.preventDefault(); void save(); }}>
        {TEXT_FIELDS.map((f) => (
          <label key={f.key}>{f.label}
            <input value={form[f.key]} placeholder={f.hint} maxLength={f.key === 'source' ? 2000 : 500} onChange={(e) => setForm({ ...form, [f.key]: e.target.value })} />
          </label>
        ))}
        <div className="ds-dates">
          <label htmlFor={ids.from}>Collected from <input id={ids.from} type="date" value={form.collectedFrom ?? ''} onChange={(e) => setForm({ ...form, collectedFrom: e.target.value || null })} /></label>
          <label htmlFor={ids.to}>Collected to <input id={ids.to} type="date" value={form.collectedTo ?? ''} onChange={(e) => setForm({ ...form, collectedTo: e.target.value || null })} /></label>
        </div>
        <label htmlFor={ids.notes} className="ds-wide">Access notes
          <textarea id={ids.notes} rows={2} maxLength={10_000} value={form.accessNotes} placeholder="who may access it, where it is stored, restrictions" onChange={(e) => setForm({ ...form, accessNotes: e.target.value })} />
        </label>
        <div className="toolbar ds-wide">
          <button type="submit" disabled={busy || !dirty}>Save provenance</button>
          {saved && !dirty && <span className="good-text" role="status">Saved and recorded in the custody log.</span>}
          <ErrorText error={error} />
        </div>
      </form>
      {s.derivedFrom && (
        <p className="small">A masked copy of {s.derivedFrom.artifactId ? <a href={href({ name: 'artifact', caseId, artifactId: s.derivedFrom.artifactId, panel: 'dataset' })}>{s.derivedFrom.name}</a> : s.derivedFrom.name}
          {s.transformation && <> ({String(s.transformation.mode)}; {String(s.transformation.replaced)} values replaced; from SHA-256 <code className="hash">{String(s.transformation.inputSha256)}</code>)</>}.
        </p>
      )}
      {s.derived.length > 0 && (
        <p className="small">Masked copies: {s.derived.map((d, i) => (
          <span key={d.id}>{i > 0 && ', '}{d.artifactId ? <a href={href({ name: 'artifact', caseId, artifactId: d.artifactId, panel: 'dataset' })}>{d.name}</a> : d.name}</span>
        ))}.</p>
      )}
      <details>
        <summary>File digests ({detail.digests.length})</summary>
        <table className="ds-digests">
          <thead><tr><th scope="col">File</th><th scope="col">Size</th><th scope="col">SHA-256</th></tr></thead>
          <tbody>
            {detail.digests.slice(0, SHOWN_DIGESTS).map((d) => <tr key={d.path}><td>{d.path}</td><td>{formatBytes(d.size)}</td><td><code className="hash">{d.sha256}</code></td></tr>)}
          </tbody>
        </table>
        {detail.digests.length > SHOWN_DIGESTS && <p className="small muted">and {detail.digests.length - SHOWN_DIGESTS} more files (all are in the audit bundle)</p>}
      </details>
    </section>
  );
}
