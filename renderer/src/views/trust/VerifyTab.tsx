// The case's "Signatures & digests" tab: verify a model folder's or file's OpenSSF Model Signing
// signature against the trust store, a stored anchor or a key/root file; check it against a
// SHA256SUMS list or a pasted digest; and every result recorded in the case, file by file.
import { useState, type FormEvent } from 'react';
import type { SignatureTrust, VerificationRecord } from '../../../../shared/api/methods/trust-schemas.ts';
import type { Artifact, ArtifactSet } from '../../../../shared/api/schemas.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { api } from '../../lib/api.ts';
import { formatTime } from '../../lib/format.ts';
import { changedFor, useLoad } from '../../lib/hooks.ts';
import { errorText, Fingerprint, LabeledSelect, OkBadge, PathField } from './common.tsx';

type Target = { setId: string } | { artifactId: string };

function targetOptions(sets: ArtifactSet[], artifacts: Artifact[]): { value: string; label: string; target: Target }[] {
  return [
    ...sets.map((s) => ({ value: `set:${s.id}`, label: `Folder ${s.name} (${s.fileCount} files)`, target: { setId: s.id } })),
    ...artifacts.filter((a) => a.setId === null).map((a) => ({ value: `artifact:${a.id}`, label: `File ${a.displayName}`, target: { artifactId: a.id } })),
  ];
}

function useCaseFiles(caseId: string) {
  return useLoad(() => api.call('artifacts.list', { caseId, limit: 10_000 }), [caseId], changedFor(caseId));
}

function TargetSelect({ options, value, onChange, label }: { options: ReturnType<typeof targetOptions>; value: string; onChange(v: string): void; label: string }) {
  return (
    <LabeledSelect label={label} value={value} onChange={onChange}>
      {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
    </LabeledSelect>
  );
}

function SignatureForm({ caseId, sets, artifacts }: { caseId: string; sets: ArtifactSet[]; artifacts: Artifact[] }) {
  const options = targetOptions(sets, artifacts);
  const anchors = useLoad(() => api.call('trustStore.list', {}), [], (e) => e.type === 'changed' && e.what === 'trust-store');
  const [target, setTarget] = useState('');
  const [sigSource, setSigSource] = useState('');
  const [sigPath, setSigPath] = useState('');
  const [trustChoice, setTrustChoice] = useState('store');
  const [trustPath, setTrustPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<VerificationRecord | null>(null);
  // Signature files already in the case (a model folder often carries its model.sig).
  const sigArtifacts = artifacts.filter((a) => /\.(sig|sigstore)(\.json)?$/i.test(a.relPath ?? a.displayName));
  const chosenTarget = options.find((o) => o.value === target) ?? options[0];
  const sigChoice = sigSource === '' && sigArtifacts.length > 0 ? sigArtifacts[0]!.id : sigSource || 'path';
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!chosenTarget) return;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const signature = sigChoice === 'path' ? { path: sigPath.trim() } : { artifactId: sigChoice };
      let trust: SignatureTrust;
      if (trustChoice === 'store') trust = { kind: 'store' };
      else if (trustChoice === 'key-file') trust = { kind: 'key-file', path: trustPath.trim() };
      else if (trustChoice === 'cert-root-file') trust = { kind: 'cert-root-file', path: trustPath.trim() };
      else trust = { kind: 'anchor', anchorId: trustChoice };
      setResult(await api.call('verify.model', { caseId, target: chosenTarget.target, signature, trust }));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="panel trust-form" onSubmit={(e) => void submit(e)} aria-labelledby="oms-title">
      <h2 id="oms-title">Verify a model signature (OpenSSF Model Signing)</h2>
      {options.length === 0 ? <p className="muted">Add the model folder or file to the case first.</p> : (
        <>
          <TargetSelect label="Model" options={options} value={chosenTarget?.value ?? ''} onChange={setTarget} />
          <LabeledSelect label="Signature" value={sigChoice} onChange={setSigSource}>
            {sigArtifacts.map((a) => <option key={a.id} value={a.id}>{a.relPath ?? a.displayName} (in the case)</option>)}
            <option value="path">A signature file on this machine…</option>
          </LabeledSelect>
          {sigChoice === 'path' && <PathField label="Signature file (model.sig)" value={sigPath} onChange={setSigPath} />}
          <LabeledSelect label="Trust" value={trustChoice} onChange={setTrustChoice}>
            <option value="store">The trust store (the key the signature names, or its certificate roots)</option>
            {(anchors.data ?? []).map((a) => <option key={a.id} value={a.id}>Only “{a.label}” ({a.kind}, {a.fingerprint.slice(0, 16)})</option>)}
            <option value="key-file">A public key file…</option>
            <option value="cert-root-file">A certificate root file…</option>
          </LabeledSelect>
          {(trustChoice === 'key-file' || trustChoice === 'cert-root-file') && (
            <PathField label={trustChoice === 'key-file' ? 'Public key file (PEM)' : 'Certificate root file (PEM)'} value={trustPath} onChange={setTrustPath} />
          )}
          <button type="submit" disabled={busy || (sigChoice === 'path' && sigPath.trim() === '')}>{busy ? 'Verifying…' : 'Verify signature'}</button>
        </>
      )}
      <ErrorText error={error} />
      {result && <VerificationCard v={result} open />}
    </form>
  );
}

function SumsForm({ caseId, sets, artifacts }: { caseId: string; sets: ArtifactSet[]; artifacts: Artifact[] }) {
  const options = targetOptions(sets, artifacts);
  const [target, setTarget] = useState('');
  const [path, setPath] = useState('');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<VerificationRecord | null>(null);
  const chosen = options.find((o) => o.value === target) ?? options[0];
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!chosen) return;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await api.call('verify.sums', { caseId, target: chosen.target, ...(text.trim() ? { sumsText: text } : { sumsPath: path.trim() }) }));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="panel trust-form" onSubmit={(e) => void submit(e)} aria-labelledby="sums-title">
      <h2 id="sums-title">Check against a published SHA256SUMS list</h2>
      {options.length === 0 ? <p className="muted">Add the model folder or file to the case first.</p> : (
        <>
          <TargetSelect label="Model" options={options} value={chosen?.value ?? ''} onChange={setTarget} />
          <PathField label="SHA256SUMS file" value={path} onChange={setPath} />
          <label>…or paste its lines<textarea rows={3} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} placeholder="e3b0c442…  model.safetensors" /></label>
          <button type="submit" disabled={busy || (path.trim() === '' && text.trim() === '')}>{busy ? 'Checking…' : 'Check digests'}</button>
        </>
      )}
      <ErrorText error={error} />
      {result && <VerificationCard v={result} open />}
    </form>
  );
}

function DigestForm({ caseId, artifacts }: { caseId: string; artifacts: Artifact[] }) {
  const [artifactId, setArtifactId] = useState('');
  const [digest, setDigest] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<VerificationRecord | null>(null);
  const chosen = artifacts.find((a) => a.id === artifactId) ?? artifacts[0];
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!chosen) return;
    setError(null);
    setResult(null);
    try {
      setResult(await api.call('verify.digest', { caseId, target: { artifactId: chosen.id }, digest }));
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form className="panel trust-form" onSubmit={(e) => void submit(e)} aria-labelledby="digest-title">
      <h2 id="digest-title">Check a digest the publisher gave</h2>
      {artifacts.length === 0 ? <p className="muted">Add files to the case first.</p> : (
        <>
          <LabeledSelect label="File" value={chosen?.id ?? ''} onChange={setArtifactId}>
            {artifacts.map((a) => <option key={a.id} value={a.id}>{a.relPath ?? a.displayName}</option>)}
          </LabeledSelect>
          <label>Digest (hex, sha256:…, SRI sha256-…, or a sha256sum line)<input value={digest} onChange={(e) => setDigest(e.target.value)} spellCheck={false} /></label>
          <button type="submit" disabled={digest.trim() === ''}>Compare</button>
        </>
      )}
      <ErrorText error={error} />
      {result && <VerificationCard v={result} open />}
    </form>
  );
}

const KIND_LABEL: Record<VerificationRecord['kind'], string> = { oms: 'Model signature', sha256sums: 'SHA256SUMS list', 'pasted-digest': 'Pasted digest' };

export function VerificationCard({ v, open = false }: { v: VerificationRecord; open?: boolean }) {
  return (
    <article className={`verification ${v.ok ? 'good' : 'bad'}${v.superseded ? ' superseded' : ''}`} aria-label={`${KIND_LABEL[v.kind]} of ${v.subject}`}>
      <header>
        <OkBadge ok={v.ok} /> <strong>{KIND_LABEL[v.kind]}</strong> · {v.subject}
        {v.superseded && <span className="tag">superseded</span>}
        <span className="muted small"> · {formatTime(v.verifiedAt)} by {v.verifiedBy}</span>
      </header>
      <p>{v.summary}</p>
      {v.signer && (
        <p className="small">Signer: {v.signer.description}{v.signer.trustedLabel ? <> — trusted as “{v.signer.trustedLabel}”</> : <> — <span className="warn">not in the trust store</span></>}<br />Fingerprint <Fingerprint value={v.signer.fingerprint} /></p>
      )}
      {v.problems.length > 0 && <ul className="problems">{v.problems.slice(0, 20).map((p, i) => <li key={i}><code>{p.ruleId}</code> {p.message}</li>)}</ul>}
      {v.warnings.length > 0 && <ul className="warnings">{v.warnings.map((p, i) => <li key={i}><code>{p.ruleId}</code> {p.message}</li>)}</ul>}
      <details open={open && v.files.length <= 50}>
        <summary>Files ({Object.entries(v.counts).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ') || 'none'})</summary>
        <table className="file-status">
          <thead><tr><th scope="col">Status</th><th scope="col">File</th><th scope="col">Detail</th></tr></thead>
          <tbody>
            {v.files.slice(0, 1000).map((f) => (
              <tr key={f.path} className={`fs-${f.status}`}><td>{f.status}</td><td><code>{f.path}</code></td><td className="small">{f.detail ?? (f.status === 'modified' || f.status === 'mismatch' ? `expected ${f.expected?.slice(0, 16)}…, found ${f.actual?.slice(0, 16)}…` : '')}</td></tr>
            ))}
          </tbody>
        </table>
        {(v.files.length > 1000 || v.filesTruncated) && <p className="muted small">Only the first files are shown; the bundle and the evidence hold the full list.</p>}
      </details>
      {v.notes.length > 0 && <p className="muted small">{v.notes.slice(0, 5).join(' · ')}</p>}
    </article>
  );
}

export function VerifyTab({ caseId }: { caseId: string }) {
  const files = useCaseFiles(caseId);
  const results = useLoad(() => api.call('verify.list', { caseId }), [caseId], changedFor(caseId));
  const sets = files.data?.sets ?? [];
  const artifacts = files.data?.items ?? [];
  const list = [...(results.data ?? [])].reverse();
  return (
    <div className="trust-tab">
      <ErrorText error={files.error ?? results.error} />
      <div className="trust-forms">
        <SignatureForm caseId={caseId} sets={sets} artifacts={artifacts} />
        <SumsForm caseId={caseId} sets={sets} artifacts={artifacts} />
        <DigestForm caseId={caseId} artifacts={artifacts} />
      </div>
      <section aria-labelledby="results-title">
        <h2 id="results-title">Results recorded in this case</h2>
        <p className="muted small">Each result is evidence on P11 (signature) and P08 (file digests) with a suggested status; a newer check of the same model and kind supersedes the older one.</p>
        {list.length === 0 && <p className="muted">No verification yet.</p>}
        {list.map((v) => <VerificationCard key={v.id} v={v} />)}
      </section>
    </div>
  );
}
