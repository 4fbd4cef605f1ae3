// Pieces the trust views share: a path field with the platform picker, the signing-key chooser
// (a stored key with its passphrase, or a PEM file), fingerprints and verdict badges.
import { useId, useState, type ReactNode } from 'react';
import type { SigningKey, SigningKeyRef } from '../../../../shared/api/methods/trust-schemas.ts';
import { api, platform } from '../../lib/api.ts';
import { useLoad } from '../../lib/hooks.ts';

/** 64 hex digits in groups of four, so people can compare them aloud. */
export function Fingerprint({ value, short = false }: { value: string; short?: boolean }) {
  const shown = (short ? value.slice(0, 16) : value).match(/.{1,4}/g)?.join(' ') ?? value;
  return <code className="hash fingerprint" title={value}>{shown}{short ? ' …' : ''}</code>;
}

export function OkBadge({ ok, yes = 'verified', no = 'not verified' }: { ok: boolean; yes?: string; no?: string }) {
  return <span className={`verdict-badge ${ok ? 'good' : 'bad'}`}>{ok ? yes : no}</span>;
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A typed path with a "Choose…" button where the face has a native picker. */
export function PathField({ label, value, onChange, kind = 'files', placeholder }: {
  label: string; value: string; onChange(v: string): void; kind?: 'files' | 'folder'; placeholder?: string;
}) {
  const id = useId();
  const pick = async () => {
    const picked = await platform().pickPaths({ kind, title: label });
    if (picked && picked[0]) onChange(picked[0]);
  };
  return (
    <div className="path-field">
      <label htmlFor={id}>{label}</label>
      <div className="path-row">
        <input id={id} value={value} onChange={(e) => onChange(e.target.value)} spellCheck={false} placeholder={placeholder ?? 'a path on this machine'} />
        {platform().face === 'electron' && <button type="button" className="secondary" onClick={() => void pick()}>Choose…</button>}
      </div>
    </div>
  );
}

/** Chooses the signing key: one of the stored keys and its passphrase, or a PEM key file. */
export function KeyPicker({ onChange, purpose }: { onChange(ref: SigningKeyRef | null): void; purpose: string }) {
  const keys = useLoad(() => api.call('keys.list', {}), [], (e) => e.type === 'changed' && e.what === 'keys');
  const [mode, setMode] = useState<'stored' | 'pem'>('stored');
  const [keyId, setKeyId] = useState('');
  const [secret, setSecret] = useState('');
  const [pemPath, setPemPath] = useState('');
  const list: SigningKey[] = keys.data ?? [];
  const chosen = list.find((k) => k.id === keyId) ?? list[0];
  const ids = { key: useId(), pass: useId() };
  const emit = (next: { mode?: 'stored' | 'pem'; keyId?: string; secret?: string; pemPath?: string }) => {
    const m = next.mode ?? mode;
    const k = list.find((x) => x.id === (next.keyId ?? keyId)) ?? list[0];
    const s = next.secret ?? secret;
    const p = next.pemPath ?? pemPath;
    if (m === 'stored') onChange(k && s.length > 0 ? { keyId: k.id, passphrase: s } : null);
    else onChange(p.trim() ? { pemPath: p.trim(), ...(s.length > 0 ? { passphrase: s } : {}) } : null);
  };
  return (
    <fieldset className="key-picker">
      <legend>Signing key ({purpose})</legend>
      <div className="toolbar" role="radiogroup" aria-label="Where the key is">
        <label className="inline"><input type="radio" name={`${ids.key}-mode`} checked={mode === 'stored'} onChange={() => { setMode('stored'); emit({ mode: 'stored' }); }} /> A key held in Assay</label>
        <label className="inline"><input type="radio" name={`${ids.key}-mode`} checked={mode === 'pem'} onChange={() => { setMode('pem'); emit({ mode: 'pem' }); }} /> A PEM key file</label>
      </div>
      {mode === 'stored' && (
        list.length === 0
          ? <p className="muted">No signing key yet: generate or import one under <a href="#/keys">Keys &amp; trust</a>.</p>
          : (
            <>
              <label htmlFor={ids.key}>Key</label>
              <select id={ids.key} value={chosen?.id ?? ''} onChange={(e) => { setKeyId(e.target.value); emit({ keyId: e.target.value }); }}>
                {list.map((k) => <option key={k.id} value={k.id}>{k.label} — {k.fingerprint.slice(0, 16)}</option>)}
              </select>
              {chosen && <p className="small">Fingerprint <Fingerprint value={chosen.fingerprint} /></p>}
            </>
          )
      )}
      {mode === 'pem' && <PathField label="PEM private key file" value={pemPath} onChange={(v) => { setPemPath(v); emit({ pemPath: v }); }} />}
      <label htmlFor={ids.pass}>{mode === 'stored' ? 'Passphrase of the key' : 'Passphrase (if the file is encrypted)'}</label>
      <input id={ids.pass} type="password" autoComplete="off" value={secret} onChange={(e) => { setSecret(e.target.value); emit({ secret: e.target.value }); }} />
    </fieldset>
  );
}

/** A select with its own label element (a wrapping label would also name it by its options). */
export function LabeledSelect({ label, value, onChange, children }: { label: string; value: string; onChange(v: string): void; children: ReactNode }) {
  const id = useId();
  return (
    <div className="labeled-select">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>{children}</select>
    </div>
  );
}
