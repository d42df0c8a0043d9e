-- Provenance (targets[].expect): the SHA-256 of the true bytes each source gave when last fetched (a URL, a file of
-- an npm release); the bytes themselves are blobs, stored once like any body.
CREATE TABLE provenance_sources (
  source TEXT COLLATE "C" PRIMARY KEY,
  sha256 TEXT COLLATE "C" NOT NULL,
  fetched_at TEXT COLLATE "C" NOT NULL
);
