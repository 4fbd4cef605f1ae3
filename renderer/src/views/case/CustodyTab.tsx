import { useState } from 'react';
import { ErrorText } from '../../components/ErrorText.tsx';
import { api } from '../../lib/api.ts';
import { formatTime } from '../../lib/format.ts';
import { changedFor, useLoad } from '../../lib/hooks.ts';

const PAGE = 500;

export function CustodyTab({ caseId }: { caseId: string }) {
  const [offset, setOffset] = useState(0);
  const status = useLoad(() => api.call('custody.verify', { caseId }), [caseId], changedFor(caseId));
  const list = useLoad(() => api.call('custody.list', { caseId, offset, limit: PAGE }), [caseId, offset], changedFor(caseId));
  const s = status.data;
  return (
    <div className="custody">
      <section className={`panel chain ${s ? (s.ok ? 'ok' : 'broken') : ''}`} aria-live="polite">
        {s && s.ok && <p><strong>Chain verifies</strong>: {s.events} events, head <code className="hash">{s.head}</code></p>}
        {s && !s.ok && <p role="alert"><strong>Chain BROKEN at event {s.firstBroken!.seq}</strong>: {s.firstBroken!.reason}</p>}
        <button type="button" className="secondary" onClick={status.reload}>Verify again</button>
        <ErrorText error={status.error} />
      </section>
      <ErrorText error={list.error} />
      {list.data && (
        <>
          <table className="custody-table">
            <thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Subject</th><th scope="col">Details</th><th scope="col">Hash</th></tr></thead>
            <tbody>
              {list.data.events.map((e) => (
                <tr key={e.seq} className={s?.firstBroken?.seq === e.seq ? 'broken' : ''}>
                  <td>{e.seq}</td><td>{formatTime(e.at)}</td><td>{e.actor}</td><td>{e.action}</td><td><code>{e.subject}</code></td>
                  <td className="details-cell"><code>{JSON.stringify(e.details)}</code></td>
                  <td><code className="hash" title={e.hash}>{e.hash.slice(0, 12)}…</code></td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.data.total > PAGE && (
            <div className="pager">
              <button type="button" className="secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>Previous</button>
              <span>{offset + 1}–{Math.min(offset + PAGE, list.data.total)} of {list.data.total}</span>
              <button type="button" className="secondary" disabled={offset + PAGE >= list.data.total} onClick={() => setOffset(offset + PAGE)}>Next</button>
            </div>
          )}
        </>
      )}
    </div>
  );
}
