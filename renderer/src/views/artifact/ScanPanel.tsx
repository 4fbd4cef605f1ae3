// Everything the static scan looked at in this artifact: each unit (the file, archive members,
// embedded pickles) with its detected format, and a re-scan action.
import { useState } from 'react';
import type { Artifact } from '../../../../shared/api/schemas.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { api } from '../../lib/api.ts';
import { formatBytes, formatTime } from '../../lib/format.ts';
import { changedFor, useLoad } from '../../lib/hooks.ts';

export function ScanPanel({ artifact }: { artifact: Artifact }) {
  const report = useLoad(() => api.call('scan.report', { artifactId: artifact.id }), [artifact.id], changedFor(artifact.caseId));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const rescan = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await api.call('scan.rescan', { caseId: artifact.caseId, artifactIds: [artifact.id] });
      if (r.errors.length > 0) setError(r.errors.map((e) => e.message).join('; '));
      report.reload();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const r = report.data;
  return (
    <div>
      <ErrorText error={report.error ?? error} />
      {report.data === null && !report.loading && <p className="muted">This artifact has not been scanned.</p>}
      {r && (
        <>
          <p>
            Verdict <span className={`verdict verdict-${r.verdict}`}>{r.verdict}</span> · {r.units.length} unit{r.units.length === 1 ? '' : 's'} scanned ·
            {' '}{formatBytes(r.bytesRead)} read in {r.durationMs} ms · {formatTime(r.scannedAt)} · Assay {r.toolVersion}
          </p>
          <table className="units-table">
            <thead><tr><th scope="col">Unit</th><th scope="col">Format (from content)</th><th scope="col">Size</th></tr></thead>
            <tbody>
              {r.units.map((u) => (
                <tr key={u.path || '(file)'}>
                  <td><code>{u.path || artifact.displayName}</code></td>
                  <td>{u.format} <span className="muted small">{u.formatDetail}</span></td>
                  <td>{formatBytes(u.size)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <button type="button" className="secondary" onClick={() => void rescan()} disabled={busy}>{busy ? 'Scanning…' : 'Scan again'}</button>
    </div>
  );
}
