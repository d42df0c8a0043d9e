// The scheduler's rows: per-target schedule state, and target.unhealthy alerts that open and resolve themselves.

import type { Db } from './database.js';
import { jsonValues, type SqlValue } from './sql.js';
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

/**
 * One target's row (null before the target's first dispatch); with a vantage of a config that names vantages, the
 * runs are that vantage's own (`vantage_runs`), the due time the target's.
 */
export async function readScheduleRow(db: Db, target: string, vantage?: string): Promise<ScheduleRow | null> {
  if (!vantage) return ((await db.prepare(`${SELECT} WHERE target = ?`).get(target)) as ScheduleRow | undefined) ?? null;
  const row = (await db.prepare<[string, string], ScheduleRow>(
    `SELECT s.target, s.next_run_at AS "nextRunAt", v.last_started_at AS "lastStartedAt", v.last_finished_at AS "lastFinishedAt",
       v.last_success_at AS "lastSuccessAt", COALESCE(v.consecutive_failures, 0) AS "consecutiveFailures", v.last_error AS "lastError"
     FROM schedule s LEFT JOIN vantage_runs v ON v.target = s.target AND v.vantage = ? WHERE s.target = ?`,
  ).get(vantage, target)) ?? null;
  return row && { ...row, consecutiveFailures: Number(row.consecutiveFailures) };
}

/** Each vantage's runs of each target (configs that name vantages). */
export async function readVantageRuns(db: Db): Promise<(Omit<ScheduleRow, 'nextRunAt'> & { vantage: string })[]> {
  const rows = await db.prepare<[], Omit<ScheduleRow, 'nextRunAt'> & { vantage: string }>(
    `SELECT target, vantage, last_started_at AS "lastStartedAt", last_finished_at AS "lastFinishedAt", last_success_at AS "lastSuccessAt",
       consecutive_failures AS "consecutiveFailures", last_error AS "lastError" FROM vantage_runs ORDER BY target, vantage`,
  ).all();
  return rows.map((r) => ({ ...r, consecutiveFailures: Number(r.consecutiveFailures) }));
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

/** Adds a schedule row for each target that has none (another process may add the same at once). */
export async function ensureSchedule(db: Db, rows: { target: string; nextRunAt: string }[]): Promise<void> {
  const add = db.prepare('INSERT INTO schedule (target, next_run_at) VALUES (?, ?) ON CONFLICT (target) DO NOTHING');
  await db.transaction(async () => { for (const row of rows) await add.run(row.target, row.nextRunAt); });
}

/**
 * Claims the rows due at `now` but those of `skip` (paused targets keep their due time), on PostgreSQL skipping rows
 * another dispatcher holds, lets `dispatch` send their
 * jobs in the same transaction, and moves each row to the next time it returns: sent and advanced together, or neither.
 */
export async function claimDue(
  db: Db, now: string, limit: number, skip: string[], dispatch: (due: ScheduleRow[]) => Promise<{ target: string; nextRunAt: string }[]>,
): Promise<number> {
  return db.transaction(async () => {
    const lock = db.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
    const due = (await db.prepare(`${SELECT} WHERE next_run_at <= ? AND target NOT IN (${jsonValues(db.dialect, 'text')}) ORDER BY next_run_at LIMIT ?${lock}`)
      .all(now, JSON.stringify(skip), limit)) as ScheduleRow[];
    if (due.length === 0) return 0;
    const advance = db.prepare('UPDATE schedule SET next_run_at = ? WHERE target = ?');
    for (const next of await dispatch(due)) await advance.run(next.nextRunAt, next.target);
    return due.length;
  });
}

/** Records how a run went on its target's row (or its vantage's), leaving the next due time to the dispatcher. */
export async function recordRun(db: Db, target: string, run: Omit<ScheduleRow, 'target' | 'nextRunAt'>, vantage?: string): Promise<void> {
  if (vantage) {
    await db.prepare<[object]>(
      `INSERT INTO vantage_runs (target, vantage, last_started_at, last_finished_at, last_success_at, consecutive_failures, last_error)
       VALUES (@target, @vantage, @lastStartedAt, @lastFinishedAt, @lastSuccessAt, @consecutiveFailures, @lastError)
       ON CONFLICT (target, vantage) DO UPDATE SET last_started_at = excluded.last_started_at, last_finished_at = excluded.last_finished_at,
         last_success_at = excluded.last_success_at, consecutive_failures = excluded.consecutive_failures, last_error = excluded.last_error`,
    ).run({ ...run, target, vantage });
    return;
  }
  await db.prepare<[object]>(
    `UPDATE schedule SET last_started_at = @lastStartedAt, last_finished_at = @lastFinishedAt, last_success_at = @lastSuccessAt,
       consecutive_failures = @consecutiveFailures, last_error = @lastError WHERE target = @target`,
  ).run({ ...run, target });
}

/** One target.unhealthy alert per target, or per target and vantage when the config names vantages. */
const dedupeOf = (vantage?: string) => (vantage ? `target.unhealthy@${vantage}` : 'target.unhealthy');

export function openHealthAlert(db: Db): (target: { name: string; url: string; type: string }, reason: string, failures: number, now: string, vantage?: string) => Promise<AlertWithDetails | null> {
  return async (target, reason, failures, now, vantage) => db.transaction(async () => {
    const targetId = await upsertTarget(db, target, now);
    const DEDUPE = dedupeOf(vantage);
    const existing = await db.prepare<[number, string], { id: number }>("SELECT id FROM alerts WHERE target_id = ? AND dedupe_key = ? AND status = 'open'").get(targetId, DEDUPE);
    if (existing) return null;
    const lastScan = (await db.prepare<[number], { id: number }>('SELECT id FROM scans WHERE target_id = ? ORDER BY id DESC LIMIT 1').get(targetId))?.id ?? 0;
    // No failures: the target is overdue (its scan has waited for a worker for longer than its interval).
    const from = vantage ? ` from ${vantage}` : '';
    const summary = failures > 0 ? `${target.name} failed ${failures} scheduled scans${from} in a row: ${reason}` : `${target.name} is overdue${from}: ${reason}`;
    const id = (await db.prepare<SqlValue[], { id: number }>(
      `INSERT INTO alerts (target_id, profile, type, severity, status, page, subject, subject_type, subject_key, summary, dedupe_key,
         details, first_seen, last_seen, first_scan_id, last_scan_id)
       VALUES (?, '*', 'target.unhealthy', 'high', 'open', ?, ?, 'target', ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    ).get(targetId, target.url, target.name, target.name, summary.slice(0, 1000), DEDUPE, JSON.stringify({ failures, reason: reason.slice(0, 500), ...(vantage ? { vantage } : {}) }),
      now, now, lastScan, lastScan))!.id;
    return readAlert(db, id);
  });
}

/** Closes the target's (or its vantage's) open health alert, if any, as resolved by scriptwarden. */
export function resolveHealthAlert(db: Db): (target: string, now: string, vantage?: string) => Promise<AlertWithDetails | null> {
  return async (target, now, vantage) => {
    const row = await db.prepare<[string, string], { id: number }>(
      "SELECT a.id FROM alerts a JOIN targets t ON t.id = a.target_id WHERE t.name = ? AND a.dedupe_key = ? AND a.status = 'open'",
    ).get(target, dedupeOf(vantage));
    if (!row) return null;
    const note = 'target recovered: a scheduled scan succeeded';
    await db.transaction(async () => {
      await db.prepare("UPDATE alerts SET status = 'resolved', decided_by = 'scriptwarden', decided_at = ?, last_seen = ?, note = ? WHERE id = ?").run(now, now, note, row.id);
      await db.prepare("INSERT INTO alert_decisions (alert_id, status, decided_by, decided_at, note) VALUES (?, 'resolved', 'scriptwarden', ?, ?)").run(row.id, now, note);
    });
    return readAlert(db, row.id);
  };
}
