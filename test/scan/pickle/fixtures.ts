// Builds the pickle fixtures once per test process with python3 (stdlib only) into a temp dir,
// and scans them through the real engine with the pickle scanner's analyzers.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BufferSource } from '../../../main/core/io/byte-source.ts';
import { scanSource, type ScanReport } from '../../../main/core/scan/engine.ts';
import { npyAnalyzer } from '../../../main/core/scan/numpy/analyzer.ts';
import { legacyTorchAnalyzer, pickleAnalyzer } from '../../../main/core/scan/pickle/index.ts';
import type { Finding } from '../../../shared/findings.ts';

const GENERATOR = new URL('../../fixtures/pickle/gen.py', import.meta.url).pathname;

export interface ManifestEntry {
  note: string;
  size: number;
  protocol?: number;
  callable?: string;
  rule?: string;
  deny?: boolean;
}

let dir: string | null = null;

export function fixturesDir(): string {
  if (dir) return dir;
  const d = mkdtempSync(join(tmpdir(), 'assay-pickle-'));
  execFileSync('python3', [GENERATOR, d], { stdio: ['ignore', 'ignore', 'inherit'] });
  process.on('exit', () => rmSync(d, { recursive: true, force: true }));
  dir = d;
  return d;
}

export function manifest(): Record<string, ManifestEntry> {
  return JSON.parse(readFileSync(join(fixturesDir(), 'manifest.json'), 'utf8')) as Record<string, ManifestEntry>;
}

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(fixturesDir(), name)));
}

export const PICKLE_ANALYZERS = [pickleAnalyzer, legacyTorchAnalyzer, npyAnalyzer];

/** Scans bytes through the engine; by default with the pickle scanner's analyzers only. */
export async function scanBytes(bytes: Uint8Array, name: string, allAnalyzers = false): Promise<ScanReport> {
  return scanSource(new BufferSource(bytes), { name, ...(allAnalyzers ? {} : { analyzers: PICKLE_ANALYZERS }) });
}

export async function scanFixture(name: string): Promise<ScanReport> {
  return scanBytes(fixture(name), name);
}

export function rules(r: ScanReport): string[] {
  return [...new Set(r.findings.map((f) => f.ruleId))].sort();
}

export function findingsOf(r: ScanReport, ruleId: string): Finding[] {
  return r.findings.filter((f) => f.ruleId === ruleId);
}

/** Assertion message helper: the findings in one line each. */
export function dump(r: ScanReport): string {
  return r.findings.map((f) => `${f.severity} ${f.ruleId} ${JSON.stringify(f.location)} ${f.message}`).join('\n');
}
