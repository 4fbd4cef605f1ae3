import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import type { Artifact } from '../../../../shared/api/schemas.ts';
import { href } from '../../app/router.ts';
import { AddArtifacts } from '../../components/AddArtifacts.tsx';
import { ErrorText } from '../../components/ErrorText.tsx';
import { SeverityCounts } from '../../components/SeverityCounts.tsx';
import { api } from '../../lib/api.ts';
import { formatBytes } from '../../lib/format.ts';
import { changedFor, useLoad } from '../../lib/hooks.ts';

const PAGE = 5000;
const ROW_HEIGHT = 40;

async function loadAll(caseId: string) {
  const first = await api.call('artifacts.list', { caseId, offset: 0, limit: PAGE });
  const items = [...first.items];
  while (items.length < first.total) {
    const next = await api.call('artifacts.list', { caseId, offset: items.length, limit: PAGE });
    if (next.items.length === 0) break;
    items.push(...next.items);
  }
  return { items, sets: first.sets };
}

export function ArtifactsTab({ caseId }: { caseId: string }) {
  const artifacts = useLoad(() => loadAll(caseId), [caseId], changedFor(caseId));
  const items = artifacts.data?.items ?? [];
  const sets = new Map((artifacts.data?.sets ?? []).map((s) => [s.id, s]));
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: items.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });

  return (
    <div>
      <AddArtifacts caseId={caseId} />
      <ErrorText error={artifacts.error} />
      {sets.size > 0 && (
        <ul className="sets">
          {[...sets.values()].map((s) => (
            <li key={s.id}>Folder <strong>{s.name}</strong>: {s.fileCount} files, {formatBytes(s.totalSize)}, root digest <code className="hash">{s.rootDigest}</code></li>
          ))}
        </ul>
      )}
      {artifacts.data && items.length === 0 && <p className="muted">No artifacts yet.</p>}
      {items.length > 0 && (
        <div className="grid" role="table" aria-label="Artifacts" aria-rowcount={items.length + 1}>
          <div className="grid-row grid-head" role="row">
            <span role="columnheader">Name</span><span role="columnheader">Format</span><span role="columnheader">Size</span>
            <span role="columnheader">SHA-256</span><span role="columnheader">Verdict</span><span role="columnheader">Findings</span>
          </div>
          <div className="grid-body" ref={scroller}>
            <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
              {virtual.getVirtualItems().map((v) => {
                const a = items[v.index]!;
                return <ArtifactRow key={a.id} artifact={a} setName={a.setId ? sets.get(a.setId)?.name : undefined} top={v.start} index={v.index} />;
              })}
            </div>
          </div>
        </div>
      )}
    </div>
  );
}

function ArtifactRow({ artifact: a, setName, top, index }: { artifact: Artifact; setName: string | undefined; top: number; index: number }) {
  return (
    <div className="grid-row" role="row" aria-rowindex={index + 2} style={{ position: 'absolute', top, left: 0, right: 0, height: ROW_HEIGHT }}>
      <span role="cell" className="name">
        <a href={href({ name: 'artifact', caseId: a.caseId, artifactId: a.id, panel: 'findings' })}>{a.displayName}</a>
        {setName && <span className="muted small"> in {setName}</span>}
      </span>
      <span role="cell">
        {a.formatLabel}
        {a.extensionMismatch && <span className="warn" title={`The name claims ${a.extensionClaim}`}> · name says {a.extensionClaim}</span>}
      </span>
      <span role="cell">{formatBytes(a.size)}</span>
      <span role="cell"><code className="hash" title={a.sha256}>{a.sha256}</code></span>
      <span role="cell">{a.verdict ? <span className={`verdict verdict-${a.verdict}`}>{a.verdict}</span> : '—'}</span>
      <span role="cell"><SeverityCounts counts={a.findingCounts} /></span>
    </div>
  );
}
