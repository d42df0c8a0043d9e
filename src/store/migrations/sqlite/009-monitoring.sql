-- foreign_keys: off
-- Continuous monitoring: alerts may be resolved (health alerts clear themselves), the schedule survives restarts,
-- evidence is kept per alerting scan, and retention can prune observations without breaking the scan chain.
CREATE TABLE alerts_new (
  id INTEGER PRIMARY KEY,
  target_id INTEGER NOT NULL REFERENCES targets(id),
  profile TEXT NOT NULL,
  type TEXT NOT NULL,
  severity TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'approved', 'rejected', 'resolved')),
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
INSERT INTO alerts_new SELECT * FROM alerts;
DROP TABLE alerts;
ALTER TABLE alerts_new RENAME TO alerts;
CREATE INDEX alerts_dedupe ON alerts(target_id, profile, dedupe_key);
CREATE INDEX alerts_status ON alerts(status, severity);
CREATE INDEX alerts_first_scan ON alerts(first_scan_id);

-- When each target is scanned next, and how its recent scans went.
CREATE TABLE schedule (
  target TEXT PRIMARY KEY,
  next_run_at TEXT NOT NULL,
  last_started_at TEXT,
  last_finished_at TEXT,
  last_success_at TEXT,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  last_error TEXT
);

-- Evidence files of a scan that raised alerts (page HTML, screenshot, HAR, TLS, initiators): never pruned.
CREATE TABLE evidence (
  scan_id INTEGER NOT NULL REFERENCES scans(id),
  name TEXT NOT NULL,
  blob_id INTEGER NOT NULL REFERENCES blobs(id),
  PRIMARY KEY (scan_id, name)
) WITHOUT ROWID;

-- Chain format 2 hashes a digest of the observations, so retention can remove them and keep the digest.
ALTER TABLE scans ADD COLUMN chain_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE scans ADD COLUMN observations_digest TEXT;
ALTER TABLE scans ADD COLUMN pruned_at TEXT;
