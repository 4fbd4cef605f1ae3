// Isolation-forest outlier scores of the numeric rows in bins over [0, 1], with the threshold
// above which rows are reported; the numbers are in a table too.
export function OutlierHistogram({ bins, threshold }: { bins: { from: number; to: number; count: number }[]; threshold: number }) {
  const W = 560;
  const H = 180;
  const pad = { left: 44, right: 10, top: 10, bottom: 30 };
  const plotW = W - pad.left - pad.right;
  const plotH = H - pad.top - pad.bottom;
  // Square-root scale: the few outliers stay visible beside thousands of ordinary rows.
  const max = Math.max(1, ...bins.map((b) => b.count));
  const y = (n: number) => pad.top + plotH - (Math.sqrt(n) / Math.sqrt(max)) * plotH;
  const x = (v: number) => pad.left + v * plotW;
  const above = bins.filter((b) => b.from >= threshold).reduce((s, b) => s + b.count, 0);
  const total = bins.reduce((s, b) => s + b.count, 0);
  const label = `Outlier scores of ${total} rows in ${bins.length} bins from 0 to 1; ${above} rows score at or above the threshold ${threshold}`;
  return (
    <figure className="ds-chart">
      <svg role="img" aria-label={label} viewBox={`0 0 ${W} ${H}`} width={W}>
        <title>{label}</title>
        <line className="axis" x1={pad.left} x2={W - pad.right} y1={pad.top + plotH} y2={pad.top + plotH} />
        {bins.map((b) => (
          <rect key={b.from} x={x(b.from) + 1} width={Math.max(1, x(b.to) - x(b.from) - 2)} y={y(b.count)} height={pad.top + plotH - y(b.count)}
            className={b.from >= threshold ? 'bar bar-outlier' : 'bar'}>
            <title>{`scores ${b.from.toFixed(2)}–${b.to.toFixed(2)}: ${b.count} rows`}</title>
          </rect>
        ))}
        <line className="threshold" x1={x(threshold)} x2={x(threshold)} y1={pad.top} y2={pad.top + plotH} />
        <text x={x(threshold) + 4} y={pad.top + 10} fontSize={11}>threshold {threshold}</text>
        {[0, 0.25, 0.5, 0.75, 1].map((v) => <text key={v} x={x(v)} y={H - 10} fontSize={11} textAnchor="middle">{v}</text>)}
        <text x={8} y={pad.top + 10} fontSize={11}>{max}</text>
        <text x={8} y={pad.top + plotH} fontSize={11}>0</text>
      </svg>
      <figcaption>Isolation-forest outlier score per row (square-root scale); {above.toLocaleString('en-US')} of {total.toLocaleString('en-US')} rows at or above {threshold}</figcaption>
      <details>
        <summary>Numbers</summary>
        <table className="numbers">
          <thead><tr><th scope="col">Score from</th><th scope="col">to</th><th scope="col">Rows</th></tr></thead>
          <tbody>{bins.map((b) => <tr key={b.from}><td>{b.from.toFixed(2)}</td><td>{b.to.toFixed(2)}</td><td>{b.count}</td></tr>)}</tbody>
        </table>
      </details>
    </figure>
  );
}
