import type { Migration } from './types.ts';

export const trust: Migration = {
  version: 3,
  name: 'trust: signing keys (sealed), trust store, verifications, waivers, intake decisions',
  sql: `
-- The auditor's signing keys. 'sealed' is the key-vault JSON (scrypt + AES-256-GCM): the
-- private key is never stored in clear.
CREATE TABLE signing_keys (
  id TEXT PRIMARY KEY,
  label TEXT NOT NULL,
  fingerprint TEXT NOT NULL UNIQUE,
  curve TEXT NOT NULL,
  origin TEXT NOT NULL CHECK (origin IN ('generated', 'imported')),
  public_pem TEXT NOT NULL,
  sealed TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
) STRICT;

-- Publishers' and fellow auditors' public keys and certificate roots.
CREATE TABLE trust_anchors (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('public-key', 'certificate')),
  label TEXT NOT NULL,
  fingerprint TEXT NOT NULL UNIQUE,
  key_fingerprint TEXT NOT NULL,
  curve TEXT,
  subject TEXT,
  not_before TEXT,
  not_after TEXT,
  is_ca INTEGER,
  pem TEXT NOT NULL,
  added_by TEXT NOT NULL,
  added_at TEXT NOT NULL
) STRICT;
CREATE INDEX trust_anchors_by_key ON trust_anchors(key_fingerprint);

-- Signature and digest verifications of a case's models. The latest of each (subject, kind)
-- is current; earlier ones are kept, marked superseded.
CREATE TABLE verifications (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id),
  kind TEXT NOT NULL CHECK (kind IN ('oms', 'sha256sums', 'pasted-digest')),
  subject_key TEXT NOT NULL,
  set_id TEXT REFERENCES artifact_sets(id),
  artifact_id TEXT REFERENCES artifacts(id),
  subject TEXT NOT NULL,
  verified_at TEXT NOT NULL,
  verified_by TEXT NOT NULL,
  ok INTEGER NOT NULL,
  summary TEXT NOT NULL,
  record TEXT NOT NULL,
  result TEXT NOT NULL,
  findings TEXT NOT NULL,
  superseded INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX verifications_by_case ON verifications(case_id, subject_key, kind);

-- One waiver per case and point (replacing one is remove + add, both custody-logged).
CREATE TABLE waivers (
  case_id TEXT NOT NULL REFERENCES cases(id),
  point_id TEXT NOT NULL,
  justification TEXT NOT NULL,
  granted_by TEXT NOT NULL,
  granted_at TEXT NOT NULL,
  PRIMARY KEY (case_id, point_id)
) STRICT;

-- Intake decisions; the latest of a case is in force, earlier ones stay as history.
CREATE TABLE decisions (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id),
  outcome TEXT NOT NULL CHECK (outcome IN ('approved', 'approved-with-conditions', 'rejected')),
  conditions TEXT NOT NULL,
  justification TEXT NOT NULL,
  decided_by TEXT NOT NULL,
  decided_at TEXT NOT NULL,
  -- The policy in force (content, SHA-256, source) and the waivers at decision time, as JSON.
  policy TEXT NOT NULL,
  waivers TEXT NOT NULL
) STRICT;
CREATE INDEX decisions_by_case ON decisions(case_id);
`,
};
