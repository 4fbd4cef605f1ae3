// Adding files and folders: the native picker where the face has one (Electron), typed paths
// otherwise, and drag-and-drop on both (Electron gives real paths; the browser face uploads).
import { useState, type DragEvent, type FormEvent } from 'react';
import type { MethodOutput } from '../../../shared/api/contract.ts';
import { api, platform } from '../lib/api.ts';
import { ErrorText } from './ErrorText.tsx';

type AddResult = MethodOutput<'artifacts.add'>;

export function AddArtifacts({ caseId }: { caseId: string }) {
  const [typing, setTyping] = useState(false);
  const [paths, setPaths] = useState('');
  const [storage, setStorage] = useState<'reference' | 'import'>('reference');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<AddResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);

  const add = async (list: string[], mode = storage) => {
    if (list.length === 0) return;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await api.call('artifacts.add', { caseId, paths: list, storage: mode }));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const pick = async (kind: 'files' | 'folder') => {
    const picked = await platform().pickPaths({ kind, title: kind === 'files' ? 'Add files to the case' : 'Add a model folder to the case' });
    if (picked === null) setTyping(true);
    else await add(picked);
  };

  const submitTyped = async (e: FormEvent) => {
    e.preventDefault();
    await add(paths.split('\n').map((p) => p.trim()).filter(Boolean));
    setPaths('');
  };

  const drop = async (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const files = [...e.dataTransfer.files];
    if (files.length === 0) return;
    setBusy(true);
    try {
      const staged = await Promise.all(files.map((f) => platform().pathForDroppedFile(f)));
      // Uploaded copies live in the data directory already: keep them as imported artifacts.
      await add(staged, platform().face === 'browser' ? 'import' : storage);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };

  return (
    <section
      className={`panel add-artifacts${dragging ? ' dragging' : ''}`}
      aria-labelledby="add-title"
      onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => void drop(e)}
    >
      <h2 id="add-title">Add artifacts</h2>
      <div className="toolbar">
        <button type="button" onClick={() => void pick('files')} disabled={busy}>Add files…</button>
        <button type="button" onClick={() => void pick('folder')} disabled={busy}>Add folder…</button>
        <button type="button" className="secondary" onClick={() => setTyping((t) => !t)} aria-expanded={typing}>Type paths</button>
        <label className="inline">
          Storage
          <select value={storage} onChange={(e) => setStorage(e.target.value as 'reference' | 'import')}>
            <option value="reference">Reference the original files</option>
            <option value="import">Import a copy into the data directory</option>
          </select>
        </label>
        <span className="muted">or drop files here</span>
      </div>
      {typing && (
        <form onSubmit={(e) => void submitTyped(e)} className="typed-paths">
          <label>
            Paths on this machine, one per line (files or folders)
            <textarea name="paths" rows={3} value={paths} onChange={(e) => setPaths(e.target.value)} spellCheck={false} />
          </label>
          <button type="submit" disabled={busy || paths.trim() === ''}>Add</button>
        </form>
      )}
      <ErrorText error={error} />
      {result && <AddSummary result={result} />}
    </section>
  );
}

function AddSummary({ result }: { result: AddResult }) {
  return (
    <div className="add-summary" role="status">
      <p>
        {result.added.length} added{result.existing.length > 0 && `, ${result.existing.length} already in the case (unchanged)`}
        {result.sets.length > 0 && `, ${result.sets.length} folder${result.sets.length === 1 ? '' : 's'}`}
        {result.errors.length > 0 && `, ${result.errors.length} could not be added`}.
      </p>
      {result.errors.length > 0 && (
        <ul className="error-list">
          {result.errors.map((e) => <li key={e.path + e.message}>{e.message}</li>)}
        </ul>
      )}
    </div>
  );
}
