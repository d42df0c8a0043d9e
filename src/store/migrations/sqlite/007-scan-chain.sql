-- Tamper evidence: each scan record carries the hash of the one before it (scan-chain.ts).
ALTER TABLE scans ADD COLUMN prev_hash TEXT;
ALTER TABLE scans ADD COLUMN record_hash TEXT;
