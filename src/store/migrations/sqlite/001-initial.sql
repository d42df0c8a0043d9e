-- Initial schema: targets, scans, content-addressed blobs, script identities, observations, baselines, alerts.

CREATE TABLE targets (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  url TEXT NOT NULL,
  type TEXT NOT NULL,
  created_at TEXT NOT NULL
);

-- Content stored once per SHA-256: script bodies and JSON metadata (headers, initiators).
CREATE TABLE blobs (
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL UNIQUE,
  size INTEGER NOT NULL,
  encoding TEXT NOT NULL,
  data BLOB NOT NULL
);

CREATE TABLE scans (
  id INTEGER PRIMARY KEY,
  target_id INTEGER NOT NULL REFERENCES targets(id),
  profile TEXT NOT NULL,
  url TEXT NOT NULL,
  final_url TEXT,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
  error_code TEXT,
  error_message TEXT,
  http_status INTEGER,
  payment_form INTEGER NOT NULL DEFAULT 0,
  script_count INTEGER NOT NULL DEFAULT 0,
  headers_blob INTEGER REFERENCES blobs(id),
  forms_blob INTEGER REFERENCES blobs(id)
);
CREATE INDEX scans_target ON scans(target_id, profile, id);

-- One row per script identity per target and profile.
CREATE TABLE scripts (
  id INTEGER PRIMARY KEY,
  target_id INTEGER NOT NULL REFERENCES targets(id),
  profile TEXT NOT NULL,
  key TEXT NOT NULL,
  kind TEXT NOT NULL,
  url TEXT,
  frame_url TEXT NOT NULL,
  label TEXT NOT NULL,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  last_blob INTEGER REFERENCES blobs(id),
  missing_streak INTEGER NOT NULL DEFAULT 0,
  retired_at TEXT,
  UNIQUE (target_id, profile, key)
);

-- What each successful scan saw: compact rows, bodies and metadata by reference.
CREATE TABLE observations (
  scan_id INTEGER NOT NULL,
  script_id INTEGER NOT NULL,
  blob_id INTEGER,
  meta_id INTEGER,
  PRIMARY KEY (scan_id, script_id)
) WITHOUT ROWID;

CREATE TABLE destinations (
  id INTEGER PRIMARY KEY,
  target_id INTEGER NOT NULL REFERENCES targets(id),
  profile TEXT NOT NULL,
  host TEXT NOT NULL,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  UNIQUE (target_id, profile, host)
);

CREATE TABLE destination_observations (
  scan_id INTEGER NOT NULL,
  destination_id INTEGER NOT NULL,
  meta_id INTEGER NOT NULL,
  PRIMARY KEY (scan_id, destination_id)
) WITHOUT ROWID;

-- Accepted values per subject: a script version (sha256), a header value (JSON), a destination host ('').
CREATE TABLE baseline (
  id INTEGER PRIMARY KEY,
  target_id INTEGER NOT NULL REFERENCES targets(id),
  profile TEXT NOT NULL,
  subject_type TEXT NOT NULL CHECK (subject_type IN ('script', 'header', 'host')),
  subject_key TEXT NOT NULL,
  value TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'approved')),
  created_at TEXT NOT NULL,
  decided_by TEXT,
  decided_at TEXT,
  note TEXT,
  alert_id INTEGER,
  UNIQUE (target_id, profile, subject_type, subject_key, value)
);

CREATE TABLE alerts (
  id INTEGER PRIMARY KEY,
  target_id INTEGER NOT NULL REFERENCES targets(id),
  profile TEXT NOT NULL,
  type TEXT NOT NULL,
  severity TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'approved', 'rejected')),
  page TEXT NOT NULL,
  subject TEXT NOT NULL,
  subject_type TEXT NOT NULL,
  subject_key TEXT NOT NULL,
  summary TEXT NOT NULL,
  dedupe_key TEXT NOT NULL,
  old_value TEXT,
  new_value TEXT,
  details TEXT NOT NULL DEFAULT '{}',
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  first_scan_id INTEGER NOT NULL,
  last_scan_id INTEGER NOT NULL,
  decided_by TEXT,
  decided_at TEXT,
  note TEXT
);
CREATE INDEX alerts_dedupe ON alerts(target_id, profile, dedupe_key);
CREATE INDEX alerts_status ON alerts(status, severity);
