-- What a successful scan could not see in full (limits, scripts that failed to load), as a JSON list of lines.
ALTER TABLE scans ADD COLUMN warnings TEXT;
