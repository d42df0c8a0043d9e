-- What visitors' browsers report (CSP reports): a random key per target for its report URL, and each distinct report
-- once, counted, with whether the crawler's record explains it.
CREATE TABLE report_keys (
  target TEXT PRIMARY KEY,
  report_key TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL
);

CREATE TABLE visitor_reports (
  id INTEGER PRIMARY KEY,
  target TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  kind TEXT NOT NULL,
  blocked TEXT NOT NULL,
  directive TEXT NOT NULL,
  document TEXT NOT NULL,
  source TEXT,
  line INTEGER,
  sample TEXT,
  ua_family TEXT NOT NULL,
  device TEXT NOT NULL,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  count INTEGER NOT NULL,
  explained TEXT,
  UNIQUE (target, fingerprint)
);
CREATE INDEX visitor_reports_seen ON visitor_reports (target, last_seen);
