-- Notification deliveries: one row per alert, channel and event, with its attempts (no secrets are stored).
CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  alert_id INTEGER NOT NULL REFERENCES alerts(id),
  channel TEXT NOT NULL,
  channel_key TEXT NOT NULL,
  event TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error TEXT,
  sent_at TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (alert_id, channel_key, event)
);
CREATE INDEX notifications_due ON notifications(status, next_attempt_at);
