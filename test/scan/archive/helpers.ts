// Scanning helpers for the container tests: every scan goes through the engine with the real
// analyzer table, as the app does.
import { BufferSource } from '../../../main/core/io/byte-source.ts';
import { scanSource, type ScanReport } from '../../../main/core/scan/engine.ts';
import type { ScanLimits } from '../../../main/core/scan/types.ts';
import type { Finding } from '../../../shared/findings.ts';

export function scan(bytes: Uint8Array, name: string, limits?: Partial<ScanLimits>): Promise<ScanReport> {
  return scanSource(new BufferSource(bytes), { name, ...(limits ? { limits } : {}) });
}

export function ruleIds(r: ScanReport): string[] {
  return [...new Set(r.findings.map((f) => f.ruleId))].sort();
}

export function only(r: ScanReport, ruleId: string): Finding[] {
  return r.findings.filter((f) => f.ruleId === ruleId);
}

/** One line per finding, for assertion messages. */
export function dump(r: ScanReport): string {
  return r.findings.map((f) => `${f.ruleId} [${(f.location.members ?? []).join('!')}] ${f.message}`).join('\n');
}
