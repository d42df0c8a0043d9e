-- What the behavioural pass saw per scan: the canary report and the runtime signals (JSON blobs).
ALTER TABLE scans ADD COLUMN canary_blob INTEGER REFERENCES blobs(id);
ALTER TABLE scans ADD COLUMN runtime_blob INTEGER REFERENCES blobs(id);
