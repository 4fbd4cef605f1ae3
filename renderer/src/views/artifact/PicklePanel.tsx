// The pickle view: every resolved call with its classification and the reason, then the opcode
// listing of each stream with the opcodes that take part in calls highlighted. Works for any
// unit of the artifact that holds a pickle (data.pkl in a checkpoint, an object array...).
import { useState } from 'react';
import type { Artifact } from '../../../../shared/api/schemas.ts';
import type { PickleDetail, PickleVerdictTier } from '../../../../shared/pickle-detail.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { SeverityBadge } from '../../components/SeverityCounts.tsx';
import { api } from '../../lib/api.ts';
import { changedFor, useLoad } from '../../lib/hooks.ts';

const TIER_TEXT: Record<PickleVerdictTier, string> = {
  allowed: 'allowed', common: 'common (review)', unknown: 'unknown', denied: 'dangerous', unresolved: 'unresolved',
};

function PickleUnit({ name, detail }: { name: string; detail: PickleDetail }) {
  const [stream, setStream] = useState(0);
  const s = detail.streams[stream];
  return (
    <section className="pickle-unit" aria-label={`Pickle ${name}`}>
      <h3>{name}</h3>
      <p className="muted small">
        {detail.streamCount} stream{detail.streamCount === 1 ? '' : 's'} · {detail.callCount} call{detail.callCount === 1 ? '' : 's'} ·
        {' '}{detail.persistentIdCount} persistent id{detail.persistentIdCount === 1 ? '' : 's'}
        {detail.trailing && ` · ${detail.trailing.length} trailing bytes at ${detail.trailing.byteOffset}`}
      </p>
      <h4>Calls the unpickler would make</h4>
      {detail.calls.length === 0 ? <p className="muted">None.</p> : (
        <table className="pickle-calls">
          <thead><tr><th scope="col">Opcode</th><th scope="col">Call</th><th scope="col">Classification</th><th scope="col">Why</th></tr></thead>
          <tbody>
            {detail.calls.map((c) => (
              <tr key={c.index} className={`tier-${c.tier}`}>
                <td>#{c.at.opcodeIndex} @ {c.at.byteOffset}<div className="muted small">{c.kind}</div></td>
                <td><code>{c.text}</code></td>
                <td>{c.severity && <SeverityBadge severity={c.severity} />} {TIER_TEXT[c.tier]}</td>
                <td className="small">{c.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {detail.embedded.length > 0 && (
        <>
          <h4>Embedded pickles</h4>
          <ul>{detail.embedded.map((e) => <li key={e.byteOffset}>{e.length} bytes at {e.byteOffset}{e.loader && ` loaded by ${e.loader}`}: {e.note}</li>)}</ul>
        </>
      )}
      {detail.streams.length > 0 && s && (
        <>
          <h4>Opcodes</h4>
          {detail.streams.length > 1 && (
            <label className="inline">Stream
              <select value={stream} onChange={(e) => setStream(Number(e.target.value))}>
                {detail.streams.map((x) => <option key={x.index} value={x.index}>#{x.index} at byte {x.byteOffset} (protocol {x.protocol ?? '?'})</option>)}
              </select>
            </label>
          )}
          {s.error && <p className="error-text">Stream breaks at opcode {s.error.opcodeIndex} (byte {s.error.byteOffset}): {s.error.message}</p>}
          <ol className="opcodes" aria-label="Opcode listing">
            {s.opcodes.map((o) => (
              <li key={o.index} className={o.tier ? `tier-${o.tier}` : undefined}>
                <span className="muted">{String(o.index).padStart(5)} @{o.byteOffset}</span> <strong>{o.op}</strong>{o.arg !== undefined && <> <code>{o.arg}</code></>}
                {o.call !== undefined && <span className="call-ref"> → {detail.calls[o.call]?.callable}</span>}
              </li>
            ))}
          </ol>
          {s.opcodesOmitted > 0 && <p className="muted small">{s.opcodesOmitted} opcodes not listed (only the first ones and every opcode that takes part in a call are kept).</p>}
        </>
      )}
    </section>
  );
}

export function PicklePanel({ artifact }: { artifact: Artifact }) {
  const report = useLoad(() => api.call('scan.report', { artifactId: artifact.id }), [artifact.id], changedFor(artifact.caseId));
  if (report.error) return <ErrorText error={report.error} />;
  if (!report.data) return <p className="muted">Loading…</p>;
  const units = report.data.units.filter((u) => u.details.pickle);
  if (units.length === 0) return <p className="muted">No pickle stream in this artifact.</p>;
  return <div>{units.map((u) => <PickleUnit key={u.path} name={u.path || artifact.displayName} detail={u.details.pickle as PickleDetail} />)}</div>;
}

/** Formats whose content is or contains pickles. */
export const PICKLE_BEARING = new Set(['pickle', 'pytorch-zip', 'pytorch-legacy', 'torchscript', 'joblib', 'numpy-npy', 'numpy-npz', 'zip', 'tar', 'gzip', 'zlib', 'keras-v3']);
