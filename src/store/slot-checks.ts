// The cross-vantage check of one scheduled slot: once every expected profile key has reported, the slot's scans and
// their alerts are read, judged by the caller, and the notes it returns written, once, in one transaction.

import type { Db } from './database.js';
import { readAlert, type AlertWithDetails } from './alerts.js';
import { jsonValues, type SqlValue } from './sql.js';

/** A scan of the slot: which profile key, and whether it succeeded. */
export interface SlotScan { id: number; profile: string; ok: boolean }

/** An alert of the slot's profile keys that its scans raised or saw again, or that stands approved in a baseline. */
export interface SlotAlert { id: number; profile: string; type: string; subject: string; summary: string; details: Record<string, unknown>; status: string; firstScanId: number; lastScanId: number }

/** What the check decided: a note for each flagged alert. */
export type SlotNotes = { id: number; summary: string; details: Record<string, unknown> }[];

/**
 * Runs `decide` over the slot once all of `expected` (profile keys) have a scan of it, and writes its notes; the
 * first caller to find the slot complete does it, later ones get null. Null too while a key has not reported.
 */
export async function checkSlot(
  db: Db, target: string, slot: string, expected: string[], at: string, decide: (scans: SlotScan[], alerts: SlotAlert[]) => SlotNotes,
): Promise<AlertWithDetails[] | null> {
  return db.transaction(async () => {
    const targetId = (await db.prepare<[string], { id: number }>('SELECT id FROM targets WHERE name = ?').get(target))?.id;
    if (targetId === undefined) return null;
    const scans = (await db.prepare<SqlValue[], { id: number; profile: string; status: string }>('SELECT id, profile, status FROM scans WHERE target_id = ? AND slot = ?')
      .all(targetId, slot)).map((s) => ({ id: Number(s.id), profile: s.profile, ok: s.status === 'ok' }));
    const reported = new Set(scans.map((s) => s.profile));
    if (!expected.every((key) => reported.has(key))) return null;
    // The fence: one check per slot, whichever worker's scan completed it (PostgreSQL waits here on a concurrent claim).
    const claimed = await db.prepare<SqlValue[], { slot: string }>('INSERT INTO slot_checks (target_id, slot, checked_at, flagged) VALUES (?, ?, ?, 0) ON CONFLICT (target_id, slot) DO NOTHING RETURNING slot')
      .get(targetId, slot, at);
    if (!claimed) return null;
    const ids = JSON.stringify(scans.map((s) => s.id));
    const rows = await db.prepare<SqlValue[], { id: number; profile: string; type: string; subject: string; summary: string; details: string; status: string; first_scan_id: number; last_scan_id: number }>(
      `SELECT id, profile, type, subject, summary, details, status, first_scan_id, last_scan_id FROM alerts WHERE target_id = ? AND profile IN (${jsonValues(db.dialect, 'text')})
         AND (first_scan_id IN (${jsonValues(db.dialect, 'integer')}) OR last_scan_id IN (${jsonValues(db.dialect, 'integer')}) OR status = 'approved')`,
    ).all(targetId, JSON.stringify([...reported]), ids, ids);
    const alerts = rows.map((r) => ({
      id: Number(r.id), profile: r.profile, type: r.type, subject: r.subject, summary: r.summary, details: JSON.parse(r.details) as Record<string, unknown>,
      status: r.status, firstScanId: Number(r.first_scan_id), lastScanId: Number(r.last_scan_id),
    }));
    const notes = decide(scans, alerts);
    const update = db.prepare<SqlValue[]>('UPDATE alerts SET summary = ?, details = ? WHERE id = ?');
    for (const note of notes) await update.run(note.summary.slice(0, 2000), JSON.stringify(note.details), note.id);
    if (notes.length) await db.prepare<SqlValue[]>('UPDATE slot_checks SET flagged = ? WHERE target_id = ? AND slot = ?').run(notes.length, targetId, slot);
    const updated: AlertWithDetails[] = [];
    for (const note of notes) {
      const alert = await readAlert(db, note.id);
      if (alert) updated.push(alert);
    }
    return updated;
  });
}
