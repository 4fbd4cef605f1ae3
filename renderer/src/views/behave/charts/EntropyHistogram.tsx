// STRIP: prediction entropy of superimposed inputs, clean against carrying the candidate
// trigger, as two overlaid histograms over the same bins, with the counts in a table.
import { num } from '../format.ts';

export interface Histo { min: number | null; max: number | null; counts: number[] }

const W = 460;
const H = 200;
const PAD = { left: 36, right: 12, top: 12, bottom: 36 };

export function EntropyHistogram({ title, clean, triggered, triggeredLabel }: { title: string; clean: Histo; triggered: Histo | null; triggeredLabel: string }) {
  const bins = clean.counts.length;
  const all = [...clean.counts, ...(triggered?.counts ?? [])];
  const maxCount = Math.max(1, ...all);
  const bw = (W - PAD.left - PAD.right) / Math.max(1, bins);
  const y = (c: number) => PAD.top + (1 - c / maxCount) * (H - PAD.top - PAD.bottom);
  const lo = clean.min ?? 0;
  const hi = clean.max ?? 0;
  const edge = (i: number) => lo + ((hi - lo) * i) / Math.max(1, bins);
  return (
    <figure className="chart histogram">
      <svg role="img" aria-label={`${title}: entropies of ${clean.counts.reduce((a, b) => a + b, 0)} clean rows${triggered ? ` and ${triggered.counts.reduce((a, b) => a + b, 0)} rows with ${triggeredLabel}` : ''}`} viewBox={`0 0 ${W} ${H}`} width={W}>
        <title>{`${title}: number of rows per entropy bin (nats)`}</title>
        <line x1={PAD.left} x2={W - PAD.right} y1={y(0)} y2={y(0)} className="axis" />
        <text x={PAD.left - 6} y={y(maxCount) + 4} textAnchor="end" fontSize={10}>{maxCount}</text>
        <text x={PAD.left - 6} y={y(0) + 4} textAnchor="end" fontSize={10}>0</text>
        {clean.counts.map((c, i) => (
          <rect key={`c${i}`} x={PAD.left + i * bw + 1} y={y(c)} width={Math.max(1, bw / (triggered ? 2 : 1) - 1)} height={y(0) - y(c)} className="bar-clean">
            <title>{`clean, ${num(edge(i))}–${num(edge(i + 1))} nats: ${c}`}</title>
          </rect>
        ))}
        {triggered?.counts.map((c, i) => (
          <rect key={`t${i}`} x={PAD.left + i * bw + bw / 2} y={y(c)} width={Math.max(1, bw / 2 - 1)} height={y(0) - y(c)} className="bar-triggered">
            <title>{`${triggeredLabel}, bin ${i + 1}: ${c}`}</title>
          </rect>
        ))}
        <text x={PAD.left} y={H - 18} fontSize={10}>{num(lo)}</text>
        <text x={W - PAD.right} y={H - 18} textAnchor="end" fontSize={10}>{num(hi)}</text>
        <text x={(W + PAD.left) / 2} y={H - 4} textAnchor="middle" fontSize={11}>prediction entropy (nats)</text>
      </svg>
      <figcaption>
        {title}: <span className="legend-key legend-clean">clean</span>{triggered && <> · <span className="legend-key legend-triggered">{triggeredLabel}</span></>}
      </figcaption>
      <details>
        <summary>Counts as a table</summary>
        <table className="numbers">
          <caption>{title}</caption>
          <thead><tr><th scope="col">Entropy bin (nats)</th><th scope="col">Clean rows</th>{triggered && <th scope="col">Rows with {triggeredLabel}</th>}</tr></thead>
          <tbody>{clean.counts.map((c, i) => <tr key={i}><td>{num(edge(i))}–{num(edge(i + 1))}</td><td>{c}</td>{triggered && <td>{triggered.counts[i] ?? 0}</td>}</tr>)}</tbody>
        </table>
      </details>
    </figure>
  );
}
