import type { Migration } from './types.ts';

export const dataset: Migration = {
  version: 5,
  name: 'dataset: provenance records, latest dataset scans, row reviews, per-case pseudonym keys',
  sql: `
-- One record per dataset of a case (P01): a dataset file (artifact_id) or an image folder
-- (set_id); its id is that artifact's or set's id. Provenance typed by the auditor, the file
-- digests, and for a masked export the dataset it was derived from and how. Nothing secret and
-- no raw dataset value is kept here: the audit bundle copies these rows as they are.
CREATE TABLE dataset_records (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id),
  artifact_id TEXT REFERENCES artifacts(id),
  set_id TEXT REFERENCES artifact_sets(id),
  name TEXT NOT NULL,
  source TEXT NOT NULL DEFAULT '',
  licence TEXT NOT NULL DEFAULT '',
  collector TEXT NOT NULL DEFAULT '',
  labeller TEXT NOT NULL DEFAULT '',
  collected_from TEXT,
  collected_to TEXT,
  access_notes TEXT NOT NULL DEFAULT '',
  -- JSON [{path, sha256, size}]: every file of the dataset as recorded at intake.
  digests TEXT NOT NULL,
  derived_from TEXT REFERENCES dataset_records(id),
  -- JSON: the masked export that produced this dataset (detectors, mode, both digests...).
  transformation TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT,
  updated_by TEXT,
  CHECK ((artifact_id IS NULL) <> (set_id IS NULL))
) STRICT;
CREATE INDEX dataset_records_by_case ON dataset_records(case_id);
CREATE INDEX dataset_records_by_source ON dataset_records(derived_from);

-- The latest dataset scan of each dataset: schema, PII by column (masked samples only), chart
-- data and indicator coverage as JSON. Its findings are in \`findings\` (source 'dataset').
CREATE TABLE dataset_scans (
  dataset_id TEXT PRIMARY KEY REFERENCES dataset_records(id),
  case_id TEXT NOT NULL REFERENCES cases(id),
  sha256 TEXT NOT NULL,
  label_requested TEXT,
  phone_region TEXT,
  report TEXT NOT NULL,
  findings INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  scanned_at TEXT NOT NULL,
  scanned_by TEXT NOT NULL,
  tool_version TEXT NOT NULL
) STRICT;

-- The auditor's decision on flagged rows (0-based data rows; files of an image folder in the
-- order of the scan). A row with no entry is open.
CREATE TABLE dataset_row_reviews (
  dataset_id TEXT NOT NULL REFERENCES dataset_records(id),
  row INTEGER NOT NULL CHECK (row >= 0),
  status TEXT NOT NULL CHECK (status IN ('reviewed', 'excluded')),
  rule_ids TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  reviewed_by TEXT NOT NULL,
  reviewed_at TEXT NOT NULL,
  PRIMARY KEY (dataset_id, row)
) STRICT, WITHOUT ROWID;

-- Random keys for consistent pseudonyms in masked exports: one per case ('case:<id>') and one
-- for exports outside any case ('workstation'). Never shown, logged or exported.
CREATE TABLE pseudonym_keys (
  scope TEXT PRIMARY KEY,
  key BLOB NOT NULL CHECK (length(key) >= 16),
  created_at TEXT NOT NULL
) STRICT;
`,
};
