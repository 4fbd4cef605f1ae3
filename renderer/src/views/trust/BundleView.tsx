// "Open bundle": an audit bundle verified (never extracted) and shown read-only, with the verdict
// at the top and every failure named by its class; a second auditor can countersign it.
import { useEffect, useState, type DragEvent, type FormEvent } from 'react';
import type { MethodOutput } from '../../../../shared/api/contract.ts';
import type { BundleReport, BundleTrustRef, SigningKeyRef } from '../../../../shared/api/methods/trust-schemas.ts';
import { CHECKLIST, PHASES } from '../../../../shared/checklist/points.ts';
import { formatLocation, SEVERITIES } from '../../../../shared/findings.ts';
import { navigate } from '../../app/router.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { SeverityBadge } from '../../components/SeverityCounts.tsx';
import { api, platform } from '../../lib/api.ts';
import { formatBytes, formatTime, STATUS_LABELS } from '../../lib/format.ts';
import { errorText, Fingerprint, KeyPicker, PathField } from './common.tsx';
import { VerificationCard } from './VerifyTab.tsx';

const FINDINGS_SHOWN = 300;

const CLASS_LABEL: Record<string, string> = {
  'hostile-zip': 'Malformed or hostile zip', malformed: 'Malformed record', unsigned: 'Unsigned', 'bad-signature': 'Bad signature',
  'untrusted-signer': 'Untrusted signer', 'foreign-statement': 'Statement from another bundle', 'file-modified': 'File modified',
  'file-added': 'File added', 'file-removed': 'File removed', 'file-renamed': 'File renamed', 'custody-broken': 'Custody chain broken',
  'checklist-inconsistent': 'Checklist inconsistent with findings', 'decision-inconsistent': 'Decision not allowed by its policy',
};

function Verdict({ r }: { r: BundleReport }) {
  const trusted = r.signatures.filter((s) => s.valid && s.trusted);
  const byClass = new Map<string, number>();
  for (const f of r.failures) byClass.set(f.class, (byClass.get(f.class) ?? 0) + 1);
  return (
    <section className={`panel bundle-verdict ${r.ok ? 'good' : 'bad'}`} role="status" aria-labelledby="verdict-title">
      <h2 id="verdict-title">{r.ok ? 'Verified: intact and signed by a trusted key' : 'Does not verify'}</h2>
      {r.ok && <p>Signed by {trusted.map((s) => `“${s.trustedLabel}”`).join(' and ')}; every file matches the signed statement, the custody chain verifies and the checklist agrees with the findings.</p>}
      {!r.ok && (
        <ul className="failure-classes">
          {[...byClass].map(([cls, n]) => <li key={cls}><strong>{CLASS_LABEL[cls] ?? cls}</strong>{n > 1 ? ` (${n})` : ''}</li>)}
        </ul>
      )}
      <p className="small muted">Checked against {r.trustedAgainst}. File <code>{r.path}</code>, {formatBytes(r.size)}, sha256 <code className="hash">{r.sha256}</code></p>
      {r.failures.length > 0 && (
        <details open={r.failures.length <= 10}>
          <summary>{r.failures.length} failure{r.failures.length === 1 ? '' : 's'}</summary>
          <ul className="failures">{r.failures.slice(0, 200).map((f, i) => <li key={i}><span className="tag">{f.class}</span> {f.path && <code>{f.path}</code>} {f.message}</li>)}</ul>
        </details>
      )}
    </section>
  );
}

function Signatures({ r }: { r: BundleReport }) {
  return (
    <section aria-labelledby="sig-title">
      <h2 id="sig-title">Signatures</h2>
      <table>
        <thead><tr><th scope="col">Entry</th><th scope="col">Result</th><th scope="col">Key</th><th scope="col">Signed</th></tr></thead>
        <tbody>
          {r.signatures.map((s) => (
            <tr key={s.entry}>
              <td><code>{s.entry}</code></td>
              <td>{s.valid ? (s.trusted ? <span className="good-text">valid, trusted as “{s.trustedLabel}”</span> : <span className="warn">valid, not trusted</span>) : <span className="bad-text">invalid</span>}<div className="small muted">{s.message}</div></td>
              <td>{s.fingerprint ? <Fingerprint value={s.fingerprint} /> : '—'}</td>
              <td>{s.signedAt ? formatTime(s.signedAt) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Contents({ r }: { r: BundleReport }) {
  const c = r.contents;
  const [allFindings, setAllFindings] = useState(false);
  const findings = [...(c.findings?.findings ?? [])].sort((a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity));
  const phases = [...(c.checklist?.phases ?? [])].sort((a, b) => a.strength - b.strength || a.phase - b.phase);
  const entries = new Map((c.checklist?.entries ?? []).map((e) => [e.pointId, e]));
  const decision = c.decision?.decision ?? null;
  return (
    <div className="bundle-contents">
      <section className="panel" aria-labelledby="case-title">
        <h2 id="case-title">Case {c.case?.name ?? r.predicate?.case.name ?? '(missing)'}</h2>
        {c.case && <p className="small muted">{c.case.id} · {c.case.state} · auditor {c.case.auditor} · created {formatTime(c.case.createdAt)}</p>}
        {c.case?.description && <p>{c.case.description}</p>}
        <p className="small">Bundle id <code className="hash">{r.bundleId ?? '—'}</code> · {r.predicate?.tool.name} {r.predicate?.tool.version}{c.manifest && !c.manifest.pdf.included ? ` · no PDF report (${c.manifest.pdf.reason})` : ''}</p>
      </section>
      <section className="panel" aria-labelledby="bdecision-title">
        <h2 id="bdecision-title">Decision</h2>
        {decision ? (
          <div className={`decision-box ${decision.outcome}`}>
            <p><strong>{decision.outcome}</strong> by {decision.decidedBy} at {formatTime(decision.decidedAt)}</p>
            <p>{decision.justification}</p>
            {decision.conditions.length > 0 && <ol>{decision.conditions.map((x, i) => <li key={i}>{x}</li>)}</ol>}
          </div>
        ) : <p className="muted">No intake decision in this bundle.</p>}
        {c.decision?.policy && <p className="small muted">Policy “{c.decision.policy.policy.name}”, sha256 {c.decision.policy.sha256}</p>}
        {(c.decision?.waivers ?? []).map((w) => <p key={w.pointId} className="small">Waiver on {w.pointId}: {w.justification} ({w.grantedBy})</p>)}
      </section>
      <Signatures r={r} />
      <section aria-labelledby="bver-title">
        <h2 id="bver-title">Verification results</h2>
        {(c.verifications?.verifications ?? []).length === 0 ? <p className="muted">None recorded.</p> : c.verifications!.verifications.map((v) => <VerificationCard key={v.id} v={v} />)}
      </section>
      <section aria-labelledby="bcheck-title">
        <h2 id="bcheck-title">Checklist (weakest phase first)</h2>
        {phases.map((p) => (
          <div key={p.phase} className="bundle-phase">
            <h3>Phase {p.phase}: {PHASES.find((x) => x.id === p.phase)?.title ?? p.title} <span className="muted small">strength {Math.round(p.strength * 100)}%</span></h3>
            <table>
              <tbody>
                {CHECKLIST.filter((pt) => pt.phase === p.phase).map((pt) => {
                  const e = entries.get(pt.id);
                  return (
                    <tr key={pt.id}>
                      <td>{pt.id}</td><td>{pt.title}</td>
                      <td className={`st-${e?.status ?? 'not_reviewed'}`}>{STATUS_LABELS[e?.status ?? 'not_reviewed']}</td>
                      <td className="small">{e?.notes}</td>
                      <td className="small muted">{e?.auditor ?? ''}{e?.updatedAt ? ` ${formatTime(e.updatedAt)}` : ''}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ))}
      </section>
      <section aria-labelledby="bfind-title">
        <h2 id="bfind-title">Findings ({findings.length})</h2>
        <ul className="findings-mini">
          {(allFindings ? findings : findings.slice(0, FINDINGS_SHOWN)).map((f) => (
            <li key={f.id}><SeverityBadge severity={f.severity} /> <span className="tag">{f.status}</span> {f.message} <span className="muted small">{f.ruleId} {formatLocation(f.location)}</span></li>
          ))}
        </ul>
        {findings.length > FINDINGS_SHOWN && !allFindings && <button type="button" className="secondary" onClick={() => setAllFindings(true)}>Show all {findings.length} findings</button>}
      </section>
      <section aria-labelledby="bart-title">
        <h2 id="bart-title">Artifacts ({c.artifacts?.artifacts.length ?? 0})</h2>
        <table>
          <thead><tr><th scope="col">File</th><th scope="col">Format</th><th scope="col">Size</th><th scope="col">SHA-256</th></tr></thead>
          <tbody>
            {(c.artifacts?.artifacts ?? []).slice(0, 500).map((a) => (
              <tr key={a.id}><td>{a.relPath ?? a.displayName}</td><td>{a.formatLabel}</td><td>{formatBytes(a.size)}</td><td><code className="hash">{a.sha256}</code></td></tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="panel" aria-labelledby="bcust-title">
        <h2 id="bcust-title">Custody log</h2>
        <p>{c.custody?.events.length ?? 0} events; head <code className="hash">{c.custody?.head ?? '—'}</code></p>
        {(c.attachments?.attachments ?? []).length > 0 && <p className="small">Evidence files: {c.attachments!.attachments.map((a) => a.name).join(', ')}</p>}
      </section>
    </div>
  );
}

function Countersign({ r, onDone }: { r: BundleReport; onDone(path: string): void }) {
  const [key, setKey] = useState<SigningKeyRef | null>(null);
  const [out, setOut] = useState(r.path.replace(/\.assay$/, '') + '.countersigned.assay');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<MethodOutput<'bundles.countersign'> | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!key) return;
    setBusy(true);
    setError(null);
    try {
      setDone(await api.call('bundles.countersign', { path: r.path, key, outPath: out.trim() }));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="panel" onSubmit={(e) => void submit(e)} aria-labelledby="cs-title">
      <h2 id="cs-title">Countersign</h2>
      <p className="small muted">Adds your signature over the same signed statement and writes a new bundle; the original stays as it is.</p>
      <KeyPicker purpose="countersigns the bundle" onChange={setKey} />
      <PathField label="Countersigned bundle to write" value={out} onChange={setOut} />
      <button type="submit" disabled={busy || !key || out.trim() === ''}>{busy ? 'Countersigning…' : 'Countersign and export'}</button>
      <ErrorText error={error} />
      {done && (
        <div role="status">
          <p><strong>Countersigned</strong> by {done.signer.description}: <code>{done.path}</code></p>
          <button type="button" className="secondary" onClick={() => onDone(done.path)}>Open the countersigned bundle</button>
        </div>
      )}
    </form>
  );
}

export function BundleView({ path }: { path: string | null }) {
  const [typed, setTyped] = useState(path ?? '');
  const [trustMode, setTrustMode] = useState<'store' | 'key-file'>('store');
  const [keyPath, setKeyPath] = useState('');
  const [report, setReport] = useState<BundleReport | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const open = async (p: string, trust: BundleTrustRef) => {
    setBusy(true);
    setError(null);
    setReport(null);
    try {
      setReport(await api.call('bundles.verify', { path: p, trust }));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    if (path) {
      setTyped(path);
      void open(path, { kind: 'store' });
    }
  }, [path]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const p = typed.trim();
    if (p === path) void open(p, trustMode === 'store' ? { kind: 'store' } : { kind: 'key-file', path: keyPath.trim() });
    else if (trustMode === 'store') navigate({ name: 'bundle', path: p });
    else void open(p, { kind: 'key-file', path: keyPath.trim() });
  };
  const drop = async (e: DragEvent) => {
    e.preventDefault();
    const file = e.dataTransfer.files[0];
    if (!file) return;
    try {
      navigate({ name: 'bundle', path: await platform().pathForDroppedFile(file) });
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <div className="bundle-page" onDragOver={(e) => e.preventDefault()} onDrop={(e) => void drop(e)}>
      <nav className="crumbs" aria-label="Breadcrumb"><a href="#/">Cases</a> › Open bundle</nav>
      <h1>Open an audit bundle</h1>
      {report && <Verdict r={report} />}
      <form className="panel" onSubmit={submit} aria-label="Bundle to open">
        <PathField label="Bundle file (.assay)" value={typed} onChange={setTyped} />
        <div className="toolbar" role="radiogroup" aria-label="Trust">
          <label className="inline"><input type="radio" name="bundle-trust" checked={trustMode === 'store'} onChange={() => setTrustMode('store')} /> Trust store and my keys</label>
          <label className="inline"><input type="radio" name="bundle-trust" checked={trustMode === 'key-file'} onChange={() => setTrustMode('key-file')} /> A public key file</label>
        </div>
        {trustMode === 'key-file' && <PathField label="Public key file (PEM)" value={keyPath} onChange={setKeyPath} />}
        <button type="submit" disabled={busy || typed.trim() === ''}>{busy ? 'Verifying…' : 'Open and verify'}</button>
        <span className="muted small"> or drop a bundle here. Nothing is extracted to disk.</span>
        <ErrorText error={error} />
      </form>
      {report && (
        <>
          <Contents r={report} />
          <Countersign key={report.sha256} r={report} onDone={(p) => navigate({ name: 'bundle', path: p })} />
        </>
      )}
    </div>
  );
}
