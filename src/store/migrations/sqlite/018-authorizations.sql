-- Per-script authorization (PCI DSS 6.4.3) and approvals that need more than one person.
-- A script's newest authorization row is its authorization (why it may run, who said so, when); older rows are its
-- history. It belongs to the script, not to a version, so a new approved version keeps the reason the script exists.
CREATE TABLE script_authorizations (
  id INTEGER PRIMARY KEY,
  script_id INTEGER NOT NULL REFERENCES scripts(id),
  justification TEXT,
  authorized_by TEXT NOT NULL,
  authorized_at TEXT NOT NULL,
  -- 1 when given by `approve --all` for a whole first baseline: a justification for the lot, not for this script.
  bulk INTEGER NOT NULL DEFAULT 0,
  -- How the script was chosen: `script`, `host H`, `vendor V`, `target T`, `kind K`, `alert N`, `approve --all`.
  selector TEXT NOT NULL
);
CREATE INDEX script_authorizations_script ON script_authorizations (script_id, id);

-- Approvals given so far to an alert that needs more than one (approvals.required); one per person.
CREATE TABLE alert_approvals (
  alert_id INTEGER NOT NULL REFERENCES alerts(id),
  approved_by TEXT NOT NULL,
  approved_at TEXT NOT NULL,
  note TEXT,
  PRIMARY KEY (alert_id, approved_by)
) WITHOUT ROWID;

-- Scripts approved before per-script authorization: the note of the approval that first accepted them becomes their
-- justification. A pending entry approved in bulk (no alert) counts as bulk-approved.
INSERT INTO script_authorizations (script_id, justification, authorized_by, authorized_at, bulk, selector)
SELECT s.id, b.note, b.decided_by, b.decided_at, CASE WHEN b.alert_id IS NULL THEN 1 ELSE 0 END,
       CASE WHEN b.alert_id IS NULL THEN 'approve --all' ELSE 'alert ' || b.alert_id END
  FROM scripts s
  JOIN baseline b ON b.id = (SELECT id FROM baseline x
                              WHERE x.target_id = s.target_id AND x.profile = s.profile AND x.subject_type = 'script'
                                AND x.subject_key = s.key AND x.state = 'approved' AND x.decided_by IS NOT NULL
                              ORDER BY x.decided_at, x.id LIMIT 1);
