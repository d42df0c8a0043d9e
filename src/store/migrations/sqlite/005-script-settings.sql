-- Per-script masking settings: rules turned off by the user, and volatile positions learned from repeated loads.
CREATE TABLE script_settings (
  script_id INTEGER PRIMARY KEY REFERENCES scripts(id),
  disabled_rules TEXT NOT NULL DEFAULT '[]',
  learned TEXT NOT NULL DEFAULT '[]',
  updated_at TEXT NOT NULL
);
-- The library a script was last recognised as (JSON: name, version, how, known vulnerabilities), for the inventory.
ALTER TABLE scripts ADD COLUMN library TEXT;
