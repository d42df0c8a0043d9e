// Alerts raised after the fact, outside any scan (an intel match, what visitors reported): one open alert per dedupe
// key, tied to the page's latest scan for display but not part of that scan's hash record (see scan-chain).

import type { Db } from './database.js';
import type { SqlValue } from './sql.js';

/** Types raised after the fact, which scan records leave out (besides target.unhealthy, the scheduler's verdict). */
export const LATE_ALERT_TYPES = ['intel.match', 'visitor.unseen-script', 'visitor.unseen-destination'] as const;

export interface LateAlert {
  targetId: number; profile: string; page: string; subject: string; subjectType: 'script' | 'host'; severity: string;
  summary: string; dedupeKey: string; sha256: string | null; details: Record<string, unknown>;
}

/** Inserts the alert unless one with its dedupe key exists (in the caller's transaction); its id, or null. */
export async function insertLateAlert(db: Db, type: (typeof LATE_ALERT_TYPES)[number], alert: LateAlert, now: string): Promise<number | null> {
  const exists = await db.prepare<[number, string, string], { id: number }>('SELECT id FROM alerts WHERE target_id = ? AND profile = ? AND dedupe_key = ?').get(alert.targetId, alert.profile, alert.dedupeKey);
  if (exists) return null;
  const lastScan = (await db.prepare<[number], { id: number }>('SELECT id FROM scans WHERE target_id = ? ORDER BY id DESC LIMIT 1').get(alert.targetId))?.id ?? 0;
  return Number((await db.prepare<SqlValue[], { id: number }>(
    `INSERT INTO alerts (target_id, profile, type, severity, status, page, subject, subject_type, subject_key, summary, dedupe_key, old_value, new_value,
       details, first_seen, last_seen, first_scan_id, last_scan_id)
     VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?) RETURNING id`,
  ).get(alert.targetId, alert.profile, type, alert.severity, alert.page, alert.subject, alert.subjectType, alert.subject, alert.summary.slice(0, 1000), alert.dedupeKey, alert.sha256,
    JSON.stringify(alert.details), now, now, Number(lastScan), Number(lastScan)))!.id);
}
