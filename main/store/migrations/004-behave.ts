import type { Migration } from './types.ts';

export const behave: Migration = {
  version: 4,
  name: 'behave: sandboxed behaviour runs of artifacts and recorded baselines (per artifact, and the model library)',
  sql: `
-- Every sandboxed behaviour run on an artifact (probe run, backdoor suite, baseline recording,
-- baseline comparison, two versions side by side), with its full result as JSON. The latest run
-- of each kind and subject is current: together they give the artifact's behaviour findings
-- and evidence.
CREATE TABLE behave_runs (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id),
  artifact_id TEXT NOT NULL REFERENCES artifacts(id),
  kind TEXT NOT NULL CHECK (kind IN ('probe', 'backdoor', 'baseline', 'compare', 'side-by-side')),
  -- What the run was about besides the artifact: the baseline compared with, the other version.
  subject TEXT NOT NULL DEFAULT '',
  model_sha256 TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  actor TEXT NOT NULL,
  ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
  isolation_level TEXT,
  result TEXT NOT NULL
) STRICT;
CREATE INDEX behave_runs_by_artifact ON behave_runs(artifact_id, kind, subject, started_at);

-- Recorded outputs on a probe set. With an artifact they belong to its case; without one they
-- are the workstation's model library (runs on files outside any case), keyed by the model's
-- SHA-256 and the baseline's name.
CREATE TABLE behave_baselines (
  id TEXT PRIMARY KEY,
  case_id TEXT REFERENCES cases(id),
  artifact_id TEXT REFERENCES artifacts(id),
  model_sha256 TEXT NOT NULL,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  -- The probe-set rows, output names, fingerprint digest and probe source, for listings.
  info TEXT NOT NULL,
  -- The baseline document (assay-behaviour-baseline/1): probe specification and outputs.
  data TEXT NOT NULL,
  CHECK ((case_id IS NULL) = (artifact_id IS NULL))
) STRICT;
CREATE UNIQUE INDEX behave_baselines_library ON behave_baselines(model_sha256, name) WHERE artifact_id IS NULL;
CREATE UNIQUE INDEX behave_baselines_artifact ON behave_baselines(artifact_id, name) WHERE artifact_id IS NOT NULL;
CREATE INDEX behave_baselines_by_case ON behave_baselines(case_id);
`,
};
