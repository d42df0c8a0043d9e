// Read models for the dashboard: targets at a glance, scans, and one script's versions over time.

import type { ObservationMeta } from '../plan/plan.js';
import type { Severity } from '../capture/types.js';
import type { Blobs } from './blobs.js';
import type { Db } from './database.js';
import { inOrder, whenGiven } from './sql.js';
import { SCRIPT_LAST_SEEN } from './observation-sets.js';

export interface TargetOverview {
  target: string;
  url: string;
  type: string;
  profile: string;
  lastScanAt: string | null;
  lastStatus: 'ok' | 'failed' | null;
  lastError: string | null;
  openAlerts: Record<Severity, number>;
  scripts: number;
  approvedScripts: number;
}

export interface ScanRow {
  id: number;
  target: string;
  profile: string;
  url: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  status: 'ok' | 'failed';
  errorCode: string | null;
  errorMessage: string | null;
  /** What the scan could not see in full (limits, scripts that failed to load). */
  warnings: string[];
  scripts: number;
  newAlerts: number;
}

export interface ScriptVersion {
  sha256: string;
  sri: string | null;
  size: number;
  firstSeen: string;
  lastSeen: string;
  observations: number;
  state: 'approved' | 'pending' | null;
  approvedBy: string | null;
  note: string | null;
}

export interface ScriptInfo {
  id: number;
  target: string;
  profile: string;
  key: string;
  kind: string;
  url: string | null;
  frameUrl: string;
  firstSeen: string;
  lastSeen: string;
  /** Library recognised for the latest version (JSON of a LibraryMatch), if any. */
  library: string | null;
}

/** Pages and profiles scanned, by target name; `paging` takes one page of them. */
export async function targetsOverview(db: Db, paging: { limit?: number; offset?: number } = {}): Promise<TargetOverview[]> {
  const rows = (await db
    .prepare(
      `SELECT t.id, t.name, t.url, t.type, p.profile,
              s.finished_at, s.status, s.error_message,
              (SELECT COUNT(*) FROM scripts sc WHERE sc.target_id = t.id AND sc.profile = p.profile AND sc.retired_at IS NULL AND sc.missing_streak = 0) AS scripts,
              (SELECT COUNT(*) FROM scripts sc JOIN blobs b ON b.id = sc.last_blob
                 JOIN baseline bl ON bl.target_id = sc.target_id AND bl.profile = sc.profile AND bl.subject_type = 'script'
                                 AND bl.subject_key = sc.key AND bl.value = b.sha256 AND bl.state = 'approved'
                WHERE sc.target_id = t.id AND sc.profile = p.profile AND sc.retired_at IS NULL AND sc.missing_streak = 0) AS approved
         FROM targets t
         JOIN page_latest p ON p.target_id = t.id
         LEFT JOIN scans s ON s.id = p.last_scan_id
        ORDER BY t.name, p.profile LIMIT ? OFFSET ?`,
    )
    .all(paging.limit ?? Number.MAX_SAFE_INTEGER, paging.offset ?? 0)) as { id: number; name: string; url: string; type: string; profile: string; finished_at: string | null; status: 'ok' | 'failed' | null; error_message: string | null; scripts: number; approved: number }[];
  const counts = db.prepare<[number, string], { severity: Severity; n: number }>(
    "SELECT severity, COUNT(*) AS n FROM alerts WHERE target_id = ? AND profile = ? AND status = 'open' GROUP BY severity",
  );
  return inOrder(rows, async (row) => {
    const openAlerts: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
    for (const c of await counts.all(row.id, row.profile)) openAlerts[c.severity] = c.n;
    return {
      target: row.name, url: row.url, type: row.type, profile: row.profile, lastScanAt: row.finished_at, lastStatus: row.status,
      lastError: row.error_message, openAlerts, scripts: row.scripts, approvedScripts: row.approved,
    };
  });
}

/** How many pages and profiles have been scanned; and the names of their targets, in order. */
export async function scannedPages(db: Db): Promise<number> {
  return ((await db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM page_latest').get())?.n) ?? 0;
}

export async function scannedTargetNames(db: Db): Promise<string[]> {
  return ((await db.prepare<[], { name: string }>('SELECT t.name FROM targets t WHERE EXISTS (SELECT 1 FROM page_latest p WHERE p.target_id = t.id) ORDER BY t.name').all())).map((r) => r.name);
}

/** Alerts opened per day over the last `days` days, oldest first. */
export async function alertTrend(db: Db, now: Date, days = 14): Promise<{ day: string; count: number }[]> {
  const since = new Date(now.getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  const rows = (await db
    .prepare("SELECT substr(first_seen, 1, 10) AS day, COUNT(*) AS n FROM alerts WHERE substr(first_seen, 1, 10) >= ? GROUP BY day")
    .all(since)) as { day: string; n: number }[];
  const byDay = new Map(rows.map((r) => [r.day, r.n]));
  return Array.from({ length: days }, (_, i) => {
    const day = new Date(now.getTime() - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10);
    return { day, count: byDay.get(day) ?? 0 };
  });
}

export async function listScans(db: Db, filter: { target?: string; limit: number; offset: number }): Promise<ScanRow[]> {
  const target = whenGiven('t.name', filter.target);
  return ((await db
    .prepare(
      `SELECT s.id, t.name AS target, s.profile, s.url, s.started_at, s.finished_at, s.status, s.error_code, s.error_message, s.warnings, s.script_count,
              (SELECT COUNT(*) FROM alerts a WHERE a.first_scan_id = s.id) AS new_alerts
         FROM scans s JOIN targets t ON t.id = s.target_id
        WHERE ${target.sql}
        ORDER BY s.id DESC LIMIT ? OFFSET ?`,
    )
    .all(...target.params, filter.limit, filter.offset)) as {
      id: number; target: string; profile: string; url: string; started_at: string; finished_at: string; status: 'ok' | 'failed';
      error_code: string | null; error_message: string | null; warnings: string | null; script_count: number; new_alerts: number;
    }[]).map((r) => ({
      id: r.id, target: r.target, profile: r.profile, url: r.url, startedAt: r.started_at, finishedAt: r.finished_at,
      durationMs: Date.parse(r.finished_at) - Date.parse(r.started_at), status: r.status, errorCode: r.error_code,
      errorMessage: r.error_message, warnings: r.warnings ? JSON.parse(r.warnings) as string[] : [], scripts: r.script_count, newAlerts: r.new_alerts,
    }));
}

export async function scriptInfo(db: Db, id: number): Promise<ScriptInfo | null> {
  const row = (await db
    .prepare(
      `SELECT s.id, t.name AS target, s.profile, s.key, s.kind, s.url, s.frame_url, s.first_seen, ${SCRIPT_LAST_SEEN} AS last_seen, s.library
         FROM scripts s JOIN targets t ON t.id = s.target_id WHERE s.id = ?`,
    )
    .get(id)) as { id: number; target: string; profile: string; key: string; kind: string; url: string | null; frame_url: string; first_seen: string; last_seen: string; library: string | null } | undefined;
  if (!row) return null;
  return { id: row.id, target: row.target, profile: row.profile, key: row.key, kind: row.kind, url: row.url, frameUrl: row.frame_url, firstSeen: row.first_seen, lastSeen: row.last_seen, library: row.library };
}

export async function scriptIdByKey(db: Db, target: string, profile: string, key: string): Promise<number | null> {
  const row = (await db
    .prepare('SELECT s.id FROM scripts s JOIN targets t ON t.id = s.target_id WHERE t.name = ? AND s.profile = ? AND s.key = ?')
    .get(target, profile, key)) as { id: number } | undefined;
  return row?.id ?? null;
}

/** Every distinct version of a script, oldest first, with when it was seen and whether it is approved. */
export async function scriptVersions(db: Db, blobs: Blobs, id: number): Promise<ScriptVersion[]> {
  const rows = (await db
    .prepare(
      `SELECT b.sha256, b.size, MIN(sc.finished_at) AS first_seen, MAX(sc.finished_at) AS last_seen, COUNT(*) AS n,
              MAX(o.meta_id) AS meta_id, bl.state, bl.decided_by, bl.note
         FROM set_scripts o
         JOIN scans sc ON sc.set_id = o.set_id
         JOIN blobs b ON b.id = o.blob_id
         JOIN scripts s ON s.id = o.script_id
         LEFT JOIN baseline bl ON bl.target_id = s.target_id AND bl.profile = s.profile AND bl.subject_type = 'script'
                              AND bl.subject_key = s.key AND bl.value = b.sha256
        WHERE o.script_id = ?
        GROUP BY b.id, b.sha256, b.size, bl.state, bl.decided_by, bl.note ORDER BY first_seen`,
    )
    .all(id)) as { sha256: string; size: number; first_seen: string; last_seen: string; n: number; meta_id: number | null; state: 'approved' | 'pending' | null; decided_by: string | null; note: string | null }[];
  return inOrder(rows, async (r) => ({
    sha256: r.sha256, sri: (await blobs.json<ObservationMeta>(r.meta_id))?.sri ?? null, size: r.size, firstSeen: r.first_seen, lastSeen: r.last_seen,
    observations: r.n, state: r.state, approvedBy: r.state === 'approved' ? r.decided_by : null, note: r.note,
  }));
}

/** What was recorded with the latest observation of one version of a script (headers, status, initiator). */
export async function versionMeta(db: Db, blobs: Blobs, scriptId: number, sha256: string): Promise<ObservationMeta | null> {
  const row = (await db
    .prepare(
      `SELECT o.meta_id FROM set_scripts o JOIN observation_sets os ON os.id = o.set_id JOIN blobs b ON b.id = o.blob_id
        WHERE o.script_id = ? AND b.sha256 = ? ORDER BY os.last_scan_id DESC LIMIT 1`,
    )
    .get(scriptId, sha256)) as { meta_id: number | null } | undefined;
  return row ? blobs.json<ObservationMeta>(row.meta_id) : null;
}
