// Storage of visitors' CSP reports: each target's report key, each distinct report once (identical ones counted),
// bounded per hour and in all, and what the crawler's record says of a new one.

import { randomBytes } from 'node:crypto';
import type { Db } from './database.js';
import type { SqlValue } from './sql.js';
import type { VisitorReport } from '../detect/visitor-reports.js';

/** Bounds: distinct new reports one target may add per hour (more are counted as overflow), and rows in all. */
export const REPORT_LIMITS = { newPerHour: 500, rows: 100_000 };

export interface StoredReport extends VisitorReport {
  id: number; target: string; kind: string; firstSeen: string; lastSeen: string; count: number;
  /** Why the crawler's record explains it (`approved`, `seen`), or null: unexplained. */
  explained: string | null;
}

/** The target's report key, made (random, 144 bits) the first time it is asked for. */
export async function reportKeyOf(db: Db, target: string, now: string): Promise<string> {
  const existing = await db.prepare<[string], { report_key: string }>('SELECT report_key FROM report_keys WHERE target = ?').get(target);
  if (existing) return existing.report_key;
  await db.prepare('INSERT INTO report_keys (target, report_key, created_at) VALUES (?, ?, ?) ON CONFLICT (target) DO NOTHING').run(target, randomBytes(18).toString('base64url'), now);
  return (await db.prepare<[string], { report_key: string }>('SELECT report_key FROM report_keys WHERE target = ?').get(target))!.report_key;
}

/** The target a report key belongs to; null for a key nobody was given. */
export async function targetOfKey(db: Db, key: string): Promise<string | null> {
  return (await db.prepare<[string], { target: string }>('SELECT target FROM report_keys WHERE report_key = ?').get(key))?.target ?? null;
}

export interface ReportEntry { target: string; fingerprint: string; kind: string; report: VisitorReport; count: number; at: string }

/**
 * Writes a batch in one transaction: a known report is counted, a new one stored unless its target reached its
 * hourly bound (then it is counted in the target's overflow row). Over the total bound, the oldest explained reports
 * go first, then the oldest unexplained. Returns the reports stored for the first time.
 */
export async function recordReports(db: Db, batch: ReportEntry[], now: string): Promise<StoredReport[]> {
  return db.transaction(async () => {
    const fresh: number[] = [];
    const hourAgo = new Date(Date.parse(now) - 3_600_000).toISOString();
    const added = new Map<string, number>();
    for (const entry of batch) {
      const bump = await db.prepare<SqlValue[], { id: number }>('UPDATE visitor_reports SET count = count + ?, last_seen = ? WHERE target = ? AND fingerprint = ? RETURNING id')
        .get(entry.count, entry.at, entry.target, entry.fingerprint);
      if (bump) continue;
      if (!added.has(entry.target)) {
        added.set(entry.target, Number((await db.prepare<[string, string], { n: number }>("SELECT COUNT(*) AS n FROM visitor_reports WHERE target = ? AND first_seen > ? AND kind <> 'overflow'").get(entry.target, hourAgo))!.n));
      }
      const r = entry.report;
      if (added.get(entry.target)! >= REPORT_LIMITS.newPerHour) {
        const hour = `overflow:${now.slice(0, 13)}`;
        const counted = await db.prepare<SqlValue[], { id: number }>('UPDATE visitor_reports SET count = count + ?, last_seen = ? WHERE target = ? AND fingerprint = ? RETURNING id').get(entry.count, entry.at, entry.target, hour);
        if (!counted) {
          await db.prepare(`INSERT INTO visitor_reports (target, fingerprint, kind, blocked, directive, document, ua_family, device, first_seen, last_seen, count, explained)
            VALUES (?, ?, 'overflow', 'overflow', 'overflow', 'overflow', 'unknown', 'unknown', ?, ?, ?, 'overflow')`).run(entry.target, hour, entry.at, entry.at, entry.count);
        }
        continue;
      }
      added.set(entry.target, added.get(entry.target)! + 1);
      fresh.push(Number((await db.prepare<SqlValue[], { id: number }>(
        `INSERT INTO visitor_reports (target, fingerprint, kind, blocked, directive, document, source, line, sample, ua_family, device, first_seen, last_seen, count)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      ).get(entry.target, entry.fingerprint, entry.kind, r.blocked, r.directive, r.document, r.source, r.line, r.sample, r.uaFamily, r.device, entry.at, entry.at, entry.count))!.id));
    }
    const total = Number((await db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM visitor_reports').get())!.n);
    if (total > REPORT_LIMITS.rows) {
      await db.prepare<[number], never>(`DELETE FROM visitor_reports WHERE id IN (SELECT id FROM visitor_reports ORDER BY CASE WHEN explained IS NULL THEN 1 ELSE 0 END, last_seen LIMIT ?)`).run(total - REPORT_LIMITS.rows);
    }
    return fresh.length ? readReportsById(db, fresh) : [];
  });
}

function toStored(r: Record<string, unknown>): StoredReport {
  return {
    id: Number(r.id), target: String(r.target), kind: String(r.kind), blocked: String(r.blocked), directive: String(r.directive), document: String(r.document),
    source: (r.source as string | null) ?? null, line: r.line === null || r.line === undefined ? null : Number(r.line), sample: (r.sample as string | null) ?? null,
    uaFamily: String(r.ua_family), device: r.device as StoredReport['device'], firstSeen: String(r.first_seen), lastSeen: String(r.last_seen), count: Number(r.count),
    explained: (r.explained as string | null) ?? null,
  };
}

async function readReportsById(db: Db, ids: number[]): Promise<StoredReport[]> {
  const out: StoredReport[] = [];
  const one = db.prepare<[number], Record<string, unknown>>('SELECT * FROM visitor_reports WHERE id = ?');
  for (const id of ids) {
    const row = await one.get(id);
    if (row) out.push(toStored(row));
  }
  return out;
}

/** Records why the crawler's record explains each report (`approved`, `seen`). */
export async function explainReports(db: Db, explained: { id: number; why: string }[]): Promise<void> {
  const set = db.prepare('UPDATE visitor_reports SET explained = ? WHERE id = ?');
  await db.transaction(async () => { for (const e of explained) await set.run(e.why, e.id); });
}

/** A target's reports last seen since a time, most counted first (the dashboard's panel). */
export async function reportsSince(db: Db, target: string, since: string, limit = 200): Promise<StoredReport[]> {
  return (await db.prepare<SqlValue[], Record<string, unknown>>('SELECT * FROM visitor_reports WHERE target = ? AND last_seen >= ? ORDER BY count DESC, id LIMIT ?').all(target, since, limit)).map(toStored);
}

/** Whether the target's latest scan saw a payment form (an unseen script there is rated higher). */
export async function sawPaymentForm(db: Db, target: string): Promise<boolean> {
  const row = await db.prepare<[string], { payment_form: number }>('SELECT s.payment_form FROM scans s JOIN targets t ON t.id = s.target_id WHERE t.name = ? ORDER BY s.id DESC LIMIT 1').get(target);
  return Boolean(row && Number(row.payment_form));
}

/** A target's visitor alerts: every subject ever alerted (never raised twice), and how many were raised since a time. */
export async function visitorAlertsSince(db: Db, target: string, since: string): Promise<{ subjects: Set<string>; lastHour: number }> {
  const rows = await db.prepare<[string], { dedupe_key: string; first_seen: string }>(
    "SELECT a.dedupe_key, a.first_seen FROM alerts a JOIN targets t ON t.id = a.target_id WHERE t.name = ? AND a.type IN ('visitor.unseen-script', 'visitor.unseen-destination')",
  ).all(target);
  return { subjects: new Set(rows.map((r) => r.dedupe_key)), lastHour: rows.filter((r) => r.first_seen > since).length };
}

/** The running figures of a subject's reports (a visitor alert's screen): every report about it, counted. */
export async function subjectFigures(db: Db, target: string, matches: (r: StoredReport) => boolean): Promise<{ count: number; firstSeen: string | null; lastSeen: string | null; devices: string[]; userAgents: string[]; reports: number }> {
  const rows = (await db.prepare<[string], Record<string, unknown>>("SELECT * FROM visitor_reports WHERE target = ? AND kind <> 'overflow' LIMIT 100000").all(target)).map(toStored).filter(matches);
  const uniq = (values: string[]) => [...new Set(values)].sort();
  return {
    count: rows.reduce((n, r) => n + r.count, 0), reports: rows.length,
    firstSeen: rows.map((r) => r.firstSeen).sort()[0] ?? null, lastSeen: rows.map((r) => r.lastSeen).sort().at(-1) ?? null,
    devices: uniq(rows.map((r) => r.device)), userAgents: uniq(rows.map((r) => r.uaFamily)),
  };
}

/** Keeps what fetching a visitor alert's script gave: its SHA-256 as the alert's value (the screen shows the code). */
export async function attachFetchedScript(db: Db, alertId: number, sha256: string | null, fetched: Record<string, unknown>): Promise<void> {
  await db.transaction(async () => {
    const row = await db.prepare<[number], { details: string | null }>('SELECT details FROM alerts WHERE id = ?').get(alertId);
    if (!row) return;
    const details = { ...(JSON.parse(row.details ?? '{}') as Record<string, unknown>), fetched };
    await db.prepare<SqlValue[], never>('UPDATE alerts SET new_value = COALESCE(new_value, ?), details = ? WHERE id = ?').run(sha256, JSON.stringify(details), alertId);
  });
}
