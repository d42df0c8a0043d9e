// The scheduler's rows: per-target schedule state, and target.unhealthy alerts that open and resolve themselves.

import type { Db } from './database.js';
import type { SqlValue } from './sql.js';
import { upsertTarget } from './targets.js';
import { readAlert, type AlertWithDetails } from './alerts.js';

export interface ScheduleRow {
  target: string;
  nextRunAt: string;
  lastStartedAt: string | null;
  lastFinishedAt: string | null;
  lastSuccessAt: string | null;
  consecutiveFailures: number;
  lastError: string | null;
}

const SELECT = `SELECT target, next_run_at AS "nextRunAt", last_started_at AS "lastStartedAt", last_finished_at AS "lastFinishedAt",
  last_success_at AS "lastSuccessAt", consecutive_failures AS "consecutiveFailures", last_error AS "lastError" FROM schedule`;

export async function readSchedule(db: Db): Promise<ScheduleRow[]> {
  return (await db.prepare(`${SELECT} ORDER BY target`).all()) as ScheduleRow[];
}

export async function saveSchedule(db: Db, row: ScheduleRow): Promise<void> {
  await db.prepare<[object]>(
    `INSERT INTO schedule (target, next_run_at, last_started_at, last_finished_at, last_success_at, consecutive_failures, last_error)
     VALUES (@target, @nextRunAt, @lastStartedAt, @lastFinishedAt, @lastSuccessAt, @consecutiveFailures, @lastError)
     ON CONFLICT (target) DO UPDATE SET next_run_at = excluded.next_run_at, last_started_at = excluded.last_started_at,
       last_finished_at = excluded.last_finished_at, last_success_at = excluded.last_success_at,
       consecutive_failures = excluded.consecutive_failures, last_error = excluded.last_error`,
  ).run(row);
}

const DEDUPE = 'target.unhealthy';

export function openHealthAlert(db: Db): (target: { name: string; url: string; type: string }, reason: string, failures: number, now: string) => Promise<AlertWithDetails | null> {
  return async (target, reason, failures, now) => db.transaction(async () => {
    const targetId = await upsertTarget(db, target, now);
    const existing = await db.prepare<[number, string], { id: number }>("SELECT id FROM alerts WHERE target_id = ? AND dedupe_key = ? AND status = 'open'").get(targetId, DEDUPE);
    if (existing) return null;
    const lastScan = (await db.prepare<[number], { id: number }>('SELECT id FROM scans WHERE target_id = ? ORDER BY id DESC LIMIT 1').get(targetId))?.id ?? 0;
    const summary = `${target.name} failed ${failures} scheduled scans in a row: ${reason}`;
    const id = (await db.prepare<SqlValue[], { id: number }>(
      `INSERT INTO alerts (target_id, profile, type, severity, status, page, subject, subject_type, subject_key, summary, dedupe_key,
         details, first_seen, last_seen, first_scan_id, last_scan_id)
       VALUES (?, '*', 'target.unhealthy', 'high', 'open', ?, ?, 'target', ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    ).get(targetId, target.url, target.name, target.name, summary.slice(0, 1000), DEDUPE, JSON.stringify({ failures, reason: reason.slice(0, 500) }),
      now, now, lastScan, lastScan))!.id;
    return readAlert(db, id);
  });
}

/** Closes the target's open health alert, if any, as resolved by scriptwarden. */
export function resolveHealthAlert(db: Db): (target: string, now: string) => Promise<AlertWithDetails | null> {
  return async (target, now) => {
    const row = await db.prepare<[string, string], { id: number }>(
      "SELECT a.id FROM alerts a JOIN targets t ON t.id = a.target_id WHERE t.name = ? AND a.dedupe_key = ? AND a.status = 'open'",
    ).get(target, DEDUPE);
    if (!row) return null;
    const note = 'target recovered: a scheduled scan succeeded';
    await db.transaction(async () => {
      await db.prepare("UPDATE alerts SET status = 'resolved', decided_by = 'scriptwarden', decided_at = ?, last_seen = ?, note = ? WHERE id = ?").run(now, now, note, row.id);
      await db.prepare("INSERT INTO alert_decisions (alert_id, status, decided_by, decided_at, note) VALUES (?, 'resolved', 'scriptwarden', ?, ?)").run(row.id, now, note);
    });
    return readAlert(db, row.id);
  };
}
