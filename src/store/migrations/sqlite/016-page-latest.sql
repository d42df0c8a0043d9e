-- The latest scan of each page and profile, and scans counted by status, kept up to date by each scan's write: the
-- overview, field access, headers and /metrics read one row per page instead of every scan ever written.
CREATE TABLE page_latest (
  target_id INTEGER NOT NULL REFERENCES targets(id),
  profile TEXT NOT NULL,
  last_scan_id INTEGER NOT NULL,
  last_ok_scan_id INTEGER,
  PRIMARY KEY (target_id, profile)
) WITHOUT ROWID;
INSERT INTO page_latest (target_id, profile, last_scan_id, last_ok_scan_id)
  SELECT target_id, profile, MAX(id), MAX(CASE WHEN status = 'ok' THEN id END) FROM scans GROUP BY target_id, profile;

CREATE TABLE scan_counts (
  status TEXT PRIMARY KEY,
  n INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO scan_counts (status, n) SELECT status, COUNT(*) FROM scans GROUP BY status;

-- The inventory lists scripts by target name, profile and first sighting, a page at a time, without sorting them all.
CREATE INDEX scripts_listing ON scripts(target_id, profile, first_seen, id);
