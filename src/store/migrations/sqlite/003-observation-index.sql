-- Latest observation per script (inventory, history) without scanning every observation.
CREATE INDEX observations_script ON observations(script_id, scan_id);
CREATE INDEX alerts_first_scan ON alerts(first_scan_id);
