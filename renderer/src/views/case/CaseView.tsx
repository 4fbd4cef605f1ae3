import { href } from '../../app/router.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { SeverityCounts } from '../../components/SeverityCounts.tsx';
import { api } from '../../lib/api.ts';
import { formatTime } from '../../lib/format.ts';
import { changedFor, useLoad } from '../../lib/hooks.ts';
import { CASE_TABS } from './tabs.ts';

export function CaseView({ caseId, tab }: { caseId: string; tab: string }) {
  const summary = useLoad(() => api.call('cases.get', { caseId }), [caseId], changedFor(caseId));
  const active = CASE_TABS.find((t) => t.id === tab) ?? CASE_TABS[0]!;
  const c = summary.data;
  return (
    <div className="case-page">
      <nav className="crumbs" aria-label="Breadcrumb"><a href="#/">Cases</a> › {c?.name ?? caseId}</nav>
      <ErrorText error={summary.error} />
      {c && (
        <header className="case-header">
          <h1>{c.name}</h1>
          {c.description && <p>{c.description}</p>}
          <p className="muted small">
            {c.id} · {c.state} · auditor {c.auditor} · created {formatTime(c.createdAt)} · {c.artifactCount} artifacts ·
            checklist {c.checklist.reviewed}/{c.checklist.total} reviewed · findings <SeverityCounts counts={c.findingCounts} />
          </p>
        </header>
      )}
      <nav className="tabs" aria-label="Case sections">
        {CASE_TABS.map((t) => (
          <a key={t.id} href={href({ name: 'case', caseId, tab: t.id })} aria-current={t.id === active.id ? 'page' : undefined}>{t.label}</a>
        ))}
      </nav>
      <section className="tab-body" aria-label={active.label}>
        <active.Component caseId={caseId} />
      </section>
    </div>
  );
}
