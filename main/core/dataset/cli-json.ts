// The JSON document `assay data scan --format json` prints, and the exit code rule.
import { atLeast, formatLocation } from '../../../shared/findings.ts';
import type { PointId } from '../../../shared/checklist/points.ts';
import type { DatasetReport, DatasetSchema } from './types.ts';

export interface CliFinding {
  ruleId: string;
  severity: string;
  message: string;
  column: string | null;
  /** 0-based data-row indices (header excluded); capped, see `rowCount`. */
  rows: number[];
  checklist: PointId[];
}

export interface CliDocument {
  dataset: DatasetSchema & { pii: DatasetReport['pii']; charts: DatasetReport['charts'] };
  findings: CliFinding[];
}

export function cliDocument(report: DatasetReport): CliDocument {
  return {
    dataset: { ...report.dataset, pii: report.pii, charts: report.charts },
    findings: report.findings.map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      message: f.message,
      column: f.location.field ?? null,
      rows: f.location.rows ?? [],
      checklist: [...f.checklist],
    })),
  };
}

/** The document as printed (pretty JSON with a trailing newline). */
export function renderDatasetJson(report: DatasetReport): string {
  return `${JSON.stringify(cliDocument(report), null, 2)}\n`;
}

/** 1 when any finding is high or critical, else 0. */
export function datasetExitCode(report: DatasetReport): number {
  return report.findings.some((f) => atLeast(f.severity, 'high')) ? 1 : 0;
}

/** A short text rendering for `--format text`. */
export function renderDatasetText(report: DatasetReport): string {
  const d = report.dataset;
  const lines: string[] = [];
  lines.push(`${d.name}: ${d.formatDetail}; ${d.rowCount.toLocaleString('en-US')} rows; sha256 ${d.sha256}`);
  lines.push(`label: ${d.label.name ?? '(none)'}${d.label.guessed ? ` (guessed: ${d.label.reason})` : ''}`);
  for (const c of d.columns) {
    lines.push(`  ${c.name} [${c.type}${c.role !== 'other' ? `, ${c.role}` : ''}] nulls ${(c.nullRate * 100).toFixed(1)}%, distinct ${c.distinctApprox ? '~' : ''}${c.distinctCount}${c.pii.length > 0 ? `, PII: ${c.pii.join(', ')}` : ''}${c.examples.length > 0 ? `; e.g. ${c.examples.join(' | ')}` : ''}`);
  }
  if (report.findings.length === 0) lines.push('no findings');
  for (const f of report.findings) {
    const where = formatLocation(f.location);
    lines.push(`${f.severity.toUpperCase()} ${f.ruleId}${where ? ` @ ${where}` : ''}: ${f.message}`);
  }
  return `${lines.join('\n')}\n`;
}
