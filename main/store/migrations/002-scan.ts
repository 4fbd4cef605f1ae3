import type { Migration } from './types.ts';

export const scan: Migration = {
  version: 2,
  name: 'scan: the latest static scan report of each artifact (units and their details for the views)',
  sql: `
CREATE TABLE scan_reports (
  artifact_id TEXT PRIMARY KEY REFERENCES artifacts(id),
  verdict TEXT NOT NULL,
  format TEXT NOT NULL,
  format_detail TEXT NOT NULL,
  -- Every unit scanned (file, archive members, embedded pickles) with its analyzer details.
  units TEXT NOT NULL,
  bytes_read INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  scanned_at TEXT NOT NULL,
  tool_version TEXT NOT NULL
) STRICT;
`,
};
