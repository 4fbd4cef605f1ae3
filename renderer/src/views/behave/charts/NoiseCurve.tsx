// Robustness: agreement with the clean predictions as input noise grows, as a line chart, with
// the points in a table.
import { pct } from '../format.ts';

export interface CurvePoint { relativeStd: number | null; agreement: number | null }

/** Axis labels that do not overlap: the first, the last, and any at least 24 px from the one before. */
function ticks(values: number[], x: (v: number) => number): number[] {
  const out: number[] = [];
  for (const [i, v] of values.entries()) {
    const last = out[out.length - 1];
    const isLast = i === values.length - 1;
    if (last === undefined || x(v) - x(last) >= 24) out.push(v);
    else if (isLast) out[out.length - 1] = v;
  }
  return out;
}

const W = 460;
const H = 220;
const PAD = { left: 46, right: 12, top: 12, bottom: 40 };

export function NoiseCurve({ title, points }: { title: string; points: CurvePoint[] }) {
  const pts = points.filter((p): p is { relativeStd: number; agreement: number } => p.relativeStd !== null && p.agreement !== null);
  const maxX = Math.max(0.01, ...pts.map((p) => p.relativeStd));
  const x = (v: number) => PAD.left + (v / maxX) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - v) * (H - PAD.top - PAD.bottom);
  const path = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.relativeStd).toFixed(1)},${y(p.agreement).toFixed(1)}`).join(' ');
  const last = pts[pts.length - 1];
  return (
    <figure className="chart curve">
      <svg role="img" aria-label={`${title}${last ? `: ${pct(last.agreement)} agreement at noise ${pct(last.relativeStd)} of the input range` : ''}`} viewBox={`0 0 ${W} ${H}`} width={W}>
        <title>{`${title}: share of predictions unchanged as noise grows`}</title>
        {[0, 0.25, 0.5, 0.75, 1].map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} className="gridline" />
            <text x={PAD.left - 6} y={y(t) + 4} textAnchor="end" fontSize={10}>{pct(t)}</text>
          </g>
        ))}
        {ticks(pts.map((p) => p.relativeStd), x).map((v) => <text key={`t${v}`} x={x(v)} y={H - PAD.bottom + 14} textAnchor="middle" fontSize={9}>{pct(v)}</text>)}
        <text x={(W + PAD.left) / 2} y={H - 6} textAnchor="middle" fontSize={11}>noise (standard deviation, share of the input range)</text>
        <path d={path} className="line" fill="none" />
        {pts.map((p) => <circle key={`c${p.relativeStd}`} cx={x(p.relativeStd)} cy={y(p.agreement)} r={3} className="dot"><title>{`noise ${pct(p.relativeStd)}: ${pct(p.agreement)} agree`}</title></circle>)}
      </svg>
      <figcaption>{title}</figcaption>
      <details>
        <summary>Points as a table</summary>
        <table className="numbers">
          <caption>{title}</caption>
          <thead><tr><th scope="col">Noise (share of range)</th><th scope="col">Predictions unchanged</th></tr></thead>
          <tbody>{pts.map((p) => <tr key={p.relativeStd}><td>{pct(p.relativeStd)}</td><td>{pct(p.agreement, 1)}</td></tr>)}</tbody>
        </table>
      </details>
    </figure>
  );
}
