// Evidence files of an alerting scan (page HTML, screenshot, HAR, TLS, initiators), stored as content-addressed blobs.

import type { Blobs } from './blobs.js';
import type { Db } from './database.js';

export interface EvidenceFile {
  name: string;
  sha256: string;
  size: number;
}

export async function putEvidence(db: Db, blobs: Blobs, scanId: number, files: { name: string; bytes: Buffer }[]): Promise<void> {
  const insert = db.prepare('INSERT INTO evidence (scan_id, name, blob_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
  for (const file of files) await insert.run(scanId, file.name, await blobs.putBytes(file.bytes));
}

export async function listEvidence(db: Db, scanId: number): Promise<EvidenceFile[]> {
  return db.prepare<[number], EvidenceFile>(
    'SELECT e.name, b.sha256, b.size FROM evidence e JOIN blobs b ON b.id = e.blob_id WHERE e.scan_id = ? ORDER BY e.name',
  ).all(scanId);
}

export interface AlertTrail {
  firstScanId: number;
  lastScanId: number;
  subjectKey: string;
  /** Scans that saw the change (for a script: the new version), oldest first, at most 1000. */
  sightings: { scanId: number; at: string }[];
  /** The script's id, for the observation metadata of its versions; null for other alerts. */
  scriptId: number | null;
}

export async function alertTrail(db: Db, alertId: number): Promise<AlertTrail | null> {
  const row = await db.prepare<[number], { first_scan_id: number; last_scan_id: number; subject_key: string; subject_type: string; new_value: string | null; target_id: number; profile: string }>(
    'SELECT first_scan_id, last_scan_id, subject_key, subject_type, new_value, target_id, profile FROM alerts WHERE id = ?',
  ).get(alertId);
  if (!row) return null;
  const script = await db.prepare<[number, string, string], { id: number }>('SELECT id FROM scripts WHERE target_id = ? AND profile = ? AND key = ?')
    .get(row.target_id, row.profile, row.subject_key);
  const sightings = script && row.new_value
    ? await db.prepare<[number, string], { scanId: number; at: string }>(
      `SELECT s.id AS "scanId", s.finished_at AS "at" FROM set_scripts o JOIN scans s ON s.set_id = o.set_id JOIN blobs b ON b.id = o.blob_id
        WHERE o.script_id = ? AND b.sha256 = ? ORDER BY s.id LIMIT 1000`,
    ).all(script.id, row.new_value)
    : await db.prepare<[number, string, number, number], { scanId: number; at: string }>(
      `SELECT id AS "scanId", finished_at AS "at" FROM scans WHERE target_id = ? AND profile = ? AND id BETWEEN ? AND ? ORDER BY id LIMIT 1000`,
    ).all(row.target_id, row.profile, row.first_scan_id, row.last_scan_id);
  return { firstScanId: row.first_scan_id, lastScanId: row.last_scan_id, subjectKey: row.subject_key, sightings, scriptId: script?.id ?? null };
}
