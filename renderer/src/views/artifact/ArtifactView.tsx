import { href } from '../../app/router.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { SeverityCounts } from '../../components/SeverityCounts.tsx';
import { api } from '../../lib/api.ts';
import { formatBytes, formatTime } from '../../lib/format.ts';
import { changedFor, useLoad } from '../../lib/hooks.ts';
import { ARTIFACT_PANELS } from './panels.ts';

export function ArtifactView({ caseId, artifactId, panel }: { caseId: string; artifactId: string; panel: string }) {
  const data = useLoad(() => api.call('artifacts.get', { artifactId }), [artifactId], changedFor(caseId));
  const a = data.data?.artifact;
  const panels = a ? ARTIFACT_PANELS.filter((p) => p.appliesTo(a)) : [];
  const active = panels.find((p) => p.id === panel) ?? panels[0];
  return (
    <div className="artifact-page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <a href="#/">Cases</a> › <a href={href({ name: 'case', caseId, tab: 'artifacts' })}>Case</a> › {a?.displayName ?? artifactId}
      </nav>
      <ErrorText error={data.error} />
      {a && (
        <>
          <header>
            <h1>{a.displayName}</h1>
            <dl className="facts">
              <dt>SHA-256</dt><dd><code className="hash">{a.sha256}</code></dd>
              <dt>Size</dt><dd>{formatBytes(a.size)} ({a.size} bytes)</dd>
              <dt>Format (from content)</dt><dd>{a.formatLabel}</dd>
              <dt>Name claims</dt><dd>{a.extensionClaim ?? 'nothing in particular'}{a.extensionMismatch && <strong className="warn"> — does not match the content</strong>}</dd>
              <dt>Verdict</dt><dd>{a.verdict ? <span className={`verdict verdict-${a.verdict}`}>{a.verdict}</span> : 'not scanned'}</dd>
              <dt>Findings</dt><dd><SeverityCounts counts={a.findingCounts} /></dd>
              <dt>Original path</dt><dd><code>{a.originalPath}</code></dd>
              <dt>Stored</dt><dd>{a.storage === 'import' ? 'copy imported into the data directory' : 'referenced in place'}</dd>
              <dt>Added</dt><dd>{formatTime(a.addedAt)} by {a.addedBy}</dd>
            </dl>
          </header>
          <nav className="tabs" aria-label="Artifact sections">
            {panels.map((p) => (
              <a key={p.id} href={href({ name: 'artifact', caseId, artifactId, panel: p.id })} aria-current={p.id === active?.id ? 'page' : undefined}>{p.label}</a>
            ))}
          </nav>
          {active && <section className="tab-body" aria-label={active.label}><active.Component artifact={a} /></section>}
        </>
      )}
    </div>
  );
}
