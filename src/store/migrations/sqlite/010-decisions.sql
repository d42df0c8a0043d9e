-- Every approval and rejection of an alert, in order, for the incident timeline (the alert row keeps only the latest).
CREATE TABLE alert_decisions (
  id INTEGER PRIMARY KEY,
  alert_id INTEGER NOT NULL REFERENCES alerts(id),
  status TEXT NOT NULL,
  decided_by TEXT NOT NULL,
  decided_at TEXT NOT NULL,
  note TEXT
);
CREATE INDEX alert_decisions_alert ON alert_decisions(alert_id, id);
-- Decisions made before this table existed: the one each alert row remembers.
INSERT INTO alert_decisions (alert_id, status, decided_by, decided_at, note)
  SELECT id, status, decided_by, decided_at, note FROM alerts WHERE decided_at IS NOT NULL ORDER BY decided_at, id;
