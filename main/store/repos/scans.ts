import type { Database } from 'better-sqlite3';
import type { z } from 'zod';
import type { ScanUnitSchema } from '../../../shared/api/methods/scan.ts';
import type { Verdict } from '../../../shared/findings.ts';
import { parseJson, stmt } from '../statements.ts';

export interface StoredScanReport {
  artifactId: string;
  verdict: Verdict;
  format: string;
  formatDetail: string;
  units: z.infer<typeof ScanUnitSchema>[];
  bytesRead: number;
  durationMs: number;
  scannedAt: string;
  toolVersion: string;
}

interface Row {
  artifact_id: string; verdict: Verdict; format: string; format_detail: string; units: string; bytes_read: number;
  duration_ms: number; scanned_at: string; tool_version: string;
}

export function upsertScanReport(db: Database, r: StoredScanReport): void {
  stmt(db, `INSERT INTO scan_reports (artifact_id, verdict, format, format_detail, units, bytes_read, duration_ms, scanned_at, tool_version)
    VALUES (@artifactId, @verdict, @format, @formatDetail, @units, @bytesRead, @durationMs, @scannedAt, @toolVersion)
    ON CONFLICT(artifact_id) DO UPDATE SET verdict = excluded.verdict, format = excluded.format, format_detail = excluded.format_detail,
      units = excluded.units, bytes_read = excluded.bytes_read, duration_ms = excluded.duration_ms, scanned_at = excluded.scanned_at,
      tool_version = excluded.tool_version`).run({ ...r, units: JSON.stringify(r.units) });
}

export function getScanReport(db: Database, artifactId: string): StoredScanReport | null {
  const row = stmt(db, 'SELECT * FROM scan_reports WHERE artifact_id = ?').get(artifactId) as Row | undefined;
  if (!row) return null;
  return {
    artifactId: row.artifact_id, verdict: row.verdict, format: row.format, formatDetail: row.format_detail,
    units: parseJson<StoredScanReport['units']>(row.units) ?? [], bytesRead: row.bytes_read, durationMs: row.duration_ms,
    scannedAt: row.scanned_at, toolVersion: row.tool_version,
  };
}
