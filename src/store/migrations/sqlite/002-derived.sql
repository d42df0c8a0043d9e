-- Derived content cached per source blob (for example beautified code), itself stored as a blob.
CREATE TABLE derived (
  source_blob INTEGER NOT NULL REFERENCES blobs(id),
  kind TEXT NOT NULL,
  blob_id INTEGER NOT NULL REFERENCES blobs(id),
  PRIMARY KEY (source_blob, kind)
) WITHOUT ROWID;
