// Writes one ScanPlan in one transaction: scan row, blobs, its observation set, baseline entries, alerts.

import type { PlannedAlert, ScanPlan } from '../plan/plan.js';
import type { AlertWithDetails } from './alerts.js';
import { readAlert, repeatedAlertId } from './alerts.js';
import type { Blobs } from './blobs.js';
import type { Db } from './database.js';
import type { SqlValue } from './sql.js';
import { writeScriptSettings } from './script-settings.js';
import { upsertTarget } from './targets.js';
import { chainScan, type ChainMemo } from './scan-chain.js';
import { putEvidence } from './evidence.js';
import { recordObservations, type PlannedEntries } from './observation-sets.js';
import { ScriptwardenError } from '../errors.js';

export interface ApplyResult {
  scanId: number;
  newAlerts: AlertWithDetails[];
  repeatedAlerts: AlertWithDetails[];
}

/** What one open store remembers between writes: sets' chain records, metadata hashes. */
export interface WriteMemo { chain: ChainMemo; hashMeta: (meta: string) => string; entries: WeakMap<object, PlannedEntries> }

/** `slot`: the scheduled time a scan is for; a slot already recorded for the page is refused (SCAN_DUPLICATE). */
export async function applyPlan(db: Db, blobs: Blobs, plan: ScanPlan, now: string, memo?: WriteMemo, slot: string | null = null): Promise<ApplyResult> {
  return db.transaction(async (): Promise<ApplyResult> => {
    const target = await upsertTarget(db, plan.target, now);
    const scan = plan.scan;
    if (slot !== null) {
      // Under the write lock, so the check and the insert are one step; the unique index backs it.
      const recorded = await db.prepare<[number, string, string], { id: number }>('SELECT id FROM scans WHERE target_id = ? AND profile = ? AND slot = ?').get(target, plan.profile, slot);
      if (recorded) throw new ScriptwardenError('SCAN_DUPLICATE', `the ${slot} slot of ${plan.target.name} (${plan.profile}) is already recorded, by scan #${recorded.id}: this scan of it was not recorded`);
    }
    const scanId = (
      (await db
        .prepare<SqlValue[], { id: number }>(
          // Scan ids have no gaps, so verify reads a gap as a removed scan: the next id is taken under the write lock,
          // not from PostgreSQL's sequence, which a rolled-back (killed) scan would have advanced all the same.
          `INSERT INTO scans (id, target_id, profile, url, final_url, started_at, finished_at, status, error_code, error_message,
                              http_status, payment_form, script_count, headers_blob, forms_blob, warnings, slot)
           VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM scans), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
        )
        .get(
          target, plan.profile, scan.url, scan.finalUrl, scan.startedAt, scan.finishedAt, scan.status, scan.errorCode,
          scan.errorMessage, scan.httpStatus, scan.paymentForm ? 1 : 0, plan.scripts.length,
          scan.status === 'ok' ? await blobs.putJson(scan.headers) : null,
          scan.status === 'ok' ? await blobs.putJson(scan.forms) : null,
          scan.warnings.length ? JSON.stringify(scan.warnings.slice(0, 100)) : null, slot,
        ))
    )!.id;
    // The page's latest scan and the count by status, read by the overview and /metrics (migration 016).
    await db.prepare(
      `INSERT INTO page_latest (target_id, profile, last_scan_id, last_ok_scan_id) VALUES (?, ?, ?, ?)
       ON CONFLICT (target_id, profile) DO UPDATE SET last_scan_id = excluded.last_scan_id, last_ok_scan_id = COALESCE(excluded.last_ok_scan_id, page_latest.last_ok_scan_id)`,
    ).run(target, plan.profile, scanId, scan.status === 'ok' ? scanId : null);
    await db.prepare('INSERT INTO scan_counts (status, n) VALUES (?, 1) ON CONFLICT (status) DO UPDATE SET n = scan_counts.n + 1').run(scan.status);
    if (scan.status !== 'ok') {
      await chainScan(db, scanId, memo?.chain);
      return { scanId, newAlerts: [], repeatedAlerts: [] };
    }
    if (scan.canary || scan.runtime.length) {
      await db.prepare('UPDATE scans SET canary_blob = ?, runtime_blob = ? WHERE id = ?').run(
        scan.canary ? await blobs.putJson(scan.canary) : null, scan.runtime.length ? await blobs.putJson(scan.runtime) : null, scanId,
      );
    }

    // Bodies are stored once per SHA-256, when a scan is the first to hold them (a reused set's are all stored).
    const blobIds = new Map<string, number>();
    const blobIdOf = async (sha: string): Promise<number> => {
      let id = blobIds.get(sha);
      if (id === undefined) blobIds.set(sha, id = await blobs.put(plan.bodies.get(sha)!, sha));
      return id;
    };
    const { reused } = await recordObservations(db, blobs, scanId, target, plan, blobIdOf, memo?.hashMeta, memo?.entries);
    if (!reused) for (const sha of plan.bodies.keys()) await blobIdOf(sha);
    const streak = db.prepare('UPDATE scripts SET missing_streak = ? WHERE id = ?');
    for (const missing of plan.missing) await streak.run(missing.missingStreak, missing.id);

    const addBaseline = db.prepare(
      `INSERT INTO baseline (target_id, profile, subject_type, subject_key, value, normalized, state, created_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT (target_id, profile, subject_type, subject_key, value) DO NOTHING`,
    );
    for (const add of plan.baselineAdds) await addBaseline.run(target, plan.profile, add.subjectType, add.subjectKey, add.value, add.normalized ?? null, now);

    const settingsOf = db.prepare<[number, string, string], { id: number }>('SELECT id FROM scripts WHERE target_id = ? AND profile = ? AND key = ?');
    for (const { key, settings } of plan.learned) {
      const row = await settingsOf.get(target, plan.profile, key);
      if (row) await writeScriptSettings(db, row.id, settings, now);
    }

    const newAlerts: AlertWithDetails[] = [];
    const repeatedAlerts: AlertWithDetails[] = [];
    // A change approved while this scan was being judged (by another process, on a shared database) is not raised
    // again by the scan that saw it unapproved: its plan read the baseline before the approval.
    const approvedSince = db.prepare<[number, string, string, string], { id: number }>(
      "SELECT id FROM alerts WHERE target_id = ? AND profile = ? AND dedupe_key = ? AND status = 'approved' AND decided_at >= ? LIMIT 1",
    );
    for (const alert of plan.alerts) {
      if (await approvedSince.get(target, plan.profile, alert.dedupeKey, scan.startedAt)) continue;
      const id = await upsertAlert(db, target, plan.profile, alert, scanId, scan.finishedAt);
      const record = (await readAlert(db, id.id))!;
      (id.created ? newAlerts : repeatedAlerts).push(record);
    }
    if (newAlerts.length > 0 && plan.evidence?.length) await putEvidence(db, blobs, scanId, plan.evidence);
    await chainScan(db, scanId, memo?.chain);
    return { scanId, newAlerts, repeatedAlerts };
  });
}

async function upsertAlert(db: Db, target: number, profile: string, alert: PlannedAlert, scanId: number, seenAt: string) {
  const existing = await repeatedAlertId(db, target, profile, alert.dedupeKey);
  if (existing !== null) {
    await db.prepare('UPDATE alerts SET last_seen = ?, last_scan_id = ? WHERE id = ?').run(seenAt, scanId, existing);
    return { id: existing, created: false };
  }
  const result = await db
    .prepare<SqlValue[], { id: number }>(
      `INSERT INTO alerts (target_id, profile, type, severity, status, page, subject, subject_type, subject_key, summary,
                           dedupe_key, old_value, new_value, details, first_seen, last_seen, first_scan_id, last_scan_id)
       VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    )
    .get(
      target, profile, alert.type, alert.severity, alert.page, alert.subject, alert.subjectType, alert.subjectKey,
      alert.summary, alert.dedupeKey, alert.oldValue, alert.newValue, JSON.stringify(alert.details), seenAt, seenAt,
      scanId, scanId,
    );
  return { id: result!.id, created: true };
}
