-- Published npm releases fetched to verify library files byte for byte: one row per release, one per file it ships.
CREATE TABLE published_releases (
  package TEXT NOT NULL,
  version TEXT NOT NULL,
  -- 'ok': the tarball was read; 'missing': the registry has no such release.
  status TEXT NOT NULL CHECK (status IN ('ok', 'missing')),
  registry TEXT NOT NULL,
  fetched_at TEXT NOT NULL,
  PRIMARY KEY (package, version)
);

CREATE TABLE published_files (
  package TEXT NOT NULL,
  version TEXT NOT NULL,
  path TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  PRIMARY KEY (package, version, path),
  FOREIGN KEY (package, version) REFERENCES published_releases(package, version) ON DELETE CASCADE
);
CREATE INDEX published_files_sha ON published_files(sha256);
