-- Vantages: each vantage's scheduled runs of a target, kept as a config without vantages keeps them on the schedule
-- row, so that one vantage failing in a row is not hidden by another one succeeding in between.
CREATE TABLE vantage_runs (
  target TEXT COLLATE "C" NOT NULL,
  vantage TEXT COLLATE "C" NOT NULL,
  last_started_at TEXT COLLATE "C",
  last_finished_at TEXT COLLATE "C",
  last_success_at TEXT COLLATE "C",
  consecutive_failures BIGINT NOT NULL DEFAULT 0,
  last_error TEXT COLLATE "C",
  PRIMARY KEY (target, vantage)
);
