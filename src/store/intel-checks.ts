// Storage of the intel re-check: what the intelligence was at the last check, what was approved before (script
// versions and destination hosts), and the intel.match alerts a new entry raises, written with the check in one
// transaction.

import type { Blobs } from './blobs.js';
import type { Db } from './database.js';
import { readAlert, type AlertWithDetails } from './alerts.js';
import { insertLateAlert } from './late-alerts.js';
import type { ApprovedHost, ApprovedVersion, IntelHit } from '../detect/intel-hits.js';

/** The last check of one kind; its state (large: the last list, or every version's vulnerabilities) is read on demand. */
export interface IntelCheck { digest: string; state(): Promise<unknown>; checkedAt: string }

export async function readIntelCheck(db: Db, blobs: Blobs, kind: string): Promise<IntelCheck | null> {
  const row = await db.prepare<[string], { digest: string; state_blob: number | null; checked_at: string }>('SELECT digest, state_blob, checked_at FROM intel_checks WHERE kind = ?').get(kind);
  return row ? { digest: row.digest, state: () => blobs.json(row.state_blob === null ? null : Number(row.state_blob)), checkedAt: row.checked_at } : null;
}

export async function approvedVersions(db: Db): Promise<ApprovedVersion[]> {
  return (await db.prepare<[], { target_id: number; target: string; page: string; profile: string; key: string; url: string | null; sha256: string; decided_at: string | null; first_seen: string }>(
    `SELECT bl.target_id, t.name AS target, t.url AS page, bl.profile, bl.subject_key AS key, s.url, bl.value AS sha256, bl.decided_at, s.first_seen
       FROM baseline bl JOIN targets t ON t.id = bl.target_id JOIN scripts s ON s.target_id = bl.target_id AND s.profile = bl.profile AND s.key = bl.subject_key
      WHERE bl.subject_type = 'script' AND bl.state = 'approved' ORDER BY bl.id`,
  ).all()).map((r) => ({ targetId: Number(r.target_id), target: r.target, page: r.page, profile: r.profile, key: r.key, url: r.url, sha256: r.sha256, approvedAt: r.decided_at, firstSeen: r.first_seen }));
}

export async function approvedHosts(db: Db): Promise<ApprovedHost[]> {
  return (await db.prepare<[], { target_id: number; target: string; page: string; profile: string; host: string; decided_at: string | null }>(
    `SELECT bl.target_id, t.name AS target, t.url AS page, bl.profile, bl.subject_key AS host, bl.decided_at
       FROM baseline bl JOIN targets t ON t.id = bl.target_id WHERE bl.subject_type = 'host' AND bl.state = 'approved' ORDER BY bl.id`,
  ).all()).map((r) => ({ targetId: Number(r.target_id), target: r.target, page: r.page, profile: r.profile, host: r.host, approvedAt: r.decided_at }));
}

/**
 * Records the check (`digest`, and `state` to compare the next one with) and raises one open alert per hit that has
 * none yet, in one transaction; returns the alerts raised.
 */
export async function recordIntelCheck(db: Db, blobs: Blobs, kind: string, digest: string, state: unknown, hits: IntelHit[], now: string): Promise<AlertWithDetails[]> {
  return db.transaction(async () => {
    const stateBlob = await blobs.putJson(state);
    await db.prepare('INSERT INTO intel_checks (kind, digest, state_blob, checked_at) VALUES (?, ?, ?, ?) ON CONFLICT (kind) DO UPDATE SET digest = excluded.digest, state_blob = excluded.state_blob, checked_at = excluded.checked_at')
      .run(kind, digest, stateBlob, now);
    const raised: number[] = [];
    for (const hit of hits) {
      const id = await insertLateAlert(db, 'intel.match', hit, now);
      if (id !== null) raised.push(id);
    }
    const out: AlertWithDetails[] = [];
    for (const id of raised) {
      const alert = await readAlert(db, id);
      if (alert) out.push(alert);
    }
    return out;
  });
}
