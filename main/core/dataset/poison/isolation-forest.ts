// Isolation forest (Liu, Ting and Zhou, 2008), written for Assay: random axis-parallel splits
// isolate anomalies in few steps. Trees live in flat typed arrays; scoring is two-stage (a few
// trees for every row, the full forest for rows that look anomalous) to keep large datasets fast.
import { seededRandom } from '../../../../shared/seeded-random.ts';

const EULER = 0.5772156649;

/** Average path length of an unsuccessful search in a binary search tree of n points. */
export function averagePath(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER) - (2 * (n - 1)) / n;
}

interface Tree {
  feature: Int32Array;
  split: Float64Array;
  left: Int32Array;
  right: Int32Array;
  size: Int32Array;
  /** For a leaf: its depth plus the expected path length below it (what scoring adds up). */
  leaf: Float64Array;
}

export interface ForestOptions {
  trees: number;
  sampleSize: number;
  seed: number;
}

export class IsolationForest {
  private readonly trees: Tree[] = [];
  private readonly norm: number;

  /** `data` is row-major n × dims; NaN must already be imputed. */
  constructor(private readonly data: Float64Array, private readonly n: number, private readonly dims: number, options: ForestOptions) {
    const random = seededRandom(options.seed);
    const psi = Math.min(options.sampleSize, n);
    this.norm = averagePath(psi);
    const maxDepth = Math.ceil(Math.log2(Math.max(2, psi)));
    for (let t = 0; t < options.trees; t++) {
      const sample = new Int32Array(psi);
      for (let i = 0; i < psi; i++) sample[i] = Math.floor(random() * n);
      this.trees.push(this.build(sample, maxDepth, random));
    }
  }

  private build(sample: Int32Array, maxDepth: number, random: () => number): Tree {
    const max = 2 * sample.length + 1;
    const tree: Tree = {
      feature: new Int32Array(max).fill(-1), split: new Float64Array(max),
      left: new Int32Array(max), right: new Int32Array(max), size: new Int32Array(max), leaf: new Float64Array(max),
    };
    let nodes = 0;
    const { data, dims } = this;
    const grow = (from: number, to: number, depth: number): number => {
      const node = nodes++;
      tree.size[node] = to - from;
      tree.leaf[node] = depth + averagePath(to - from); // once here, not once per row scored
      if (depth >= maxDepth || to - from <= 1) return node;
      // Pick a feature that varies within the node; give up (leaf) after a few tries.
      for (let attempt = 0; attempt < dims * 2; attempt++) {
        const f = Math.floor(random() * dims);
        let lo = Infinity;
        let hi = -Infinity;
        for (let i = from; i < to; i++) {
          const v = data[sample[i]! * dims + f]!;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        if (!(hi > lo)) continue;
        const split = lo + random() * (hi - lo);
        let mid = from;
        for (let i = from; i < to; i++) {
          if (data[sample[i]! * dims + f]! < split) {
            const tmp = sample[i]!; sample[i] = sample[mid]!; sample[mid] = tmp; mid++;
          }
        }
        tree.feature[node] = f;
        tree.split[node] = split;
        tree.left[node] = grow(from, mid, depth + 1);
        tree.right[node] = grow(mid, to, depth + 1);
        return node;
      }
      return node;
    };
    grow(0, sample.length, 0);
    return tree;
  }

  private pathLength(tree: Tree, row: number): number {
    let node = 0;
    const base = row * this.dims;
    for (;;) {
      const f = tree.feature[node]!;
      if (f < 0) return tree.leaf[node]!;
      node = this.data[base + f]! < tree.split[node]! ? tree.left[node]! : tree.right[node]!;
    }
  }

  /** Anomaly score in (0, 1) from the first `trees` trees: ~0.5 ordinary, → 1 anomalous. */
  score(row: number, trees = this.trees.length): number {
    let sum = 0;
    const t = Math.min(trees, this.trees.length);
    for (let i = 0; i < t; i++) sum += this.pathLength(this.trees[i]!, row);
    return 2 ** (-(sum / t) / this.norm);
  }

  /**
   * Scores for every row: a quick pass, then the full forest where the quick score is high. The
   * quick pass goes tree by tree over all rows (one small tree stays in the cache while the rows
   * stream past); each row's path lengths are still added in tree order, so the sums are the
   * ones `score` computes.
   */
  scoreAll(quickTrees: number, refineAbove: number): Float64Array {
    const n = this.n;
    const t = Math.min(quickTrees, this.trees.length);
    const out = new Float64Array(n);
    for (let i = 0; i < t; i++) {
      const tree = this.trees[i]!;
      for (let r = 0; r < n; r++) out[r] = out[r]! + this.pathLength(tree, r);
    }
    for (let r = 0; r < n; r++) {
      const quick = 2 ** (-(out[r]! / t) / this.norm);
      out[r] = quick >= refineAbove ? this.score(r) : quick;
    }
    return out;
  }
}
