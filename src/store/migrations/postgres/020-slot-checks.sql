-- Vantages: a target's scheduled slot scanned from several vantages (by different workers) is compared across them
-- once, by whichever scan of the slot reported last.
CREATE TABLE slot_checks (
  target_id BIGINT NOT NULL REFERENCES targets(id),
  slot TEXT COLLATE "C" NOT NULL,
  checked_at TEXT COLLATE "C" NOT NULL,
  flagged BIGINT NOT NULL,
  PRIMARY KEY (target_id, slot)
);
