// The dataset view of an artifact (a dataset file, or any image of an image folder): the scan
// and its findings, provenance, PII by column, poisoning indicators with the rows behind each,
// charts, the exclusion list and masked export.
import type { Artifact } from '../../../../shared/api/schemas.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { api } from '../../lib/api.ts';
import { formatBytes } from '../../lib/format.ts';
import { changedFor, useLoad } from '../../lib/hooks.ts';
import { MaskedExport, ExclusionList } from './Outputs.tsx';
import { ProvenanceForm } from './ProvenanceForm.tsx';
import { Charts, Indicators, PiiTable, SchemaTable } from './ReportSections.tsx';
import { ScanControls } from './ScanControls.tsx';

export function DatasetPanel({ artifact }: { artifact: Artifact }) {
  const detail = useLoad(() => api.call('datasets.get', { datasetId: artifact.id }), [artifact.id], changedFor(artifact.caseId));
  const d = detail.data;
  if (!d) return <>{detail.loading ? <p className="muted">Loading the dataset…</p> : null}<ErrorText error={detail.error} /></>;
  const s = d.summary;
  const reviews = new Map(d.reviews.map((r) => [r.row, r]));
  const reload = () => detail.reload();
  return (
    <div className="dataset-view">
      <ErrorText error={detail.error} />
      {s.kind === 'image-folder' && (
        <p className="small">This image is part of the image folder <strong>{s.name}</strong> ({s.fileCount} files, {formatBytes(s.size)}): the folder is audited as one dataset, one subfolder per class.</p>
      )}
      <ScanControls key={`${s.id}-${s.scan?.scannedAt ?? ''}`} detail={d} onScanned={reload} />
      {d.report && (
        <>
          <PiiTable detail={d} reviews={reviews} onChanged={reload} />
          <Indicators detail={d} reviews={reviews} onChanged={reload} />
          <Charts report={d.report} />
          <SchemaTable report={d.report} />
          <ExclusionList detail={d} />
        </>
      )}
      {s.kind === 'file' && <MaskedExport key={`${s.id}-${s.scan?.scannedAt ?? ''}`} detail={d} onDone={reload} />}
      <ProvenanceForm detail={d} onSaved={reload} />
    </div>
  );
}
