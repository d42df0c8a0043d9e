// Writes one ScanPlan in one transaction: scan row, blobs, observations, baseline entries, alerts.

import type { PlannedAlert, ScanPlan } from '../plan/plan.js';
import type { AlertWithDetails } from './alerts.js';
import { readAlert, repeatedAlertId } from './alerts.js';
import type { Blobs } from './blobs.js';
import type { Db } from './database.js';
import { writeScriptSettings } from './script-settings.js';
import { upsertTarget } from './targets.js';
import { chainScan } from './scan-chain.js';
import { putEvidence } from './evidence.js';

export interface ApplyResult {
  scanId: number;
  newAlerts: AlertWithDetails[];
  repeatedAlerts: AlertWithDetails[];
}

export function applyPlan(db: Db, blobs: Blobs, plan: ScanPlan, now: string): ApplyResult {
  return db.transaction((): ApplyResult => {
    const target = upsertTarget(db, plan.target, now);
    const scan = plan.scan;
    const scanId = Number(
      db
        .prepare(
          `INSERT INTO scans (target_id, profile, url, final_url, started_at, finished_at, status, error_code, error_message,
                              http_status, payment_form, script_count, headers_blob, forms_blob, warnings)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          target, plan.profile, scan.url, scan.finalUrl, scan.startedAt, scan.finishedAt, scan.status, scan.errorCode,
          scan.errorMessage, scan.httpStatus, scan.paymentForm ? 1 : 0, plan.scripts.length,
          scan.status === 'ok' ? blobs.putJson(scan.headers) : null,
          scan.status === 'ok' ? blobs.putJson(scan.forms) : null,
          scan.warnings.length ? JSON.stringify(scan.warnings.slice(0, 100)) : null,
        ).lastInsertRowid,
    );
    if (scan.status !== 'ok') {
      chainScan(db, scanId);
      return { scanId, newAlerts: [], repeatedAlerts: [] };
    }
    if (scan.canary || scan.runtime.length) {
      db.prepare('UPDATE scans SET canary_blob = ?, runtime_blob = ? WHERE id = ?').run(
        scan.canary ? blobs.putJson(scan.canary) : null, scan.runtime.length ? blobs.putJson(scan.runtime) : null, scanId,
      );
    }

    const seenAt = scan.finishedAt;
    const blobIds = new Map<string, number>();
    for (const [sha, body] of plan.bodies) blobIds.set(sha, blobs.put(body, sha));

    const insertScript = db.prepare(
      `INSERT INTO scripts (target_id, profile, key, kind, url, frame_url, label, first_seen, last_seen, last_blob)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const touchScript = db.prepare(
      'UPDATE scripts SET last_seen = ?, last_blob = COALESCE(?, last_blob), missing_streak = 0, url = ?, frame_url = ? WHERE id = ?',
    );
    const observe = db.prepare('INSERT OR REPLACE INTO observations (scan_id, script_id, blob_id, meta_id) VALUES (?, ?, ?, ?)');
    const findScript = db.prepare<[number, string, string], { id: number }>(
      'SELECT id FROM scripts WHERE target_id = ? AND profile = ? AND key = ?',
    );
    const setLibrary = db.prepare('UPDATE scripts SET library = ? WHERE id = ?');
    for (const script of plan.scripts) {
      const blobId = script.sha256 ? blobIds.get(script.sha256) ?? null : null;
      let scriptId = script.knownId;
      scriptId ??= findScript.get(target, plan.profile, script.key)?.id ?? null;
      if (scriptId === null) {
        scriptId = Number(
          insertScript.run(target, plan.profile, script.key, script.kind, script.url, script.frameUrl, script.key, seenAt, seenAt, blobId)
            .lastInsertRowid,
        );
      } else {
        touchScript.run(seenAt, blobId, script.url, script.frameUrl, scriptId);
      }
      if (script.library !== undefined) setLibrary.run(script.library ? JSON.stringify(script.library) : null, scriptId);
      observe.run(scanId, scriptId, blobId, blobs.putJson(script.meta));
    }
    const streak = db.prepare('UPDATE scripts SET missing_streak = ? WHERE id = ?');
    for (const missing of plan.missing) streak.run(missing.missingStreak, missing.id);

    const upsertDestination = db.prepare(
      `INSERT INTO destinations (target_id, profile, host, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (target_id, profile, host) DO UPDATE SET last_seen = excluded.last_seen RETURNING id`,
    );
    const observeDestination = db.prepare(
      'INSERT OR REPLACE INTO destination_observations (scan_id, destination_id, meta_id) VALUES (?, ?, ?)',
    );
    for (const destination of plan.destinations) {
      const row = upsertDestination.get(target, plan.profile, destination.host, seenAt, seenAt) as { id: number };
      observeDestination.run(scanId, row.id, blobs.putJson(destination));
    }

    const addBaseline = db.prepare(
      `INSERT INTO baseline (target_id, profile, subject_type, subject_key, value, normalized, state, created_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT (target_id, profile, subject_type, subject_key, value) DO NOTHING`,
    );
    for (const add of plan.baselineAdds) addBaseline.run(target, plan.profile, add.subjectType, add.subjectKey, add.value, add.normalized ?? null, now);

    const settingsOf = db.prepare<[number, string, string], { id: number }>('SELECT id FROM scripts WHERE target_id = ? AND profile = ? AND key = ?');
    for (const { key, settings } of plan.learned) {
      const row = settingsOf.get(target, plan.profile, key);
      if (row) writeScriptSettings(db, row.id, settings, now);
    }

    const newAlerts: AlertWithDetails[] = [];
    const repeatedAlerts: AlertWithDetails[] = [];
    for (const alert of plan.alerts) {
      const id = upsertAlert(db, target, plan.profile, alert, scanId, seenAt);
      const record = readAlert(db, id.id)!;
      (id.created ? newAlerts : repeatedAlerts).push(record);
    }
    if (newAlerts.length > 0 && plan.evidence?.length) putEvidence(db, blobs, scanId, plan.evidence);
    chainScan(db, scanId);
    return { scanId, newAlerts, repeatedAlerts };
  })();
}

function upsertAlert(db: Db, target: number, profile: string, alert: PlannedAlert, scanId: number, seenAt: string) {
  const existing = repeatedAlertId(db, target, profile, alert.dedupeKey);
  if (existing !== null) {
    db.prepare('UPDATE alerts SET last_seen = ?, last_scan_id = ? WHERE id = ?').run(seenAt, scanId, existing);
    return { id: existing, created: false };
  }
  const result = db
    .prepare(
      `INSERT INTO alerts (target_id, profile, type, severity, status, page, subject, subject_type, subject_key, summary,
                           dedupe_key, old_value, new_value, details, first_seen, last_seen, first_scan_id, last_scan_id)
       VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      target, profile, alert.type, alert.severity, alert.page, alert.subject, alert.subjectType, alert.subjectKey,
      alert.summary, alert.dedupeKey, alert.oldValue, alert.newValue, JSON.stringify(alert.details), seenAt, seenAt,
      scanId, scanId,
    );
  return { id: Number(result.lastInsertRowid), created: true };
}
