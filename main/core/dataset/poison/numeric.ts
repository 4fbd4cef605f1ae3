// The numeric indicators over the feature store: robust z per column, an isolation forest over
// all features together, and k-nearest-neighbour label disagreement. Each indicator stands
// down when it would flag a large share of rows: that describes the data, not an injection.
import { IsolationForest } from './isolation-forest.ts';
import { knnLabelDisagreement } from './knn.ts';
import { robustCentre, robustOutliers, type ColumnOutliers } from './robust-z.ts';

export const FOREST_THRESHOLD = 0.7;
const FOREST_MAX_SHARE = 0.01;
const KNN_K = 10;
const KNN_MAX_SHARE = 0.02;
/** Neighbour-label agreement must cover this share of the way from chance to perfect. */
const KNN_MIN_SEPARATION = 0.6;
/** Above this many stored rows, neighbour search visits a bounded number of leaves. */
const KNN_EXACT_ROWS = 50_000;
/** Rows whose neighbours are examined (evenly spread over the stored rows beyond this). */
export const KNN_MAX_QUERIES = 100_000;

export interface HistogramBin { from: number; to: number; count: number }

export interface NumericAnalysis {
  columns: Array<{ name: string } & ColumnOutliers>;
  forest: { rows: number[]; scores: number[]; threshold: number; histogram: HistogramBin[]; standsDown: boolean } | null;
  knn: { rows: number[]; ownLabels: number[]; neighbourLabels: number[]; k: number; agreement: number; chanceAgreement: number; examined: number; standsDown: boolean } | null;
  storedRows: number;
  seenRows: number;
  sampled: boolean;
}

function histogram(scores: Float64Array, bins = 20): HistogramBin[] {
  const out: HistogramBin[] = Array.from({ length: bins }, (_, i) => ({ from: i / bins, to: (i + 1) / bins, count: 0 }));
  for (const s of scores) out[Math.min(bins - 1, Math.max(0, Math.floor(s * bins)))]!.count++;
  return out;
}

/** What the numeric indicators read from a feature store (or from its exported state). */
export interface FeatureRows {
  n: number;
  dims: number;
  seen: number;
  sampled: boolean;
  rows: Int32Array;
  labels: Int32Array;
  /** Column d's values; written into `into` (at least n long) when given. */
  column(d: number, into?: Float64Array): Float64Array;
}

/**
 * Robust standardisation, row-major; missing values sit at the median. Without `build`, only
 * the per-column centres are worked out (for `onColumn`) and no table is returned.
 */
function standardise(store: FeatureRows, onColumn?: (d: number, col: Float64Array, centre: ReturnType<typeof robustCentre>) => void, build = true): Float64Array {
  const { n, dims } = store;
  const data = new Float64Array(build ? n * dims : 0);
  // Two buffers serve every column (fresh memory is slow to touch the first time).
  const colBuffer = new Float64Array(n);
  const scratch = new Float64Array(n);
  for (let d = 0; d < dims; d++) {
    const col = store.column(d, colBuffer);
    const centre = robustCentre(col, scratch);
    onColumn?.(d, col, centre);
    const { median, scale } = centre;
    if (!build) continue;
    for (let i = 0; i < n; i++) {
      const x = col[i]!;
      data[i * dims + d] = Number.isFinite(x) && scale > 0 ? (x - median) / scale : 0;
    }
  }
  return data;
}

export interface NumericOptions {
  /** False: leave `knn` null, another thread computes it with `analyseKnn` on the same rows. */
  knn?: boolean;
  /** False: leave `forest` (and `knn`) null, another thread computes both with `analyseMultivariate`. */
  forest?: boolean;
}

export function analyseNumeric(store: FeatureRows, names: readonly string[], labelled: boolean, options: NumericOptions = {}): NumericAnalysis {
  const n = store.n;
  const dims = store.dims;
  const result: NumericAnalysis = { columns: [], forest: null, knn: null, storedRows: n, seenRows: store.seen, sampled: store.sampled };
  if (n === 0 || dims === 0) return result;

  const multivariate = options.forest !== false;
  const data = standardise(store, (d, col, centre) => {
    const outliers = robustOutliers(col, (i) => store.rows[i]!, centre);
    if (outliers) result.columns.push({ name: names[d] ?? `#${d}`, ...outliers });
  }, multivariate);
  if (!multivariate) return result;

  result.forest = forestPart(store, data);
  if (options.knn !== false) result.knn = knnPart(store, data, labelled);
  return result;
}

function forestPart(store: FeatureRows, data: Float64Array): NumericAnalysis['forest'] {
  const { n, dims } = store;
  if (n < 64) return null;
  const forest = new IsolationForest(data, n, dims, { trees: 100, sampleSize: 256, seed: 0x1f0 });
  const scores = forest.scoreAll(10, FOREST_THRESHOLD - 0.1);
  const rows: number[] = [];
  const rowScores: number[] = [];
  for (let i = 0; i < n; i++) if (scores[i]! >= FOREST_THRESHOLD) { rows.push(store.rows[i]!); rowScores.push(scores[i]!); }
  return { rows, scores: rowScores, threshold: FOREST_THRESHOLD, histogram: histogram(scores), standsDown: rows.length > Math.max(1, n * FOREST_MAX_SHARE) };
}

/**
 * The isolation forest and the nearest-neighbour indicator, exactly as `analyseNumeric`
 * computes them (one standardised table serves both): a parallel scan runs them on the worker
 * thread while the main thread runs the per-column and text indicators.
 */
export function analyseMultivariate(store: FeatureRows, labelled: boolean): Pick<NumericAnalysis, 'forest' | 'knn'> {
  if (store.n === 0 || store.dims === 0) return { forest: null, knn: null };
  const data = standardise(store);
  const forest = forestPart(store, data);
  return { forest, knn: knnPart(store, data, labelled) }; // the forest first: the k-d tree reorders `data`
}

/**
 * The nearest-neighbour indicator alone, exactly as `analyseNumeric` computes it: a parallel
 * scan runs it on the worker thread while the main thread runs the other indicators.
 */
export function analyseKnn(store: FeatureRows, labelled: boolean): NumericAnalysis['knn'] {
  if (store.n === 0 || store.dims === 0) return null;
  return knnPart(store, standardise(store), labelled);
}

function knnPart(store: FeatureRows, data: Float64Array, labelled: boolean): NumericAnalysis['knn'] {
  const { n, dims } = store;
  if (!labelled || n < 5 * KNN_K) return null;
  const { flagged, neighbourLabel, agreement, chanceAgreement, examined } = knnLabelDisagreement(data, store.labels, n, dims, KNN_K, n > KNN_EXACT_ROWS ? 2 : Infinity, KNN_MAX_QUERIES);
  let labelledRows = 0; // a loop: TypedArray.filter with a callback is slow on millions of rows
  for (let i = 0; i < n; i++) if (store.labels[i]! >= 0) labelledRows++;
  // Unanimous neighbours mean something only where features predict labels well.
  const informative = agreement >= chanceAgreement + (1 - chanceAgreement) * KNN_MIN_SEPARATION;
  return {
    rows: flagged.map((i) => store.rows[i]!),
    ownLabels: flagged.map((i) => store.labels[i]!),
    neighbourLabels: neighbourLabel,
    k: KNN_K,
    agreement,
    chanceAgreement,
    examined,
    standsDown: !informative || flagged.length > Math.max(1, labelledRows * KNN_MAX_SHARE),
  };
}
