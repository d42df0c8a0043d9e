// Reads what a scan is compared against: accepted script versions, header values and hosts.

import type { BaselineSnapshot, KnownScript } from '../plan/baseline.js';
import { emptyBaseline } from '../plan/baseline.js';
import { isAnonymous } from '../plan/identity.js';
import type { LibraryMatch } from '../detect/intel/libraries.js';
import type { ScriptKind } from '../capture/types.js';
import type { Blobs } from './blobs.js';
import type { Db } from './database.js';
import { inOrder } from './sql.js';
import { readSettingsFor } from './script-settings.js';
import { targetId } from './targets.js';

interface ScriptRow {
  id: number;
  key: string;
  kind: ScriptKind;
  url: string | null;
  frame_url: string;
  retired_at: string | null;
  missing_streak: number;
  last_blob: number | null;
  last_sha: string | null;
  library: string | null;
}

function parseLibrary(raw: string | null): LibraryMatch | null {
  if (!raw) return null;
  try {
    return JSON.parse(raw) as LibraryMatch;
  } catch {
    return null;
  }
}

export async function readBaseline(db: Db, blobs: Blobs, targetName: string, profile: string): Promise<BaselineSnapshot> {
  const target = await targetId(db, targetName);
  if (target === null) return emptyBaseline();
  const established = (await db
    .prepare("SELECT 1 FROM scans WHERE target_id = ? AND profile = ? AND status = 'ok' LIMIT 1")
    .get(target, profile)) !== undefined;
  const entries = await db
    .prepare<[number, string], { subject_type: string; subject_key: string; value: string; normalized: string | null }>(
      'SELECT subject_type, subject_key, value, normalized FROM baseline WHERE target_id = ? AND profile = ? ORDER BY id DESC',
    )
    .all(target, profile);
  const accepted = new Map<string, string[]>();
  const normalized = new Map<string, string[]>();
  const headers = new Map<string, string[]>();
  const hosts = new Set<string>();
  const acceptedFindings = new Set<string>();
  for (const entry of entries) {
    if (entry.subject_type === 'script') {
      accepted.set(entry.subject_key, [...(accepted.get(entry.subject_key) ?? []), entry.value]);
      if (entry.normalized) normalized.set(entry.subject_key, [...(normalized.get(entry.subject_key) ?? []), entry.normalized]);
    }
    else if (entry.subject_type === 'header') headers.set(entry.subject_key, [...(headers.get(entry.subject_key) ?? []), entry.value]);
    else if (/^(exfil|miner|stored):/.test(entry.subject_key)) acceptedFindings.add(entry.subject_key);
    else hosts.add(entry.subject_key);
  }
  const rows = await db
    .prepare<[number, string], ScriptRow>(
      `SELECT s.id, s.key, s.kind, s.url, s.frame_url, s.retired_at, s.missing_streak, s.last_blob, b.sha256 AS last_sha, s.library
         FROM scripts s LEFT JOIN blobs b ON b.id = s.last_blob
        WHERE s.target_id = ? AND s.profile = ?`,
    )
    .all(target, profile);
  const settings = await readSettingsFor(db, target, profile);
  const scripts: KnownScript[] = await inOrder(rows, async (row) => ({
    id: row.id,
    key: row.key,
    kind: row.kind,
    url: row.url,
    frameUrl: row.frame_url,
    retired: row.retired_at !== null,
    missingStreak: row.missing_streak,
    accepted: accepted.get(row.key) ?? [],
    acceptedNormalized: normalized.get(row.key) ?? [],
    lastSha: row.last_sha,
    library: parseLibrary(row.library),
    mask: settings.get(row.id) ?? { disabled: [], learned: [] },
    lastBody: isAnonymous(row) && row.last_blob !== null ? await blobs.text(row.last_blob) : null,
  }));
  return { established, scripts, headers, hosts, acceptedFindings };
}
