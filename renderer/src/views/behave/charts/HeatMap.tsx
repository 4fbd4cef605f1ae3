// Flip rate per patch position of a trigger sweep, as a grid of cells (darker: more predictions
// flipped). The numbers are in the table below it for screen readers and for copying.
import { heat, pct } from '../format.ts';

export interface HeatMapProps {
  title: string;
  /** values[iy][ix], 0..1 (null when unknown). */
  values: (number | null)[][];
  ys: number[];
  xs: number[];
  /** Cells to outline (flagged candidates), as "y,x". */
  marked?: Set<string>;
}

const CELL = 26;
const LEFT = 34;
const TOP = 22;

export function HeatMap({ title, values, ys, xs, marked }: HeatMapProps) {
  const width = LEFT + xs.length * CELL + 4;
  const height = TOP + ys.length * CELL + 4;
  const max = Math.max(0, ...values.flat().map((v) => v ?? 0));
  return (
    <figure className="chart heatmap">
      <svg role="img" aria-label={`${title}: highest flip rate ${pct(max)}`} viewBox={`0 0 ${width} ${height}`} width={Math.min(width * 1.2, 520)}>
        <title>{`${title}: flip rate per patch position (top-left corner y, x); highest ${pct(max)}`}</title>
        {xs.map((x, ix) => <text key={`x${x}`} x={LEFT + ix * CELL + CELL / 2} y={14} textAnchor="middle" fontSize={10}>{x}</text>)}
        {ys.map((y, iy) => <text key={`y${y}`} x={LEFT - 6} y={TOP + iy * CELL + CELL / 2 + 4} textAnchor="end" fontSize={10}>{y}</text>)}
        {values.map((row, iy) => row.map((v, ix) => {
          const c = heat(v);
          const isMarked = marked?.has(`${ys[iy]},${xs[ix]}`) ?? false;
          return (
            <g key={`${iy}-${ix}`}>
              <rect x={LEFT + ix * CELL} y={TOP + iy * CELL} width={CELL - 1} height={CELL - 1} fill={c.fill} stroke={isMarked ? '#1b1f24' : 'none'} strokeWidth={isMarked ? 2 : 0}>
                <title>{`y ${ys[iy]}, x ${xs[ix]}: ${pct(v)}`}</title>
              </rect>
              {CELL >= 24 && <text x={LEFT + ix * CELL + CELL / 2} y={TOP + iy * CELL + CELL / 2 + 3} textAnchor="middle" fontSize={8} fill={c.ink}>{v === null ? '' : Math.round(v * 100)}</text>}
            </g>
          );
        }))}
      </svg>
      <figcaption>{title} (numbers: % of probe rows whose prediction changed; outlined cells were flagged)</figcaption>
      <details>
        <summary>Flip rates as a table</summary>
        <table className="numbers">
          <caption>{title}: flip rate by patch position</caption>
          <thead><tr><th scope="col">y \ x</th>{xs.map((x) => <th key={x} scope="col">{x}</th>)}</tr></thead>
          <tbody>{values.map((row, iy) => <tr key={ys[iy]}><th scope="row">{ys[iy]}</th>{row.map((v, ix) => <td key={ix}>{pct(v)}</td>)}</tr>)}</tbody>
        </table>
      </details>
    </figure>
  );
}
