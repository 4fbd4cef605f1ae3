// The sandbox report of a run (P16 evidence): the isolation level in force and why stronger ones
// were not used, every layer, the limits, and each forbidden operation the worker attempted.
import type { BehaveRun } from '../../../../shared/api/methods/behave-schemas.ts';
import { gib, seconds } from './format.ts';

export function IsolationReport({ run }: { run: BehaveRun }) {
  const iso = run.isolation;
  if (!iso) return <p className="muted">No worker was started for the latest run ({run.failure?.message ?? 'refused before running'}).</p>;
  const denied = iso.checks.filter((c) => c.denied).length;
  return (
    <div className="isolation">
      <p>
        Level <strong className={`level level-${iso.level}`}>{iso.level}</strong> · {denied} of {iso.checks.length} forbidden operations denied ·
        {' '}{iso.runtime.node} · {iso.runtime.onnxruntime} · {iso.runtime.platform}
      </p>
      {iso.fallbacks.length > 0 && (
        <ul className="fallbacks">{iso.fallbacks.map((f) => <li key={f.level}>{f.level} not used: {f.reason}</li>)}</ul>
      )}
      <table className="checks">
        <caption>Operations the worker attempted at start-up</caption>
        <thead><tr><th scope="col">Check</th><th scope="col">Attempted</th><th scope="col">Result</th><th scope="col">Detail</th></tr></thead>
        <tbody>
          {iso.checks.map((c) => (
            <tr key={c.id}>
              <td><code>{c.id}</code></td>
              <td>{c.attempted}</td>
              <td>{c.denied ? <span className="ok">denied</span> : <strong className="error-text">allowed</strong>}</td>
              <td className="small">{c.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <dl className="facts">
        <dt>Address space</dt><dd>{gib(iso.limits.addressSpaceBytes)}</dd>
        <dt>Watchdog</dt><dd>{seconds(iso.limits.timeoutMs)} without progress; {seconds(iso.limits.lifetimeMs)} in all</dd>
        <dt>Operation limit</dt><dd>{run.deadline.ms > 0 ? seconds(run.deadline.ms) : 'none'}{run.deadline.hit && <strong className="warn"> — reached</strong>}</dd>
        <dt>V8 heap</dt><dd>{iso.limits.heapMegabytes} MiB</dd>
        <dt>Output cap</dt><dd>{iso.limits.maxOutputBytes} bytes per batch</dd>
        <dt>File size limit</dt><dd>{iso.limits.fileSizeBytes === null ? 'none' : `${iso.limits.fileSizeBytes} bytes`}</dd>
        <dt>Threads</dt><dd>{iso.limits.threads}</dd>
      </dl>
      <details>
        <summary>Layers and command line</summary>
        <ul>{iso.layers.map((l) => <li key={l}>{l}</li>)}</ul>
        <p className="small"><code className="command">{iso.command.join(' ')}</code></p>
      </details>
    </div>
  );
}
