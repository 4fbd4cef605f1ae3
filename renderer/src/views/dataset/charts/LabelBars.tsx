// Rows per label as horizontal bars (the most frequent 25; the rest summed), with the numbers
// in a table for screen readers and copying.
const SHOWN = 25;

export function LabelBars({ counts, title }: { counts: { label: string; count: number }[]; title: string }) {
  const total = counts.reduce((s, c) => s + c.count, 0);
  const shown = counts.slice(0, SHOWN);
  const rest = counts.slice(SHOWN);
  const bars = rest.length > 0 ? [...shown, { label: `${rest.length} more labels`, count: rest.reduce((s, c) => s + c.count, 0) }] : shown;
  const max = Math.max(1, ...bars.map((b) => b.count));
  const W = 560;
  const left = 150;
  const rowH = 20;
  const pct = (n: number) => (total > 0 ? `${((n / total) * 100).toFixed(1)}%` : '0%');
  const cut = (s: string) => (s.length > 22 ? `${s.slice(0, 21)}…` : s);
  const summary = bars.map((b) => `${b.label} ${b.count} (${pct(b.count)})`).join(', ');
  return (
    <figure className="ds-chart">
      <svg role="img" aria-label={`${title}: ${summary}`} viewBox={`0 0 ${W} ${bars.length * rowH + 6}`} width={W}>
        <title>{`${title}: ${summary}`}</title>
        {bars.map((b, i) => {
          const w = (b.count / max) * (W - left - 90);
          return (
            <g key={b.label} transform={`translate(0 ${i * rowH + 3})`}>
              <text x={left - 8} y={13} textAnchor="end" fontSize={12}>{cut(b.label)}</text>
              <rect x={left} y={2} height={14} width={Math.max(1, w)} className="bar"><title>{`${b.label}: ${b.count} rows (${pct(b.count)})`}</title></rect>
              <text x={left + w + 6} y={13} fontSize={11}>{b.count.toLocaleString('en-US')} · {pct(b.count)}</text>
            </g>
          );
        })}
      </svg>
      <figcaption>{title} ({total.toLocaleString('en-US')} labelled rows)</figcaption>
      <details>
        <summary>Numbers</summary>
        <table className="numbers">
          <thead><tr><th scope="col">Label</th><th scope="col">Rows</th><th scope="col">Share</th></tr></thead>
          <tbody>{counts.map((c) => <tr key={c.label}><td>{c.label}</td><td>{c.count}</td><td>{pct(c.count)}</td></tr>)}</tbody>
        </table>
      </details>
    </figure>
  );
}
