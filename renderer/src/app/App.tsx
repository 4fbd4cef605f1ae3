import { Component, type ReactNode } from 'react';
import { JobsBar } from '../components/JobsBar.tsx';
import { api, hasBridge } from '../lib/api.ts';
import { useLoad } from '../lib/hooks.ts';
import { ArtifactView } from '../views/artifact/ArtifactView.tsx';
import { BundleView } from '../views/trust/BundleView.tsx';
import { KeysView } from '../views/trust/KeysView.tsx';
import { CaseView } from '../views/case/CaseView.tsx';
import { CasesList } from '../views/cases/CasesList.tsx';
import { href, useRoute } from './router.ts';

class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override render() {
    if (this.state.error) {
      return (
        <div className="panel error" role="alert">
          <h2>Something went wrong in this view</h2>
          <p>{this.state.error.message}</p>
          <p>Nothing you committed is lost: it is in the store. <a href="#/">Back to cases</a></p>
        </div>
      );
    }
    return this.props.children;
  }
}

function Header() {
  const info = useLoad(() => api.call('app.info', {}), []);
  return (
    <header className="app-header">
      <a className="brand" href={href({ name: 'cases' })}>Assay</a>
      <span className="tagline">AI supply-chain audit workstation · offline</span>
      <nav className="header-links" aria-label="Workstation">
        <a href={href({ name: 'keys' })}>Keys &amp; trust</a>
        <a href={href({ name: 'bundle', path: null })}>Open bundle</a>
      </nav>
      {info.data && <span className="who" title={`data: ${info.data.dataDir}`}>auditor: {info.data.auditor}</span>}
    </header>
  );
}

export function App() {
  const route = useRoute();
  if (!hasBridge()) {
    return <div className="panel error" role="alert">The Assay bridge is missing: open this page through the Assay app or the URL printed by <code>assay serve</code>.</div>;
  }
  return (
    <>
      <a className="skip-link" href="#main">Skip to content</a>
      <Header />
      <JobsBar />
      <main id="main" tabIndex={-1}>
        <ErrorBoundary key={JSON.stringify(route)}>
          {route.name === 'cases' && <CasesList />}
          {route.name === 'case' && <CaseView caseId={route.caseId} tab={route.tab} />}
          {route.name === 'artifact' && <ArtifactView caseId={route.caseId} artifactId={route.artifactId} panel={route.panel} />}
          {route.name === 'keys' && <KeysView />}
          {route.name === 'bundle' && <BundleView path={route.path} />}
        </ErrorBoundary>
      </main>
    </>
  );
}
