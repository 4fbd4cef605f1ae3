// The auditor's exclusion list as a file: one row per excluded data row, with the findings that
// led to it, for the data provider or a training pipeline to drop.

export interface ExclusionEntry {
  /** 0-based data-row index (header excluded), or an image's path for image folders. */
  row: number | string;
  ruleIds: readonly string[];
  note?: string;
}

function field(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV with columns `row,rules,note`, sorted by row. */
export function exclusionListCsv(entries: readonly ExclusionEntry[]): string {
  const sorted = [...entries].sort((a, b) => (typeof a.row === 'number' && typeof b.row === 'number' ? a.row - b.row : String(a.row).localeCompare(String(b.row))));
  const lines = ['row,rules,note'];
  for (const e of sorted) lines.push([field(String(e.row)), field(e.ruleIds.join(' ')), field(e.note ?? '')].join(','));
  return `${lines.join('\n')}\n`;
}
