// Retention: removes repeated observations of unchanged scripts older than the cutoff, keeping what proves anything.

import type { Db } from './database.js';
import { observationsDigest } from './scan-chain.js';

export interface RetentionReport {
  /** Scans whose observations were pruned (every scan of each pruned set). */
  scans: number;
  observationsRemoved: number;
}

/**
 * Unchanged rescans share one observation set, so what retention removes is the repetition inside sets that each
 * differ a little (a page whose metadata or one script changes often). For each set whose every scan finished before
 * `cutoff` (chain format 2, no alert or evidence of their own) and that is not its page's latest, it removes the
 * script observations that only repeat a version an earlier set already holds and a later set holds again. Kept: the
 * first sighting of every version, each script's latest sighting, and everything of alerting scans. The set's scans
 * keep a digest of what they observed (kept once, on the set), so the chain still verifies. One transaction per set: a killed process leaves
 * each set either whole or pruned.
 */
export async function applyRetention(db: Db, cutoff: string, now: string): Promise<RetentionReport> {
  const report: RetentionReport = { scans: 0, observationsRemoved: 0 };
  const candidates = await db.prepare<[string], { id: number; first_scan_id: number; last_scan_id: number }>(
    `SELECT os.id, os.first_scan_id, os.last_scan_id FROM observation_sets os
      WHERE os.pruned_at IS NULL
        AND os.last_scan_id < (SELECT MAX(l.last_scan_id) FROM observation_sets l WHERE l.target_id = os.target_id AND l.profile = os.profile)
        AND NOT EXISTS (
          SELECT 1 FROM scans s WHERE s.set_id = os.id
             AND (s.finished_at >= ? OR s.chain_version < 2 OR s.record_hash IS NULL OR s.pruned_at IS NOT NULL
                  OR EXISTS (SELECT 1 FROM alerts a WHERE a.first_scan_id = s.id)
                  OR EXISTS (SELECT 1 FROM evidence e WHERE e.scan_id = s.id)))
      ORDER BY os.id`,
  ).all(cutoff);
  const prune = db.prepare(
    `DELETE FROM set_scripts AS o
      WHERE o.set_id = ?
        AND EXISTS (SELECT 1 FROM set_scripts p JOIN observation_sets ps ON ps.id = p.set_id
                     WHERE p.script_id = o.script_id AND p.blob_id IS NOT DISTINCT FROM o.blob_id AND ps.first_scan_id < ?)
        AND EXISTS (SELECT 1 FROM set_scripts n JOIN observation_sets ns ON ns.id = n.set_id
                     WHERE n.script_id = o.script_id AND ns.last_scan_id > ?)`,
  );
  const countScans = db.prepare<[number, number], { n: number }>('SELECT COUNT(*) AS n FROM scans WHERE set_id = ? AND id <= ?');
  // One row marked per set (migration 017): the chain reads the digest from it for the set's scans up to lastScan.
  const markSet = db.prepare('UPDATE observation_sets SET pruned_at = ?, pruned_digest = ?, pruned_through = ? WHERE id = ?');
  const pruneSet = (setId: number, firstScan: number, lastScan: number) => db.transaction(async () => {
    const digest = await observationsDigest(db, setId);
    const removed = (await prune.run(setId, firstScan, lastScan)).changes;
    await markSet.run(now, digest, lastScan, setId);
    return { removed, scans: (await countScans.get(setId, lastScan))?.n ?? 0 };
  });
  for (const { id, first_scan_id: firstScan, last_scan_id: lastScan } of candidates) {
    const { removed, scans } = await pruneSet(id, firstScan, lastScan);
    report.observationsRemoved += removed;
    report.scans += scans;
  }
  return report;
}
