-- Observation sets: each distinct set of what a scan saw (its scripts and destinations, with their metadata) is stored
-- once per target and profile, by its digest, and scans point at it. An unchanged rescan then writes its scan row and
-- nothing per script. The rows of the tables this replaces are moved by the migration's data step (observation-sets.ts).

CREATE TABLE observation_sets (
  id INTEGER PRIMARY KEY,
  target_id INTEGER NOT NULL REFERENCES targets(id),
  profile TEXT NOT NULL,
  digest TEXT NOT NULL,
  first_scan_id INTEGER NOT NULL,
  last_scan_id INTEGER NOT NULL,
  -- When a scan with this set last finished: a script's or destination's last sighting is its latest set's.
  last_seen TEXT NOT NULL,
  pruned_at TEXT,
  UNIQUE (target_id, profile, digest)
);

CREATE TABLE set_scripts (
  set_id INTEGER NOT NULL,
  script_id INTEGER NOT NULL,
  blob_id INTEGER,
  meta_id INTEGER,
  PRIMARY KEY (set_id, script_id)
) WITHOUT ROWID;
CREATE INDEX set_scripts_script ON set_scripts(script_id, set_id);

CREATE TABLE set_destinations (
  set_id INTEGER NOT NULL,
  destination_id INTEGER NOT NULL,
  meta_id INTEGER NOT NULL,
  PRIMARY KEY (set_id, destination_id)
) WITHOUT ROWID;
CREATE INDEX set_destinations_destination ON set_destinations(destination_id, set_id);

ALTER TABLE scans ADD COLUMN set_id INTEGER REFERENCES observation_sets(id);
CREATE INDEX scans_set ON scans(set_id) WHERE set_id IS NOT NULL;
