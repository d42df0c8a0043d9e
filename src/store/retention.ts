// Retention: removes observations of unchanged scripts older than the cutoff, keeping what proves anything.

import type { Db } from './database.js';
import { observationsDigest } from './scan-chain.js';

export interface RetentionReport {
  scans: number;
  observationsRemoved: number;
}

/**
 * For each scan finished before `cutoff` (chain format 2, not yet pruned, no alert or evidence of its own), removes
 * the observations that only repeat a script version seen before. Kept: the first sighting of every version, each
 * script's latest sighting, and everything of alerting scans. The scan keeps a digest of what it observed, so the
 * chain still verifies. One transaction per scan: a killed process leaves each scan either whole or pruned.
 */
export function applyRetention(db: Db, cutoff: string, now: string): RetentionReport {
  const report: RetentionReport = { scans: 0, observationsRemoved: 0 };
  const candidates = db.prepare<[string], { id: number }>(
    `SELECT s.id FROM scans s
      WHERE s.finished_at < ? AND s.chain_version >= 2 AND s.pruned_at IS NULL AND s.record_hash IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.first_scan_id = s.id)
        AND NOT EXISTS (SELECT 1 FROM evidence e WHERE e.scan_id = s.id)
      ORDER BY s.id`,
  ).all(cutoff);
  const prune = db.prepare(
    `DELETE FROM observations AS o
      WHERE o.scan_id = ?
        AND EXISTS (SELECT 1 FROM observations p WHERE p.script_id = o.script_id AND p.blob_id IS o.blob_id AND p.scan_id < o.scan_id)
        AND EXISTS (SELECT 1 FROM observations n WHERE n.script_id = o.script_id AND n.scan_id > o.scan_id)`,
  );
  const mark = db.prepare('UPDATE scans SET observations_digest = ?, pruned_at = ? WHERE id = ?');
  const pruneScan = db.transaction((scanId: number) => {
    const digest = observationsDigest(db, scanId);
    const removed = prune.run(scanId).changes;
    mark.run(digest, now, scanId);
    return removed;
  });
  for (const { id } of candidates) {
    report.observationsRemoved += pruneScan(id);
    report.scans++;
  }
  return report;
}
