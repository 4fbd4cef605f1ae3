// k-nearest-neighbour label disagreement: a k-d tree over the standardised numeric features
// finds each row's k nearest rows; a row whose neighbours all share one label other than its
// own sits inside another class's region, the signature of a flipped label.

const LEAF = 16;

export class KdTree {
  private readonly order: Int32Array;
  /**
   * The points in tree order (position i holds row order[i]): partitioning moves the points
   * themselves, so building and leaf scans read memory in sequence instead of jumping through
   * `order` into a table far larger than the cache. It is the caller's array, rearranged in
   * place (a copy of millions of points is slow to touch the first time).
   */
  private readonly points: Float64Array;
  /** Row → position in tree order, to find a query row's point. */
  private readonly position: Int32Array;
  private readonly nodeDim: Int32Array;
  private readonly nodeSplit: Float64Array;
  private readonly nodeLeft: Int32Array;
  private readonly nodeRight: Int32Array;
  private readonly nodeFrom: Int32Array;
  private readonly nodeTo: Int32Array;
  private nodes = 0;

  /** Takes the points over: `data` (row-major, n × dims) is reordered in place. */
  constructor(data: Float64Array, private readonly n: number, private readonly dims: number) {
    this.order = new Int32Array(n);
    for (let i = 0; i < n; i++) this.order[i] = i;
    this.points = data;
    const max = Math.max(1, Math.ceil((2 * n) / LEAF) * 2 + 2);
    this.nodeDim = new Int32Array(max).fill(-1);
    this.nodeSplit = new Float64Array(max);
    this.nodeLeft = new Int32Array(max);
    this.nodeRight = new Int32Array(max);
    this.nodeFrom = new Int32Array(max);
    this.nodeTo = new Int32Array(max);
    if (n > 0) this.build(0, n);
    this.position = new Int32Array(n);
    for (let i = 0; i < n; i++) this.position[this.order[i]!] = i;
  }

  private value(i: number, d: number): number {
    return this.points[i * this.dims + d]!;
  }

  private swap(i: number, j: number): void {
    const o = this.order;
    const t = o[i]!; o[i] = o[j]!; o[j] = t;
    const p = this.points;
    const dims = this.dims;
    for (let d = 0, a = i * dims, b = j * dims; d < dims; d++, a++, b++) { const v = p[a]!; p[a] = p[b]!; p[b] = v; }
  }

  private build(from: number, to: number): number {
    const node = this.nodes++;
    this.nodeFrom[node] = from;
    this.nodeTo[node] = to;
    if (to - from <= LEAF) return node;
    // Split on the widest dimension (judged on at most ~256 evenly spaced points) at the median.
    let best = 0;
    let spread = -1;
    const step = Math.max(1, Math.floor((to - from) / 256));
    for (let d = 0; d < this.dims; d++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = from; i < to; i += step) { const v = this.value(i, d); if (v < lo) lo = v; if (v > hi) hi = v; }
      if (hi - lo > spread) { spread = hi - lo; best = d; }
    }
    if (!(spread > 0)) return node;
    const mid = (from + to) >> 1;
    this.select(from, to - 1, mid, best);
    this.nodeDim[node] = best;
    this.nodeSplit[node] = this.value(mid, best);
    this.nodeLeft[node] = this.build(from, mid);
    this.nodeRight[node] = this.build(mid, to);
    return node;
  }

  private select(lo: number, hi: number, k: number, d: number): void {
    while (hi > lo) {
      const pivot = this.value((lo + hi) >> 1, d);
      let i = lo;
      let j = hi;
      while (i <= j) {
        while (this.value(i, d) < pivot) i++;
        while (this.value(j, d) > pivot) j--;
        if (i <= j) { this.swap(i, j); i++; j--; }
      }
      if (k <= j) hi = j;
      else if (k >= i) lo = i;
      else return;
    }
  }

  private heapIdx = new Int32Array(0);
  private heapDist = new Float64Array(0);
  private stack = new Int32Array(256);
  private stackBound = new Float64Array(256);

  /**
   * Indices of the k nearest rows to row `q` (itself excluded), nearest first; `maxLeaves`
   * bounds the work. The returned array is reused by the next call.
   */
  nearest(q: number, k: number, maxLeaves = Infinity): Int32Array {
    if (this.heapIdx.length !== k) { this.heapIdx = new Int32Array(k); this.heapDist = new Float64Array(k); }
    const heapIdx = this.heapIdx.fill(-1);
    const heapDist = this.heapDist.fill(Infinity);
    const { points, dims, order, nodeDim, nodeSplit, nodeLeft, nodeRight, nodeFrom, nodeTo } = this;
    const qb = this.position[q]! * dims;
    let leaves = 0;
    let sp = 0;
    if (this.n === 0) return heapIdx;
    this.stack[sp] = 0;
    this.stackBound[sp] = 0;
    sp++;
    while (sp > 0) {
      sp--;
      const node = this.stack[sp]!;
      if (this.stackBound[sp]! >= heapDist[k - 1]!) continue;
      const dim = nodeDim[node]!;
      if (dim < 0) {
        if (leaves++ >= maxLeaves) break;
        const to = nodeTo[node]!;
        for (let i = nodeFrom[node]!; i < to; i++) {
          const row = order[i]!;
          if (row === q) continue;
          const rb = i * dims;
          let dist = 0;
          for (let d = 0; d < dims; d++) { const t = points[rb + d]! - points[qb + d]!; dist += t * t; }
          if (dist >= heapDist[k - 1]!) continue;
          let j = k - 1;
          while (j > 0 && heapDist[j - 1]! > dist) { heapDist[j] = heapDist[j - 1]!; heapIdx[j] = heapIdx[j - 1]!; j--; }
          heapDist[j] = dist;
          heapIdx[j] = row;
        }
        continue;
      }
      const diff = points[qb + dim]! - nodeSplit[node]!;
      if (sp + 2 > this.stack.length) {
        const s2 = new Int32Array(this.stack.length * 2); s2.set(this.stack); this.stack = s2;
        const b2 = new Float64Array(this.stack.length); b2.set(this.stackBound); this.stackBound = b2;
      }
      // Far side first on the stack, so the near side is searched first.
      this.stack[sp] = diff < 0 ? nodeRight[node]! : nodeLeft[node]!;
      this.stackBound[sp] = diff * diff;
      sp++;
      this.stack[sp] = diff < 0 ? nodeLeft[node]! : nodeRight[node]!;
      this.stackBound[sp] = 0;
      sp++;
    }
    return heapIdx;
  }
}

export interface KnnResult {
  /** Stored-row positions whose k neighbours unanimously carry another label. */
  flagged: number[];
  /** The neighbours' label for each flagged row. */
  neighbourLabel: number[];
  /** Mean share of a row's neighbours that share its label. */
  agreement: number;
  /** The same share expected if features said nothing about labels (Σ p²). */
  chanceAgreement: number;
  /** Rows whose neighbours were examined. */
  examined: number;
}

/** `data` (row-major standardised features) is reordered in place by the search tree. */
export function knnLabelDisagreement(data: Float64Array, labels: Int32Array, n: number, dims: number, k: number, maxLeaves = Infinity, maxQueries = Infinity): KnnResult {
  const tree = new KdTree(data, n, dims);
  const flagged: number[] = [];
  const neighbourLabel: number[] = [];
  const counts = new Map<number, number>();
  let labelled = 0;
  let agreeSum = 0;
  // Beyond maxQueries, every step-th row is examined (all rows stay in the tree as neighbours).
  const step = n > maxQueries ? n / maxQueries : 1;
  for (let qi = 0; qi < n; qi += step) {
    const q = Math.floor(qi);
    const own = labels[q]!;
    if (own < 0) continue;
    labelled++;
    counts.set(own, (counts.get(own) ?? 0) + 1);
    const nn = tree.nearest(q, k, maxLeaves);
    let same = 0;
    let found = 0;
    let other = -2;
    let unanimous = true;
    for (let i = 0; i < k; i++) {
      const j = nn[i]!;
      if (j < 0) break;
      found++;
      const l = labels[j]!;
      if (l === own) same++;
      if (other === -2) other = l;
      else if (l !== other) unanimous = false;
    }
    if (found === 0) continue;
    agreeSum += same / found;
    if (found === k && unanimous && other !== own && other >= 0) { flagged.push(q); neighbourLabel.push(other); }
  }
  let chance = 0;
  for (const c of counts.values()) chance += (c / Math.max(1, labelled)) ** 2;
  return { flagged, neighbourLabel, agreement: labelled > 0 ? agreeSum / labelled : 0, chanceAgreement: chance, examined: labelled };
}
