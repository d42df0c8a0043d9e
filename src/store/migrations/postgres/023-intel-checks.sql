-- What the intelligence (known-bad hosts, library data) was when everything stored was last checked against it, so
-- that an entry it gains later is looked for in what was approved before.
CREATE TABLE intel_checks (
  kind TEXT COLLATE "C" PRIMARY KEY,
  digest TEXT COLLATE "C" NOT NULL,
  state_blob BIGINT REFERENCES blobs(id),
  checked_at TEXT COLLATE "C" NOT NULL
);
