// "Keys & trust": the auditor's signing keys (generate, import, export the public key) and the
// workstation's trust store (publishers' and fellow auditors' keys and certificate roots).
import { useState, type FormEvent } from 'react';
import type { AppEvent } from '../../../../shared/api/events.ts';
import type { SigningKey } from '../../../../shared/api/methods/trust-schemas.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { api } from '../../lib/api.ts';
import { formatTime } from '../../lib/format.ts';
import { useAction, useLoad } from '../../lib/hooks.ts';
import { Fingerprint, PathField } from './common.tsx';

const keysChanged = (e: AppEvent) => e.type === 'changed' && e.what === 'keys';
const storeChanged = (e: AppEvent) => e.type === 'changed' && e.what === 'trust-store';

function GenerateKey({ onDone }: { onDone(): void }) {
  const [label, setLabel] = useState('');
  const [secret, setSecret] = useState('');
  const [again, setAgain] = useState('');
  const { busy, error, run, setError } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (secret !== again) {
      setError('The two passphrases differ.');
      return;
    }
    await run(async () => {
      await api.call('keys.generate', { label, passphrase: secret });
      setLabel(''); setSecret(''); setAgain('');
      onDone();
    });
  };
  return (
    <form className="panel key-form" onSubmit={(e) => void submit(e)} aria-labelledby="gen-title">
      <h3 id="gen-title">Generate a signing key (ECDSA P-256)</h3>
      <label>Label<input value={label} onChange={(e) => setLabel(e.target.value)} placeholder="e.g. Alice Martin, audit team" /></label>
      <label>Passphrase (at least 8 characters; it seals the key)<input type="password" autoComplete="new-password" value={secret} onChange={(e) => setSecret(e.target.value)} /></label>
      <label>Repeat the passphrase<input type="password" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} /></label>
      <button type="submit" disabled={busy || label.trim() === '' || secret === ''}>{busy ? 'Generating…' : 'Generate key'}</button>
      <ErrorText error={error} />
    </form>
  );
}

function ImportKey({ onDone }: { onDone(): void }) {
  const [label, setLabel] = useState('');
  const [path, setPath] = useState('');
  const [pemSecret, setPemSecret] = useState('');
  const [secret, setSecret] = useState('');
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await run(async () => {
      await api.call('keys.import', { label, pemPath: path.trim(), passphrase: secret, ...(pemSecret ? { pemPassphrase: pemSecret } : {}) });
      setLabel(''); setPath(''); setPemSecret(''); setSecret('');
      onDone();
    });
  };
  return (
    <form className="panel key-form" onSubmit={(e) => void submit(e)} aria-labelledby="imp-title">
      <h3 id="imp-title">Import a private key (PEM, PKCS#8 or SEC1)</h3>
      <label>Label<input value={label} onChange={(e) => setLabel(e.target.value)} /></label>
      <PathField label="PEM key file" value={path} onChange={setPath} />
      <label>Passphrase of the file, if it is encrypted<input type="password" autoComplete="off" value={pemSecret} onChange={(e) => setPemSecret(e.target.value)} /></label>
      <label>Passphrase to seal the stored key<input type="password" autoComplete="new-password" value={secret} onChange={(e) => setSecret(e.target.value)} /></label>
      <button type="submit" disabled={busy || label.trim() === '' || path.trim() === '' || secret === ''}>{busy ? 'Importing…' : 'Import key'}</button>
      <ErrorText error={error} />
    </form>
  );
}

function KeyRow({ k }: { k: SigningKey }) {
  const [pem, setPem] = useState<string | null>(null);
  const [out, setOut] = useState('');
  const [note, setNote] = useState<string | null>(null);
  const { error, run } = useAction();
  const show = () => run(async () => {
    setPem((await api.call('keys.exportPublic', { keyId: k.id })).pem);
  });
  const save = async (e: FormEvent) => {
    e.preventDefault();
    await run(async () => {
      const r = await api.call('keys.exportPublic', { keyId: k.id, outPath: out.trim() });
      setNote(`Written to ${r.path}`);
    });
  };
  return (
    <li className="key-row">
      <p><strong>{k.label}</strong> <span className="tag">{k.curve}</span> <span className="tag">{k.origin}</span> <span className="muted small">{k.id} · {formatTime(k.createdAt)} by {k.createdBy}</span></p>
      <p className="small">Fingerprint <Fingerprint value={k.fingerprint} /></p>
      {pem === null
        ? <button type="button" className="secondary" onClick={() => void show()}>Show public key of {k.label}</button>
        : (
          <>
            <pre className="pem" aria-label={`Public key of ${k.label}`}>{pem}</pre>
            <form className="inline-form" onSubmit={(e) => void save(e)}>
              <PathField label="Save the public key to a new file" value={out} onChange={setOut} placeholder="/path/to/alice.pub.pem" />
              <button type="submit" disabled={out.trim() === ''}>Save</button>
            </form>
          </>
        )}
      {note && <p className="small" role="status">{note}</p>}
      <ErrorText error={error} />
    </li>
  );
}

function TrustStore() {
  const anchors = useLoad(() => api.call('trustStore.list', {}), [], storeChanged);
  const [label, setLabel] = useState('');
  const [path, setPath] = useState('');
  const { error, run } = useAction();
  const add = async (e: FormEvent) => {
    e.preventDefault();
    await run(async () => {
      await api.call('trustStore.add', { label, path: path.trim() });
      setLabel(''); setPath('');
      anchors.reload();
    });
  };
  const remove = async (id: string, name: string) => {
    if (!window.confirm(`Remove "${name}" from the trust store? Signatures by it will no longer be trusted.`)) return;
    await run(async () => {
      await api.call('trustStore.remove', { anchorId: id });
      anchors.reload();
    });
  };
  const list = anchors.data ?? [];
  return (
    <section aria-labelledby="store-title">
      <h2 id="store-title">Trust store</h2>
      <p className="muted small">Publishers' and fellow auditors' public keys and certificate roots. Model signatures and audit bundles are trusted only when they verify against an entry here. Every change is recorded in the workstation's custody log.</p>
      {list.length === 0 ? <p className="muted">The trust store is empty.</p> : (
        <table className="anchors">
          <thead><tr><th scope="col">Label</th><th scope="col">Kind</th><th scope="col">Fingerprint</th><th scope="col">Added</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {list.map((a) => (
              <tr key={a.id}>
                <td>{a.label}{a.subject && <div className="small muted">{a.subject}</div>}{a.notAfter && <div className="small muted">valid until {formatTime(a.notAfter)}</div>}</td>
                <td>{a.kind}{a.curve ? ` (${a.curve})` : ''}{a.isCa ? ', CA' : ''}</td>
                <td><Fingerprint value={a.fingerprint} /></td>
                <td className="small">{a.addedBy}<br />{formatTime(a.addedAt)}</td>
                <td><button type="button" className="secondary" onClick={() => void remove(a.id, a.label)}>Remove {a.label}</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="panel key-form" onSubmit={(e) => void add(e)} aria-labelledby="add-anchor-title">
        <h3 id="add-anchor-title">Add a public key or certificate root</h3>
        <label>Label<input value={label} onChange={(e) => setLabel(e.target.value)} placeholder="e.g. Example Research Lab (publisher)" /></label>
        <PathField label="PEM file (public key or certificate)" value={path} onChange={setPath} />
        <button type="submit" disabled={label.trim() === '' || path.trim() === ''}>Add to the trust store</button>
        <ErrorText error={error} />
      </form>
    </section>
  );
}

export function KeysView() {
  const keys = useLoad(() => api.call('keys.list', {}), [], keysChanged);
  return (
    <div className="keys-page">
      <nav className="crumbs" aria-label="Breadcrumb"><a href="#/">Cases</a> › Keys &amp; trust</nav>
      <h1>Keys &amp; trust</h1>
      <section aria-labelledby="keys-title">
        <h2 id="keys-title">Your signing keys</h2>
        <p className="muted small">Held in this workstation's database sealed with your passphrase (scrypt and AES-256-GCM); the private key is never stored in clear and never leaves Assay.</p>
        <ErrorText error={keys.error} />
        {keys.data && keys.data.length === 0 && <p className="muted">No signing key yet.</p>}
        <ul className="keys">{(keys.data ?? []).map((k) => <KeyRow key={k.id} k={k} />)}</ul>
        <div className="key-forms">
          <GenerateKey onDone={keys.reload} />
          <ImportKey onDone={keys.reload} />
        </div>
      </section>
      <TrustStore />
    </div>
  );
}
