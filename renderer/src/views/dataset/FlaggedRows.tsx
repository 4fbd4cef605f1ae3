// The rows behind one finding, a page at a time, read back from the dataset with PII and secrets
// masked and invisible characters shown; the auditor selects rows and marks them reviewed or
// excluded (or open again), with a note.
import { useState } from 'react';
import type { RowReview } from '../../../../shared/api/methods/dataset.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/hooks.ts';

const PAGE = 20;
const STATUS_TEXT = { reviewed: 'Reviewed', excluded: 'Excluded' } as const;

/** `text` with every whole-word occurrence of `token` marked (case-insensitive). */
function Marked({ text, token }: { text: string; token: string | undefined }) {
  if (!token) return <>{text}</>;
  const escaped = token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
  const parts = text.split(new RegExp(`(?<![\\p{L}\\p{N}])(${escaped})(?![\\p{L}\\p{N}])`, 'giu'));
  return <>{parts.map((p, i) => (i % 2 === 1 ? <mark key={i}>{p}</mark> : p))}</>;
}

export function FlaggedRows({ datasetId, rows, column, ruleId, reviews, onChanged, label, highlight }: {
  datasetId: string;
  rows: number[];
  /** The column the finding is about (highlighted). */
  column?: string | undefined;
  /** A token or word pair to mark in that column (trigger candidates). */
  highlight?: string | undefined;
  ruleId: string;
  reviews: ReadonlyMap<number, RowReview>;
  onChanged(): void;
  label: string;
}) {
  const [page, setPage] = useState(0);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const pages = Math.max(1, Math.ceil(rows.length / PAGE));
  const pageRows = rows.slice(page * PAGE, page * PAGE + PAGE);
  const content = useLoad(() => api.call('datasets.rows', { datasetId, rows: pageRows }), [datasetId, ruleId, page, rows.length]);

  const toggle = (r: number) => setSelected((s) => { const n = new Set(s); if (n.has(r)) n.delete(r); else n.add(r); return n; });
  const allOnPage = pageRows.length > 0 && pageRows.every((r) => selected.has(r));
  const togglePage = () => setSelected((s) => {
    const n = new Set(s);
    for (const r of pageRows) { if (allOnPage) n.delete(r); else n.add(r); }
    return n;
  });
  const mark = async (status: 'reviewed' | 'excluded' | 'open', which: number[]) => {
    if (which.length === 0) return;
    setBusy(true);
    setError(null);
    try {
      await api.call('datasets.reviewRows', { datasetId, rows: which, status, ruleIds: [ruleId], note });
      setSelected(new Set());
      onChanged();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const data = content.data;
  const chosen = [...selected];
  const colIndex = data && column ? data.columns.indexOf(column) : -1;
  return (
    <div className="ds-rows">
      <ErrorText error={content.error ?? error} />
      <div className="table-scroll">
        <table aria-label={`Rows flagged by ${label}`}>
          <thead>
            <tr>
              <th scope="col"><input type="checkbox" aria-label="Select the rows on this page" checked={allOnPage} onChange={togglePage} /></th>
              <th scope="col">Row</th>
              <th scope="col">Review</th>
              {(data?.columns ?? []).map((c, i) => <th scope="col" key={`${c}-${i}`} className={i === colIndex ? 'ds-col-hit' : undefined}>{c}</th>)}
            </tr>
          </thead>
          <tbody>
            {pageRows.map((r) => {
              const row = data?.rows.find((x) => x.row === r);
              const review = reviews.get(r);
              return (
                <tr key={r} className={review ? `ds-row-${review.status}` : undefined}>
                  <td><input type="checkbox" aria-label={`Select row ${r}`} checked={selected.has(r)} onChange={() => toggle(r)} /></td>
                  <td className="num">{r}</td>
                  <td>{review ? <span className={`tag ds-tag-${review.status}`} title={`${review.reviewedBy}, ${review.reviewedAt}${review.note ? `: ${review.note}` : ''}`}>{STATUS_TEXT[review.status]}</span> : <span className="muted">open</span>}</td>
                  {row
                    ? row.cells.map((c, i) => <td key={i} className={i === colIndex ? 'ds-cell ds-col-hit' : 'ds-cell'}>{c === null ? <span className="muted">null</span> : <Marked text={c} token={i === colIndex ? highlight : undefined} />}</td>)
                    : <td colSpan={Math.max(1, data?.columns.length ?? 1)} className="muted">{content.loading ? 'reading…' : 'not in the dataset'}</td>}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div className="toolbar">
        <span className="small muted">{pageRows.length} of {rows.length} flagged rows shown (page {page + 1} of {pages}); detected values are masked</span>
        <button type="button" className="secondary" disabled={page === 0} onClick={() => setPage(page - 1)}>Previous</button>
        <button type="button" className="secondary" disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>Next</button>
      </div>
      <div className="toolbar ds-review-bar">
        <label className="inline">Note <input value={note} onChange={(e) => setNote(e.target.value)} maxLength={2000} placeholder="why (optional)" /></label>
        <button type="button" disabled={busy || chosen.length === 0} onClick={() => void mark('excluded', chosen)}>Exclude {chosen.length || ''} selected</button>
        <button type="button" className="secondary" disabled={busy || chosen.length === 0} onClick={() => void mark('reviewed', chosen)}>Mark reviewed</button>
        <button type="button" className="secondary" disabled={busy || chosen.length === 0} onClick={() => void mark('open', chosen)}>Reopen</button>
        <button type="button" className="secondary" disabled={busy || rows.length === 0} onClick={() => void mark('reviewed', rows)}>Mark all {rows.length} reviewed</button>
      </div>
    </div>
  );
}
