// Alert queries: one alert, lists, standing dedupe keys, and the approvals an alert has been given so far.

import { SEVERITIES, type AlertRecord, type AlertStatus } from '../capture/types.js';
import type { Db } from './database.js';
import { jsonValues } from './sql.js';

/** An alert row as SELECT reads it (with its target's name). */
export interface AlertRow {
  id: number;
  type: AlertRecord['type'];
  severity: AlertRecord['severity'];
  status: AlertStatus;
  target: string;
  target_id: number;
  page: string;
  profile: string;
  subject: string;
  subject_type: string;
  subject_key: string;
  summary: string;
  first_seen: string;
  last_seen: string;
  old_value: string | null;
  new_value: string | null;
  details: string;
  decided_by: string | null;
  decided_at: string | null;
  note: string | null;
  first_scan_id: number;
}

export const SELECT = `SELECT a.*, t.name AS target FROM alerts a JOIN targets t ON t.id = a.target_id`;

const SEVERITY_ORDER = `CASE a.severity ${SEVERITIES.map((s, i) => `WHEN '${s}' THEN ${i}`).join(' ')} END`;

/** An approval given so far to an alert that needs more than one. */
export interface ApprovalGiven {
  by: string;
  at: string;
  note: string | null;
}

/** An alert as stored: with its details, the approvals given so far, and the scan that raised it. */
export type AlertWithDetails = AlertRecord & { details: Record<string, unknown>; approvals: ApprovalGiven[]; firstScanId: number };

export function toRecord(row: AlertRow, approvals: ApprovalGiven[] = []): AlertWithDetails {
  return {
    approvals,
    firstScanId: row.first_scan_id,
    id: row.id,
    type: row.type,
    severity: row.severity,
    status: row.status,
    target: row.target,
    page: row.page,
    profile: row.profile,
    subject: row.subject,
    summary: row.summary,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    oldValue: row.old_value,
    newValue: row.new_value,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    note: row.note,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}

/** The open or rejected alert a planned alert with this dedupe key would only update; null when it would be new. */
export async function repeatedAlertId(db: Db, targetId: number, profile: string, dedupeKey: string): Promise<number | null> {
  const row = await db
    .prepare<[number, string, string], { id: number }>(
      `SELECT id FROM alerts WHERE target_id = ? AND profile = ? AND dedupe_key = ? AND status IN ('open', 'rejected')
       ORDER BY id DESC LIMIT 1`,
    )
    .get(targetId, profile, dedupeKey);
  return row?.id ?? null;
}

/** Of the given dedupe keys, those with an alert still open or rejected for the target and profile (one query). */
export async function standingDedupeKeys(db: Db, targetId: number, profile: string, keys: string[], approved = false): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db
    .prepare<[number, string, string], { key: string }>(
      `SELECT DISTINCT dedupe_key AS key FROM alerts WHERE target_id = ? AND profile = ? AND status IN ('open', 'rejected'${approved ? ", 'approved'" : ''})
         AND dedupe_key IN (${jsonValues(db.dialect, 'text')})`,
    )
    .all(targetId, profile, JSON.stringify([...new Set(keys)]));
  return new Set(rows.map((r) => r.key));
}

export async function latestAlertId(db: Db): Promise<number | null> {
  return (await db.prepare<[], { id: number | null }>('SELECT MAX(id) AS id FROM alerts').get())?.id ?? null;
}

export async function approvalsOf(db: Db, alertId: number): Promise<ApprovalGiven[]> {
  return db.prepare<[number], ApprovalGiven>('SELECT approved_by AS "by", approved_at AS "at", note FROM alert_approvals WHERE alert_id = ? ORDER BY approved_at, approved_by').all(alertId);
}

export async function readAlert(db: Db, id: number): Promise<AlertWithDetails | null> {
  const row = await db.prepare<[number], AlertRow>(`${SELECT} WHERE a.id = ?`).get(id);
  return row ? toRecord(row, await approvalsOf(db, id)) : null;
}

export interface AlertQuery {
  status?: AlertStatus | 'all';
  target?: string;
  severity?: string;
  type?: string;
  limit?: number;
  /** Alerts to skip, in the list's order (a later page). */
  offset?: number;
}

export async function listAlerts(db: Db, filter: AlertQuery): Promise<AlertWithDetails[]> {
  const where: string[] = [];
  const params: string[] = [];
  if (filter.status && filter.status !== 'all') {
    where.push('a.status = ?');
    params.push(filter.status);
  }
  for (const [column, value] of [['t.name', filter.target], ['a.severity', filter.severity], ['a.type', filter.type]] as const) {
    if (!value) continue;
    where.push(`${column} = ?`);
    params.push(value);
  }
  const sql = `${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
               ORDER BY ${SEVERITY_ORDER} DESC, a.last_seen DESC, a.id DESC
               LIMIT ${Math.max(1, Math.min(filter.limit ?? 1_000_000, 1_000_000))} OFFSET ${Math.max(0, Math.floor(filter.offset ?? 0))}`;
  const rows = (await db.prepare(sql).all(...params)) as AlertRow[];
  // The approvals of the alerts listed, in one query.
  const given = new Map<number, ApprovalGiven[]>();
  const approvals = db.prepare<[string], ApprovalGiven & { alert_id: number }>(
    `SELECT alert_id, approved_by AS "by", approved_at AS "at", note FROM alert_approvals WHERE alert_id IN (${jsonValues(db.dialect, 'integer')}) ORDER BY approved_at, approved_by`,
  );
  for (const a of rows.length ? await approvals.all(JSON.stringify(rows.map((r) => r.id))) : []) {
    given.set(a.alert_id, [...(given.get(a.alert_id) ?? []), { by: a.by, at: a.at, note: a.note }]);
  }
  return rows.map((row) => toRecord(row, given.get(row.id) ?? []));
}
