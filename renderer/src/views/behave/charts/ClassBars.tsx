// Rows predicted per class (argmax), one bar per class, optionally for two models side by side.
export function ClassBars({ title, series }: { title: string; series: { label: string; counts: number[] }[] }) {
  const classes = Math.max(0, ...series.map((s) => s.counts.length));
  const max = Math.max(1, ...series.flatMap((s) => s.counts));
  const rowH = 16 * series.length + 6;
  const W = 420;
  const left = 50;
  return (
    <figure className="chart classbars">
      <svg role="img" aria-label={`${title}: ${series.map((s) => `${s.label} ${s.counts.join(', ')}`).join('; ')}`} viewBox={`0 0 ${W} ${classes * rowH + 4}`} width={W}>
        <title>{`${title}: rows predicted per class`}</title>
        {Array.from({ length: classes }, (_, k) => (
          <g key={k} transform={`translate(0 ${k * rowH})`}>
            <text x={left - 8} y={14} textAnchor="end" fontSize={11}>class {k}</text>
            {series.map((s, i) => {
              const n = s.counts[k] ?? 0;
              const w = (n / max) * (W - left - 40);
              return (
                <g key={s.label}>
                  <rect x={left} y={3 + i * 16} height={13} width={Math.max(0, w)} className={`bar series-${i}`}><title>{`${s.label}, class ${k}: ${n}`}</title></rect>
                  <text x={left + w + 4} y={13 + i * 16} fontSize={10}>{n}</text>
                </g>
              );
            })}
          </g>
        ))}
      </svg>
      <figcaption>{title}{series.length > 1 && <>: {series.map((s, i) => <span key={s.label} className={`legend-key series-${i}`}>{s.label}</span>)}</>}</figcaption>
    </figure>
  );
}
