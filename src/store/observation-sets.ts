// Observation sets: what a scan saw, stored once per distinct set (by digest) and pointed at by every scan that saw it.

import { sha256Hex } from '../plan/fingerprint.js';
import type { ScanPlan } from '../plan/plan.js';
import type { Blobs } from './blobs.js';
import type { Db } from './database.js';
import type { SqlValue } from './sql.js';

/** A script's latest sighting: the newest scan of any set it is in (scripts.last_seen is kept for older rows). */
export const SCRIPT_LAST_SEEN = `COALESCE((SELECT MAX(os.last_seen) FROM set_scripts i JOIN observation_sets os ON os.id = i.set_id WHERE i.script_id = s.id), s.last_seen)`;
/** The metadata recorded with a script's latest sighting. */
export const SCRIPT_LATEST_META = `(SELECT i.meta_id FROM set_scripts i JOIN observation_sets os ON os.id = i.set_id WHERE i.script_id = s.id ORDER BY os.last_scan_id DESC LIMIT 1)`;
export const DESTINATION_LAST_SEEN = `COALESCE((SELECT MAX(os.last_seen) FROM set_destinations i JOIN observation_sets os ON os.id = i.set_id WHERE i.destination_id = d.id), d.last_seen)`;
export const DESTINATION_LATEST_META = `(SELECT i.meta_id FROM set_destinations i JOIN observation_sets os ON os.id = i.set_id WHERE i.destination_id = d.id ORDER BY os.last_scan_id DESC LIMIT 1)`;

interface Entry { key: string; body: string | null; meta: string }

/** The identity of a set: its scripts (key, body and metadata hashes) and destinations (host, metadata hash), sorted. */
export function setDigest(scripts: Entry[], destinations: Entry[]): string {
  const order = (a: Entry, b: Entry) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  const rows = (list: Entry[]) => [...list].sort(order).map((e) => [e.key, e.body, e.meta]);
  return sha256Hex(JSON.stringify({ scripts: rows(scripts), destinations: rows(destinations) }));
}

/** The set with this digest on this page, marked as seen by the scan; created (empty) when new. */
async function claimSet(db: Db, target: number, profile: string, digest: string, scanId: number, seenAt: string): Promise<{ id: number; created: boolean }> {
  const existing = await db.prepare<[number, string, string], { id: number }>('SELECT id FROM observation_sets WHERE target_id = ? AND profile = ? AND digest = ?')
    .get(target, profile, digest);
  if (existing) {
    await db.prepare('UPDATE observation_sets SET last_scan_id = ?, last_seen = ? WHERE id = ?').run(scanId, seenAt, existing.id);
    return { id: existing.id, created: false };
  }
  const id = (await db.prepare<SqlValue[], { id: number }>('INSERT INTO observation_sets (target_id, profile, digest, first_scan_id, last_scan_id, last_seen) VALUES (?, ?, ?, ?, ?, ?) RETURNING id')
    .get(target, profile, digest, scanId, scanId, seenAt))!.id;
  return { id, created: true };
}

/** A plan's observations as a set holds them, and the set's digest. */
export interface PlannedEntries {
  scripts: Map<string, { planned: ScanPlan['scripts'][number]; sha: string | null; meta: string; metaSha: string }>;
  destinations: { host: string; meta: string; metaSha: string }[];
  digest: string;
  of: { bodies: ScanPlan['bodies']; destinations: ScanPlan['destinations'] };
}

/** `remembered`: entries already made for the same planned scripts (a plan written again, as the dashboard bench does). */
function entriesOf(plan: ScanPlan, hashMeta: (meta: string) => string, remembered?: WeakMap<object, PlannedEntries>): PlannedEntries {
  const known = remembered?.get(plan.scripts);
  if (known && known.of.bodies === plan.bodies && known.of.destinations === plan.destinations) return known;
  // One observation per script key; a key planned twice keeps its last. A body is kept when the plan holds it.
  const scripts: PlannedEntries['scripts'] = new Map();
  for (const planned of plan.scripts) {
    const meta = JSON.stringify(planned.meta);
    const sha = planned.sha256 && plan.bodies.has(planned.sha256) ? planned.sha256 : null;
    scripts.set(planned.key, { planned, sha, meta, metaSha: hashMeta(meta) });
  }
  const destinations = plan.destinations.map((d) => { const meta = JSON.stringify(d); return { host: d.host, meta, metaSha: hashMeta(meta) }; });
  const digest = setDigest(
    [...scripts.values()].map((s) => ({ key: s.planned.key, body: s.sha, meta: s.metaSha })),
    destinations.map((d) => ({ key: d.host, body: null, meta: d.metaSha })),
  );
  const entries = { scripts, destinations, digest, of: { bodies: plan.bodies, destinations: plan.destinations } };
  remembered?.set(plan.scripts, entries);
  return entries;
}

interface ScriptState { id: number; last_sha: string | null; missing_streak: number; url: string | null; frame_url: string }

/** SHA-256 of metadata documents, remembered (bounded): a rescan's metadata is mostly what the last scan's was. */
export function metaHasher(max = 20_000): (meta: string) => string {
  const known = new Map<string, string>();
  return (meta) => {
    let sha = known.get(meta);
    if (sha === undefined) {
      sha = sha256Hex(meta);
      if (known.size >= max) known.clear();
      known.set(meta, sha);
    }
    return sha;
  };
}

/**
 * Records what one scan saw: the set it matches is reused (one row updated), else the set is written with its
 * scripts and destinations. Script rows are written only when something about them changed. `blobIdOf` stores a
 * body when asked (a reused set's bodies are stored already, so an unchanged rescan touches none). Runs inside the
 * scan's transaction; returns whether the set was reused.
 */
export async function recordObservations(
  db: Db, blobs: Blobs, scanId: number, target: number, plan: ScanPlan, blobIdOf: (sha: string) => Promise<number>,
  hashMeta: (meta: string) => string = sha256Hex, remembered?: WeakMap<object, PlannedEntries>,
): Promise<{ reused: boolean }> {
  const seenAt = plan.scan.finishedAt;
  const { scripts, destinations, digest } = entriesOf(plan, hashMeta, remembered);
  // A set's items name this target's scripts by key: a set found is the same scripts, bodies and metadata.
  const claimed = await claimSet(db, target, plan.profile, digest, scanId, seenAt);
  const setId = claimed.id;
  const reused = !claimed.created;
  await db.prepare('UPDATE scans SET set_id = ? WHERE id = ?').run(setId, scanId);
  // The same set as the page's previous successful scan: its scripts' rows already say all of it.
  const previous = reused
    ? await db.prepare<[number, string, number], { set_id: number | null }>("SELECT set_id FROM scans WHERE target_id = ? AND profile = ? AND id < ? AND status = 'ok' ORDER BY id DESC LIMIT 1").get(target, plan.profile, scanId)
    : undefined;
  if (previous?.set_id === setId && plan.scripts.every((p) => p.library === undefined)) return { reused };

  const known = new Map<string, ScriptState>();
  for (const row of await db.prepare<[number, string], ScriptState & { key: string }>(
    'SELECT s.id, s.key, b.sha256 AS last_sha, s.missing_streak, s.url, s.frame_url FROM scripts s LEFT JOIN blobs b ON b.id = s.last_blob WHERE s.target_id = ? AND s.profile = ?',
  ).all(target, plan.profile)) known.set(row.key, row);

  const insertScript = db.prepare<SqlValue[], { id: number }>(
    `INSERT INTO scripts (target_id, profile, key, kind, url, frame_url, label, first_seen, last_seen, last_blob) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  );
  const touchScript = db.prepare('UPDATE scripts SET last_seen = ?, last_blob = COALESCE(?, last_blob), missing_streak = 0, url = ?, frame_url = ? WHERE id = ?');
  const setLibrary = db.prepare('UPDATE scripts SET library = ? WHERE id = ?');
  const addScript = db.prepare('INSERT INTO set_scripts (set_id, script_id, blob_id, meta_id) VALUES (?, ?, ?, ?) ON CONFLICT (set_id, script_id) DO UPDATE SET blob_id = excluded.blob_id, meta_id = excluded.meta_id');
  const idOf = async (sha: string | null) => (sha === null ? null : blobIdOf(sha));
  for (const { planned, sha, meta, metaSha } of scripts.values()) {
    const row = known.get(planned.key);
    let scriptId: number;
    if (!row) {
      scriptId = (await insertScript.get(target, plan.profile, planned.key, planned.kind, planned.url, planned.frameUrl, planned.key, seenAt, seenAt, await idOf(sha)))!.id;
    } else {
      scriptId = row.id;
      const changed = (sha !== null && sha !== row.last_sha) || row.missing_streak !== 0 || row.url !== planned.url || row.frame_url !== planned.frameUrl;
      if (changed) await touchScript.run(seenAt, await idOf(sha), planned.url, planned.frameUrl, scriptId);
    }
    if (planned.library !== undefined) await setLibrary.run(planned.library ? JSON.stringify(planned.library) : null, scriptId);
    if (!reused) await addScript.run(setId, scriptId, await idOf(sha), await blobs.put(meta, metaSha));
  }
  if (!reused) {
    const findDestination = db.prepare<[number, string, string], { id: number }>('SELECT id FROM destinations WHERE target_id = ? AND profile = ? AND host = ?');
    const insertDestination = db.prepare<SqlValue[], { id: number }>('INSERT INTO destinations (target_id, profile, host, first_seen, last_seen) VALUES (?, ?, ?, ?, ?) RETURNING id');
    const addDestination = db.prepare('INSERT INTO set_destinations (set_id, destination_id, meta_id) VALUES (?, ?, ?) ON CONFLICT (set_id, destination_id) DO UPDATE SET meta_id = excluded.meta_id');
    for (const destination of destinations) {
      const id = (await findDestination.get(target, plan.profile, destination.host))?.id
        ?? (await insertDestination.get(target, plan.profile, destination.host, seenAt, seenAt))!.id;
      await addDestination.run(setId, id, await blobs.put(destination.meta, destination.metaSha));
    }
  }
  return { reused };
}

/**
 * Migration 015's data step: every scan's rows in the old per-scan tables become its set (scans that saw the same
 * thing share one), and the old tables are dropped. Chain records read the same values from the sets, so every
 * scan still verifies.
 */
export async function moveObservationsToSets(db: Db): Promise<void> {
  const scans = await db.prepare<[], { id: number; target_id: number; profile: string; finished_at: string }>(
    "SELECT id, target_id, profile, finished_at FROM scans WHERE status = 'ok' ORDER BY id",
  ).all();
  const scriptRows = db.prepare<[number], { key: string; script_id: number; blob_id: number | null; meta_id: number | null; body: string | null; meta: string | null }>(
    `SELECT sc.key, o.script_id, o.blob_id, o.meta_id, b.sha256 AS body, m.sha256 AS meta FROM observations o JOIN scripts sc ON sc.id = o.script_id
       LEFT JOIN blobs b ON b.id = o.blob_id LEFT JOIN blobs m ON m.id = o.meta_id WHERE o.scan_id = ?`,
  );
  const destinationRows = db.prepare<[number], { host: string; destination_id: number; meta_id: number; meta: string | null }>(
    `SELECT d.host, o.destination_id, o.meta_id, m.sha256 AS meta FROM destination_observations o JOIN destinations d ON d.id = o.destination_id
       LEFT JOIN blobs m ON m.id = o.meta_id WHERE o.scan_id = ?`,
  );
  const addScript = db.prepare('INSERT INTO set_scripts (set_id, script_id, blob_id, meta_id) VALUES (?, ?, ?, ?)');
  const addDestination = db.prepare('INSERT INTO set_destinations (set_id, destination_id, meta_id) VALUES (?, ?, ?)');
  const point = db.prepare('UPDATE scans SET set_id = ? WHERE id = ?');
  for (const scan of scans) {
    const scripts = await scriptRows.all(scan.id);
    const destinations = await destinationRows.all(scan.id);
    const digest = setDigest(
      scripts.map((s) => ({ key: s.key, body: s.body, meta: s.meta ?? '' })),
      destinations.map((d) => ({ key: d.host, body: null, meta: d.meta ?? '' })),
    );
    const set = await claimSet(db, scan.target_id, scan.profile, digest, scan.id, scan.finished_at);
    if (set.created) {
      for (const s of scripts) await addScript.run(set.id, s.script_id, s.blob_id, s.meta_id);
      for (const d of destinations) await addDestination.run(set.id, d.destination_id, d.meta_id);
    }
    await point.run(set.id, scan.id);
  }
  await db.exec('DROP TABLE observations; DROP TABLE destination_observations;');
}
