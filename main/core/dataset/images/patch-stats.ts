// Fixed-patch trigger detection. Pass 1 counts, per class, grid position and colour bucket,
// how many images have that colour there (colours quantised to 5 bits a channel, hashed into
// 64 buckets). A stamped patch shows up as positions where one bucket is far more common in
// part of one class than in the other classes. Pass 2 re-reads that class and names the images
// that carry the whole patch.
import { log10BinomialUpperTail } from '../poison/stats.ts';
import { GRID } from './decode.ts';

const BUCKETS = 64;
const CELLS = GRID * GRID;
/** Classes with per-position statistics (memory: 256 KiB each). */
export const MAX_PATCH_CLASSES = 256;
/** A patch carried by most of a class is a class feature (a background, a frame), not a subset. */
const MAX_SUBSET_SHARE = 0.6;
const MIN_ENRICHMENT = 0.15;
/** A patch covers at least a 2 × 2 block of grid cells. */
const MIN_CELLS = 4;
/** Per-cell evidence; a patch needs several adjacent cells at this level, then pass 2 confirms it image by image. */
const CELL_LOG10P = -4;

export function bucketOf(rgb: Uint8Array, cell: number): number {
  const c = ((rgb[cell * 3]! >> 3) << 10) | ((rgb[cell * 3 + 1]! >> 3) << 5) | (rgb[cell * 3 + 2]! >> 3);
  return Math.imul(c + 1, 0x9e3779b1) >>> 26;
}

export interface PatchCandidate {
  label: number;
  /** Grid cells of the patch with their colour bucket. */
  cells: Array<{ cell: number; bucket: number }>;
  /** Images of the class in the strongest cell's bucket. */
  support: number;
  log10p: number;
}

export class PatchStats {
  private readonly counts: Uint32Array[] = [];
  private readonly images: number[] = [];

  observe(label: number, rgb: Uint8Array): void {
    if (label < 0 || label >= MAX_PATCH_CLASSES) return;
    let t = this.counts[label];
    if (!t) { t = new Uint32Array(CELLS * BUCKETS); this.counts[label] = t; }
    this.images[label] = (this.images[label] ?? 0) + 1;
    for (let cell = 0; cell < CELLS; cell++) t[cell * BUCKETS + bucketOf(rgb, cell)]!++;
  }

  candidates(minSupport: number): PatchCandidate[] {
    const classes = this.counts.length;
    const total = this.images.reduce((s, n) => s + (n ?? 0), 0);
    if (classes < 2 || total === 0) return [];
    const all = new Uint32Array(CELLS * BUCKETS);
    for (const t of this.counts) if (t) for (let i = 0; i < all.length; i++) all[i]! += t[i]!;
    const bound = CELL_LOG10P;
    const out: PatchCandidate[] = [];
    for (let label = 0; label < classes; label++) {
      const t = this.counts[label];
      const n = this.images[label] ?? 0;
      if (!t || n < minSupport || total - n === 0) continue;
      const hot = new Map<number, { bucket: number; k: number; log10p: number }>();
      for (let cell = 0; cell < CELLS; cell++) {
        for (let b = 0; b < BUCKETS; b++) {
          const k = t[cell * BUCKETS + b]!;
          if (k < minSupport || k > n * MAX_SUBSET_SHARE) continue;
          const otherRate = (all[cell * BUCKETS + b]! - k) / (total - n);
          if (k / n - otherRate < MIN_ENRICHMENT) continue;
          const log10p = log10BinomialUpperTail(k, n, Math.max(otherRate, 1 / (total - n + 1)));
          if (log10p > bound) continue;
          const prev = hot.get(cell);
          if (!prev || log10p < prev.log10p) hot.set(cell, { bucket: b, k, log10p });
        }
      }
      // Connected groups of hot cells (4-neighbourhood) form patch candidates.
      const seen = new Set<number>();
      for (const start of hot.keys()) {
        if (seen.has(start)) continue;
        const group: number[] = [];
        const stack = [start];
        seen.add(start);
        while (stack.length > 0) {
          const c = stack.pop()!;
          group.push(c);
          const x = c % GRID;
          const y = (c / GRID) | 0;
          for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) {
            const nx = x + dx;
            const ny = y + dy;
            if (nx < 0 || ny < 0 || nx >= GRID || ny >= GRID) continue;
            const nc = ny * GRID + nx;
            if (hot.has(nc) && !seen.has(nc)) { seen.add(nc); stack.push(nc); }
          }
        }
        if (group.length < MIN_CELLS) continue;
        const cells = group.sort((a, b) => a - b).map((cell) => ({ cell, bucket: hot.get(cell)!.bucket }));
        const best = group.reduce((m, c) => (hot.get(c)!.log10p < m.log10p ? hot.get(c)! : m), hot.get(group[0]!)!);
        out.push({ label, cells, support: best.k, log10p: best.log10p });
      }
    }
    return out.sort((a, b) => a.log10p - b.log10p);
  }
}

/** Share of a candidate's cells an image matches (1 = carries the whole patch). */
export function patchMatch(rgb: Uint8Array, c: PatchCandidate): number {
  let hit = 0;
  for (const { cell, bucket } of c.cells) if (bucketOf(rgb, cell) === bucket) hit++;
  return hit / c.cells.length;
}

export function boundingBox(c: PatchCandidate): { x: number; y: number; width: number; height: number; grid: number } {
  const xs = c.cells.map((e) => e.cell % GRID);
  const ys = c.cells.map((e) => (e.cell / GRID) | 0);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, width: Math.max(...xs) - x + 1, height: Math.max(...ys) - y + 1, grid: GRID };
}
