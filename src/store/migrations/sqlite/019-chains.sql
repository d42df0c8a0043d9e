-- Chain format 3: one scan chain per target and profile with a gapless sequence, so that writers on many machines do
-- not fork one chain; anchors chain the heads of every chain that moved. A scheduled scan names its slot, once.
ALTER TABLE scans ADD COLUMN chain_seq INTEGER;
ALTER TABLE scans ADD COLUMN slot TEXT;
CREATE UNIQUE INDEX scans_chain ON scans (target_id, profile, chain_seq) WHERE chain_seq IS NOT NULL;
CREATE UNIQUE INDEX scans_slot ON scans (target_id, profile, slot) WHERE slot IS NOT NULL;

CREATE TABLE chain_heads (
  target_id INTEGER NOT NULL REFERENCES targets(id),
  profile TEXT NOT NULL,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  anchored_seq INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (target_id, profile)
);

CREATE TABLE chain_anchors (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  heads_blob INTEGER NOT NULL REFERENCES blobs(id),
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TRIGGER chain_anchors_no_update BEFORE UPDATE ON chain_anchors BEGIN SELECT RAISE(ABORT, 'the anchor log is append-only'); END;
CREATE TRIGGER chain_anchors_no_delete BEFORE DELETE ON chain_anchors BEGIN SELECT RAISE(ABORT, 'the anchor log is append-only'); END;
