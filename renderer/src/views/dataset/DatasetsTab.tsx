// The datasets of a case at a glance: scan state, findings, PII columns, provenance
// completeness, reviewed and excluded rows, lineage; each opens its dataset view.
import type { DatasetSummary } from '../../../../shared/api/methods/dataset.ts';
import { href } from '../../app/router.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { SeverityCounts } from '../../components/SeverityCounts.tsx';
import { api } from '../../lib/api.ts';
import { formatBytes, formatTime } from '../../lib/format.ts';
import { changedFor, useLoad } from '../../lib/hooks.ts';

function Row({ d }: { d: DatasetSummary }) {
  return (
    <tr>
      <th scope="row"><a href={href({ name: 'artifact', caseId: d.caseId, artifactId: d.artifactId, panel: 'dataset' })}>{d.name}</a></th>
      <td>{d.kind === 'image-folder' ? `image folder, ${d.fileCount} files` : d.format} · {formatBytes(d.size)}</td>
      <td>{d.scan ? <>{d.scan.rowCount.toLocaleString('en-US')} {d.kind === 'image-folder' ? 'images' : 'rows'}<br /><span className="small muted">{formatTime(d.scan.scannedAt)}</span></> : <span className="warn">not scanned</span>}</td>
      <td>{d.scan ? <SeverityCounts counts={d.scan.findings} /> : '—'}</td>
      <td className="num">{d.scan ? d.scan.piiColumns : '—'}</td>
      <td><meter min={0} max={d.completeness.total} value={d.completeness.filled} aria-label={`provenance ${d.completeness.filled} of ${d.completeness.total}`} /> {d.completeness.filled}/{d.completeness.total}</td>
      <td className="num">{d.reviews.reviewed} / {d.reviews.excluded}</td>
      <td className="small">{d.derivedFrom ? `masked copy of ${d.derivedFrom.name}` : d.derived.length > 0 ? `${d.derived.length} masked cop${d.derived.length === 1 ? 'y' : 'ies'}` : ''}</td>
    </tr>
  );
}

export function DatasetsTab({ caseId }: { caseId: string }) {
  const list = useLoad(() => api.call('datasets.list', { caseId }), [caseId], changedFor(caseId));
  const all = list.data ?? [];
  return (
    <div className="datasets-tab">
      <ErrorText error={list.error} />
      {list.data && all.length === 0 && (
        <p className="muted">No datasets in this case yet. Add CSV, TSV, JSON Lines, JSON or Parquet files (kind "dataset"), or a folder of images with one subfolder per class.</p>
      )}
      {all.length > 0 && (
        <table className="ds-list">
          <caption className="sr-only">Datasets of the case</caption>
          <thead>
            <tr><th scope="col">Dataset</th><th scope="col">Format</th><th scope="col">Scan</th><th scope="col">Findings</th><th scope="col">PII columns</th><th scope="col">Provenance (P01)</th><th scope="col">Reviewed / excluded</th><th scope="col">Lineage</th></tr>
          </thead>
          <tbody>{all.map((d) => <Row key={d.id} d={d} />)}</tbody>
        </table>
      )}
    </div>
  );
}
