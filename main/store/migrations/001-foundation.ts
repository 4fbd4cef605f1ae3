import type { Migration } from './types.ts';

export const foundation: Migration = {
  version: 1,
  name: 'foundation: cases, artifacts, findings, checklist, evidence, attachments, custody',
  sql: `
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE cases (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  auditor TEXT NOT NULL,
  created_at TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'decided', 'archived'))
) STRICT;

-- A model folder added as one unit; its files are artifacts with set_id and rel_path.
CREATE TABLE artifact_sets (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id),
  name TEXT NOT NULL,
  root_path TEXT NOT NULL,
  root_digest TEXT NOT NULL,
  file_count INTEGER NOT NULL,
  total_size INTEGER NOT NULL,
  added_at TEXT NOT NULL,
  UNIQUE (case_id, root_digest)
) STRICT;

CREATE TABLE artifacts (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id),
  set_id TEXT REFERENCES artifact_sets(id),
  rel_path TEXT,
  display_name TEXT NOT NULL,
  original_path TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  format TEXT NOT NULL,
  format_detail TEXT NOT NULL,
  extension_claim TEXT,
  extension_mismatch INTEGER NOT NULL DEFAULT 0,
  kind TEXT NOT NULL CHECK (kind IN ('model', 'dataset', 'other')),
  storage TEXT NOT NULL CHECK (storage IN ('reference', 'import')),
  -- Content-addressed copy inside the data directory (relative path), for imported artifacts.
  blob_path TEXT,
  -- File mode bits at intake, kept as evidence for P04.
  file_mode INTEGER,
  added_at TEXT NOT NULL,
  added_by TEXT NOT NULL,
  verdict TEXT
) STRICT;
CREATE INDEX artifacts_by_case ON artifacts(case_id);
-- Adding the same content twice is idempotent: once per case for loose files, once per path in a set.
CREATE UNIQUE INDEX artifacts_loose_content ON artifacts(case_id, sha256) WHERE set_id IS NULL;
CREATE UNIQUE INDEX artifacts_set_path ON artifacts(set_id, rel_path) WHERE set_id IS NOT NULL;

CREATE TABLE findings (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id),
  artifact_id TEXT REFERENCES artifacts(id),
  source TEXT NOT NULL,
  rule_id TEXT NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),
  message TEXT NOT NULL,
  location TEXT NOT NULL,
  evidence TEXT,
  -- Stable across re-scans of the same content, so reviews carry over.
  fingerprint TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'false_positive')),
  justification TEXT,
  reviewed_by TEXT,
  reviewed_at TEXT,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX findings_by_case ON findings(case_id);
CREATE INDEX findings_by_artifact ON findings(artifact_id);

CREATE TABLE finding_points (
  finding_id TEXT NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
  point_id TEXT NOT NULL,
  PRIMARY KEY (finding_id, point_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX finding_points_by_point ON finding_points(point_id);

CREATE TABLE checklist_entries (
  case_id TEXT NOT NULL REFERENCES cases(id),
  point_id TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'not_reviewed'
    CHECK (status IN ('not_reviewed', 'pass', 'fail', 'partial', 'not_applicable')),
  notes TEXT NOT NULL DEFAULT '',
  auditor TEXT,
  updated_at TEXT,
  PRIMARY KEY (case_id, point_id)
) STRICT;

CREATE TABLE evidence (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id),
  point_id TEXT NOT NULL,
  source TEXT NOT NULL,
  title TEXT NOT NULL,
  summary TEXT NOT NULL,
  artifact_id TEXT REFERENCES artifacts(id),
  data TEXT NOT NULL,
  suggested_status TEXT,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX evidence_by_case_point ON evidence(case_id, point_id);

CREATE TABLE attachments (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id),
  point_id TEXT,
  name TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  added_at TEXT NOT NULL,
  added_by TEXT NOT NULL
) STRICT;
CREATE INDEX attachments_by_case ON attachments(case_id);

-- The custody log: one hash chain per case ('case:<id>') and one for the workstation.
CREATE TABLE custody_events (
  chain TEXT NOT NULL,
  seq INTEGER NOT NULL,
  case_id TEXT REFERENCES cases(id),
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (chain, seq)
) STRICT;
CREATE INDEX custody_by_case ON custody_events(case_id);

-- Append-only: the database itself refuses edits and deletions through any connection that
-- keeps the schema (tampering with the file directly is what the hash chain detects).
CREATE TRIGGER custody_events_no_update BEFORE UPDATE ON custody_events
BEGIN SELECT RAISE(ABORT, 'custody events are append-only'); END;
CREATE TRIGGER custody_events_no_delete BEFORE DELETE ON custody_events
BEGIN SELECT RAISE(ABORT, 'custody events are append-only'); END;
`,
};
