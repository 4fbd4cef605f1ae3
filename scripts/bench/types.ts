// Contract for `npm run bench`: each scripts/bench/<name>.bench.ts default-exports a Bench.
// Performance claims are ratios against a reference measured in the same run (sha256sum,
// csv-parse, in-process onnxruntime...), never absolute times compared in unit tests.

export interface BenchContext {
  /** A scratch directory on the same disk as the data directory, removed afterwards. */
  tmpDir: string;
  log(line: string): void;
}

export interface BenchResult {
  name: string;
  /** The measured figure, e.g. 0.94 for a ratio or 112 for MB/s. */
  value: number;
  unit: string;
  /** The bound the issue asks for, and whether a higher or a lower value is better. */
  target?: { bound: number; better: 'higher' | 'lower' };
  /** Supporting numbers (times of both sides, sizes, peak memory). */
  detail?: Record<string, number | string>;
}

export interface Bench {
  description: string;
  run(ctx: BenchContext): Promise<BenchResult[]>;
}

export function meetsTarget(r: BenchResult): boolean | null {
  if (!r.target) return null;
  return r.target.better === 'higher' ? r.value >= r.target.bound : r.value <= r.target.bound;
}
