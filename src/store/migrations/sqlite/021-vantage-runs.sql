-- Vantages: each vantage's scheduled runs of a target, kept as a config without vantages keeps them on the schedule
-- row, so that one vantage failing in a row is not hidden by another one succeeding in between.
CREATE TABLE vantage_runs (
  target TEXT NOT NULL,
  vantage TEXT NOT NULL,
  last_started_at TEXT,
  last_finished_at TEXT,
  last_success_at TEXT,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  PRIMARY KEY (target, vantage)
);
