// The reads of a retro-hunt: every stored script version (in observation sets and baselines),
// every destination and every evidence file, and what a match is tied to (targets, profiles, first and last seen,
// alerts and their decisions). Matching itself is the caller's.

import type { Db } from './database.js';
import { jsonValues, type SqlValue } from './sql.js';

export interface HuntDecision { status: string; by: string; at: string; note: string | null }
export interface HuntAlert { id: number; type: string; severity: string; status: string; firstSeen: string; decisions: HuntDecision[] }

/** One version of one script of one page and profile, where it was seen and what was decided of it. */
export interface HuntVersion {
  target: string; page: string; profile: string; script: string; url: string | null; frameUrl: string; sha256: string;
  /** From the scans that saw it; null when retention removed them and only the baseline keeps the version. */
  firstSeen: string | null; lastSeen: string | null;
  /** Its baseline state: approved, pending (first inventory), or null (never accepted). */
  state: 'approved' | 'pending' | null;
  alerts: HuntAlert[];
}

export interface HuntDestination { target: string; profile: string; host: string; firstSeen: string; lastSeen: string; alerts: HuntAlert[] }
export interface HuntEvidence { target: string; profile: string; scanId: number; name: string; at: string; sha256: string }

/** The blobs that hold a script version, oldest first (ids only: the bodies are read one at a time). */
export async function versionBlobs(db: Db): Promise<{ id: number; sha256: string }[]> {
  return (await db.prepare<[], { id: number; sha256: string }>(
    `SELECT b.id, b.sha256 FROM blobs b WHERE b.id IN (SELECT blob_id FROM set_scripts)
        OR b.sha256 IN (SELECT value FROM baseline WHERE subject_type = 'script') ORDER BY b.id`,
  ).all()).map((r) => ({ id: Number(r.id), sha256: r.sha256 }));
}

async function alertsOf(db: Db, rows: { targetId: number; profile: string; subject: string; sha?: string }[]): Promise<Map<string, HuntAlert[]>> {
  const out = new Map<string, HuntAlert[]>();
  type Found = { id: number; type: string; severity: string; status: string; first_seen: string };
  const base = 'SELECT id, type, severity, status, first_seen FROM alerts WHERE target_id = ? AND profile = ? AND subject = ?';
  // A version's alerts are those about its bytes; a host's, every alert about the host.
  const ofVersion = db.prepare<SqlValue[], Found>(`${base} AND (new_value = ? OR old_value = ?) ORDER BY id`);
  const ofSubject = db.prepare<SqlValue[], Found>(`${base} ORDER BY id`);
  const decisions = db.prepare<[number], { status: string; decided_by: string; decided_at: string; note: string | null }>('SELECT status, decided_by, decided_at, note FROM alert_decisions WHERE alert_id = ? ORDER BY id');
  for (const row of rows) {
    const key = `${row.targetId}|${row.profile}|${row.subject}|${row.sha ?? ''}`;
    if (out.has(key)) continue;
    const alerts: HuntAlert[] = [];
    const found = row.sha ? await ofVersion.all(row.targetId, row.profile, row.subject, row.sha, row.sha) : await ofSubject.all(row.targetId, row.profile, row.subject);
    for (const a of found) {
      const made = (await decisions.all(Number(a.id))).map((d) => ({ status: d.status, by: d.decided_by, at: d.decided_at, note: d.note }));
      alerts.push({ id: Number(a.id), type: a.type, severity: a.severity, status: a.status, firstSeen: a.first_seen, decisions: made });
    }
    out.set(key, alerts);
  }
  return out;
}

/** Every version held in these blobs (`blobIds`) or of these scripts (`scriptIds`), with its sightings and alerts. */
export async function huntVersions(db: Db, by: { blobIds?: number[]; scriptIds?: number[] }): Promise<HuntVersion[]> {
  const blobs = JSON.stringify(by.blobIds ?? []);
  const scripts = JSON.stringify(by.scriptIds ?? []);
  const ints = jsonValues(db.dialect, 'integer');
  type Row = { script_id: number; target_id: number; target: string; page: string; profile: string; key: string; url: string | null; frame_url: string; sha256: string; first_seen: string | null; last_seen: string | null; state: string | null };
  const select = (source: string, scanJoin: string) => `
    SELECT s.id AS script_id, s.target_id, t.name AS target, t.url AS page, s.profile, s.key, s.url, s.frame_url, b.sha256,
           MIN(sc.finished_at) AS first_seen, MAX(sc.finished_at) AS last_seen, MAX(bl.state) AS state
      FROM ${source} o JOIN scans sc ON ${scanJoin} JOIN scripts s ON s.id = o.script_id JOIN targets t ON t.id = s.target_id JOIN blobs b ON b.id = o.blob_id
      LEFT JOIN baseline bl ON bl.target_id = s.target_id AND bl.profile = s.profile AND bl.subject_type = 'script' AND bl.subject_key = s.key AND bl.value = b.sha256
     WHERE o.blob_id IN (${ints}) OR o.script_id IN (${ints})
     GROUP BY s.id, s.target_id, t.name, t.url, s.profile, s.key, s.url, s.frame_url, b.sha256`;
  const seen = await db.prepare<SqlValue[], Row>(select('set_scripts', 'sc.set_id = o.set_id')).all(blobs, scripts);
  // Versions only a baseline still holds (retention removed the scans that saw them).
  const kept = await db.prepare<SqlValue[], Row>(
    `SELECT s.id AS script_id, s.target_id, t.name AS target, t.url AS page, s.profile, s.key, s.url, s.frame_url, bl.value AS sha256,
            NULL AS first_seen, NULL AS last_seen, bl.state
       FROM baseline bl JOIN scripts s ON s.target_id = bl.target_id AND s.profile = bl.profile AND s.key = bl.subject_key
       JOIN targets t ON t.id = s.target_id LEFT JOIN blobs b ON b.sha256 = bl.value
      WHERE bl.subject_type = 'script' AND (b.id IN (${ints}) OR s.id IN (${ints}))`,
  ).all(blobs, scripts);
  const merged = new Map<string, Row>();
  for (const row of [...seen, ...kept]) {
    const key = `${row.script_id}|${row.sha256}`;
    const before = merged.get(key);
    if (!before) { merged.set(key, row); continue; }
    const times = (x: string | null, y: string | null) => [x, y].filter((t): t is string => t !== null).sort();
    merged.set(key, { ...before, first_seen: times(before.first_seen, row.first_seen)[0] ?? null, last_seen: times(before.last_seen, row.last_seen).at(-1) ?? null, state: before.state ?? row.state });
  }
  const rows = [...merged.values()];
  const alerts = await alertsOf(db, rows.map((r) => ({ targetId: Number(r.target_id), profile: r.profile, subject: r.key, sha: r.sha256 })));
  return rows.map((r) => ({
    target: r.target, page: r.page, profile: r.profile, script: r.key, url: r.url, frameUrl: r.frame_url, sha256: r.sha256, firstSeen: r.first_seen, lastSeen: r.last_seen,
    state: (r.state === 'approved' || r.state === 'pending' ? r.state : null) as HuntVersion['state'],
    alerts: alerts.get(`${r.target_id}|${r.profile}|${r.key}|${r.sha256}`) ?? [],
  })).sort((a, b) => (a.firstSeen ?? '').localeCompare(b.firstSeen ?? '') || a.target.localeCompare(b.target));
}

/** Scripts loaded from a URL, by id and URL (the caller picks those of a host). */
export async function scriptUrls(db: Db): Promise<{ id: number; url: string }[]> {
  return (await db.prepare<[], { id: number; url: string }>('SELECT id, url FROM scripts WHERE url IS NOT NULL').all()).map((r) => ({ id: Number(r.id), url: r.url }));
}

/** Destinations whose host `matches`, with their sightings and alerts (connection.added and the like). */
export async function huntDestinations(db: Db, matches: (host: string) => boolean): Promise<HuntDestination[]> {
  const rows = (await db.prepare<[], { target_id: number; target: string; profile: string; host: string; first_seen: string; last_seen: string }>(
    `SELECT d.target_id, t.name AS target, d.profile, d.host, d.first_seen,
            COALESCE((SELECT MAX(os.last_seen) FROM set_destinations i JOIN observation_sets os ON os.id = i.set_id WHERE i.destination_id = d.id), d.last_seen) AS last_seen
       FROM destinations d JOIN targets t ON t.id = d.target_id ORDER BY d.first_seen`,
  ).all()).filter((r) => matches(r.host));
  const alerts = await alertsOf(db, rows.map((r) => ({ targetId: Number(r.target_id), profile: r.profile, subject: r.host })));
  return rows.map((r) => ({ target: r.target, profile: r.profile, host: r.host, firstSeen: r.first_seen, lastSeen: r.last_seen, alerts: alerts.get(`${r.target_id}|${r.profile}|${r.host}|`) ?? [] }));
}

/** Every evidence file, oldest first, with its blob (the bodies are read one at a time). */
export async function evidenceFiles(db: Db): Promise<(HuntEvidence & { blobId: number })[]> {
  return (await db.prepare<[], { target: string; profile: string; scan_id: number; name: string; at: string; sha256: string; blob_id: number }>(
    `SELECT t.name AS target, sc.profile, e.scan_id, e.name, sc.finished_at AS at, b.sha256, e.blob_id
       FROM evidence e JOIN scans sc ON sc.id = e.scan_id JOIN targets t ON t.id = sc.target_id JOIN blobs b ON b.id = e.blob_id ORDER BY e.scan_id, e.name`,
  ).all()).map((r) => ({ target: r.target, profile: r.profile, scanId: Number(r.scan_id), name: r.name, at: r.at, sha256: r.sha256, blobId: Number(r.blob_id) }));
}
