// Starting a dataset scan: the label column (the auditor's choice, or guessed and shown), the
// phone region for numbers without a country code, and the scan's progress with Cancel.
import { useId, useState } from 'react';
import type { DatasetDetail } from '../../../../shared/api/methods/dataset.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { api } from '../../lib/api.ts';
import { formatTime } from '../../lib/format.ts';
import { JobStatus } from './JobStatus.tsx';
import { useLongCall } from '../../lib/job.ts';

const GUESS = '';

export function ScanControls({ detail, onScanned }: { detail: DatasetDetail; onScanned(): void }) {
  const s = detail.summary;
  const columns = detail.report?.dataset.columns.map((c) => c.name) ?? [];
  const [label, setLabel] = useState<string>(s.scan?.labelRequested ?? GUESS);
  const [region, setRegion] = useState<string>(s.scan?.phoneRegion ?? '');
  const call = useLongCall('dataset');
  const ids = { label: useId(), region: useId() };
  const scan = async () => {
    const r = region.trim();
    const done = await call.run((jobId) => api.call('datasets.scan', {
      datasetId: s.id, label: label === GUESS ? null : label, ...(r ? { phoneRegion: r } : {}), jobId,
    }));
    if (done) onScanned();
  };
  const isFolder = s.kind === 'image-folder';
  return (
    <section className="panel ds-scan" aria-labelledby="ds-scan-h">
      <h2 id="ds-scan-h">Dataset scan</h2>
      <p className="small">
        {s.scan
          ? <>Last scanned {formatTime(s.scan.scannedAt)} by {s.scan.scannedBy} (Assay {s.scan.toolVersion}): {s.scan.rowCount.toLocaleString('en-US')} {isFolder ? 'images' : 'rows'}, label column <strong>{s.scan.label ?? 'none'}</strong>{s.scan.labelGuessed ? ' (guessed: confirm or choose it below)' : ' (chosen by the auditor)'}.</>
          : <>Not scanned yet. The scan reads the whole dataset in a worker thread: schema, PII and secrets (P03), and poisoning indicators (P02). The content is checked against the digest recorded at intake.</>}
      </p>
      <form className="toolbar" onSubmit={(e) => { e.preventDefault(); void scan(); }}>
        {!isFolder && (
          <span>
            <label htmlFor={ids.label} className="inline-label">Label column</label>{' '}
            {columns.length > 0
              ? (
                <select id={ids.label} value={label} onChange={(e) => setLabel(e.target.value)}>
                  <option value={GUESS}>guess it</option>
                  {columns.map((c) => <option key={c} value={c}>{c}</option>)}
                </select>
              )
              : <input id={ids.label} value={label} onChange={(e) => setLabel(e.target.value)} placeholder="guess it" size={16} />}
          </span>
        )}
        {!isFolder && (
          <span>
            <label htmlFor={ids.region} className="inline-label">Phone region</label>{' '}
            <input id={ids.region} value={region} onChange={(e) => setRegion(e.target.value.toUpperCase())} placeholder="e.g. US" size={4} maxLength={2} pattern="[A-Za-z]{2}" title="two-letter country code for numbers written without +country" />
          </span>
        )}
        <button type="submit" disabled={call.busy}>{call.busy ? 'Scanning…' : s.scan ? 'Scan again' : 'Scan dataset'}</button>
      </form>
      <JobStatus job={call.job} busy={call.busy} label="Scanning" />
      <ErrorText error={call.error} />
    </section>
  );
}
