// The PCI DSS 6.4.3 inventory: every script per page and profile, its integrity value and its authorization.

import type { ReleaseVerification } from '../detect/intel/release-claims.js';
import type { LibraryMatch } from '../detect/intel/libraries.js';
import { settingsOf } from './script-settings.js';
import type { ObservationMeta } from '../plan/plan.js';
import type { Blobs } from './blobs.js';
import type { Db } from './database.js';
import { inOrder, whenGiven } from './sql.js';
import { SCRIPT_LAST_SEEN, SCRIPT_LATEST_META } from './observation-sets.js';
import { LATEST_AUTHORIZATION } from './authorizations.js';

export type InventoryState = 'approved' | 'pending' | 'unapproved' | 'removed';

/** One script of the inventory as stored; reports add its party (src/evidence/inventory-report.ts). */
export interface StoredScriptRow {
  scriptId: number;
  target: string;
  page: string;
  profile: string;
  kind: string;
  subject: string;
  url: string | null;
  host: string | null;
  frame: string;
  sha256: string | null;
  sri: string | null;
  size: number | null;
  /** The document or script that loaded, inserted or compiled it. */
  initiator: string | null;
  status: number | null;
  remoteIp: string | null;
  firstSeen: string;
  lastSeen: string;
  present: boolean;
  state: InventoryState;
  /** Why the latest raw bytes count as an accepted version although they differ (e.g. volatile tokens masked). */
  masked: string | null;
  /** The library the script was recognised as (`jquery 3.6.0`), and that version's known vulnerabilities. */
  library: string | null;
  vulnerabilities: string[];
  /** What the published npm release says of these bytes: `byte-identical to jquery@3.7.1 (dist/jquery.min.js)`, `differs from …`, `not verified: …`. */
  release: string | null;
  /** Masking rules the user turned off for this script. */
  disabledRules: string[];
  /** Who approved the current version, when, and the note of that approval (the version's history, not the script's reason). */
  approvedBy: string | null;
  approvedAt: string | null;
  versionNote: string | null;
  /** The script's authorization (src/store/authorizations.ts): why it may run, by whom, when; kept across versions. */
  justification: string | null;
  authorizedBy: string | null;
  authorizedAt: string | null;
  /** Authorized only by a bulk `approve --all` of a first baseline: it still needs a justification of its own. */
  bulkApproved: boolean;
}

interface Row {
  id: number;
  target: string;
  page: string;
  profile: string;
  kind: string;
  key: string;
  url: string | null;
  frame_url: string;
  first_seen: string;
  last_seen: string;
  missing_streak: number;
  retired_at: string | null;
  sha256: string | null;
  state: 'pending' | 'approved' | null;
  decided_by: string | null;
  decided_at: string | null;
  note: string | null;
  meta_id: number | null;
  target_id: number;
  library: string | null;
  au_justification: string | null;
  au_by: string | null;
  au_at: string | null;
  au_bulk: number | null;
  disabled_rules: string | null;
  learned: string | null;
}

function hostOf(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}

export interface InventoryQuery {
  target?: string;
  limit?: number;
  offset?: number;
}

/** One line for the inventory: what the published release says of a script's bytes. */
export function describeRelease(release: ReleaseVerification | undefined): string | null {
  if (!release) return null;
  if (release.status === 'identical') return `byte-identical to ${release.name}@${release.version} as published (${release.path})`;
  if (release.status === 'differs') return `claims ${release.name}@${release.version}, but its bytes match no published file of it`;
  return `${release.name}@${release.version}: not verified (${release.reason})`;
}

function libraryFields(raw: string | null): { library: string | null; vulnerabilities: string[]; release: string | null } {
  if (!raw) return { library: null, vulnerabilities: [], release: null };
  try {
    const match = JSON.parse(raw) as LibraryMatch;
    return { library: `${match.name} ${match.version}`, vulnerabilities: match.vulnerabilities ?? [], release: describeRelease(match.release) };
  } catch {
    return { library: null, vulnerabilities: [], release: null };
  }
}

export async function readInventory(db: Db, blobs: Blobs, filter: InventoryQuery): Promise<StoredScriptRow[]> {
  // The page of scripts is chosen first, walking targets by name and each one's scripts by index (scripts_listing;
  // SQLite's CROSS JOIN keeps that order): last sightings and metadata are looked up for the rows shown, not for all.
  const target = whenGiven('tp.name', filter.target);
  const rows = (await db
    .prepare(
      `SELECT s.id, s.target_id, t.name AS target, t.url AS page, s.profile, s.kind, s.key, s.url, s.frame_url, s.first_seen,
              ${SCRIPT_LAST_SEEN} AS last_seen, s.missing_streak, s.retired_at, s.library, b.sha256, bl.state, bl.decided_by,
              bl.decided_at, bl.note, ${SCRIPT_LATEST_META} AS meta_id, au.justification AS au_justification,
              au.authorized_by AS au_by, au.authorized_at AS au_at, au.bulk AS au_bulk, ss.disabled_rules, ss.learned
         FROM (SELECT sc.* FROM targets tp ${db.dialect === 'sqlite' ? 'CROSS JOIN' : 'JOIN'} scripts sc ON sc.target_id = tp.id WHERE ${target.sql}
                ORDER BY tp.name, sc.profile, sc.first_seen, sc.id LIMIT ? OFFSET ?) s
         JOIN targets t ON t.id = s.target_id
         LEFT JOIN blobs b ON b.id = s.last_blob
         LEFT JOIN baseline bl ON bl.target_id = s.target_id AND bl.profile = s.profile AND bl.subject_type = 'script'
                              AND bl.subject_key = s.key AND bl.value = b.sha256
         LEFT JOIN script_authorizations au ON au.id = ${LATEST_AUTHORIZATION}
         LEFT JOIN script_settings ss ON ss.script_id = s.id
        ORDER BY t.name, s.profile, s.first_seen, s.id`,
    )
    .all(...target.params, filter.limit ?? Number.MAX_SAFE_INTEGER, filter.offset ?? 0)) as Row[];
  const byNormalized = db.prepare<[number, string, string, string], Pick<Row, 'state' | 'decided_by' | 'decided_at' | 'note'>>(
    `SELECT state, decided_by, decided_at, note FROM baseline
      WHERE target_id = ? AND profile = ? AND subject_type = 'script' AND subject_key = ? AND normalized = ?
      ORDER BY state = 'approved' DESC, id DESC LIMIT 1`,
  );
  // The rows' metadata in one read, not one per row (a round trip each on PostgreSQL).
  const metas = await blobs.jsonMany<ObservationMeta>(rows.flatMap((r) => (r.meta_id === null ? [] : [r.meta_id])));
  return inOrder(rows, async (found) => {
    const meta = found.meta_id === null ? null : metas.get(found.meta_id) ?? null;
    const masked = meta?.masked ?? null;
    // A masked observation matched an accepted version by its normalised text; it takes that version's decision.
    const decision = found.state === null && masked && meta?.normalized
      ? await byNormalized.get(found.target_id, found.profile, found.key, meta.normalized)
      : undefined;
    const row = decision ? { ...found, ...decision } : found;
    const state: InventoryState = row.retired_at ? 'removed' : row.state ?? 'unapproved';
    return {
      scriptId: row.id,
      target: row.target,
      page: row.page,
      profile: row.profile,
      kind: row.kind,
      subject: row.key,
      url: row.url,
      host: hostOf(row.url),
      frame: row.frame_url,
      sha256: row.sha256,
      sri: meta?.sri ?? null,
      size: meta?.size ?? null,
      initiator: meta?.initiator?.url ?? null,
      status: meta?.status ?? null,
      remoteIp: meta?.remoteIp ?? null,
      firstSeen: row.first_seen,
      lastSeen: row.last_seen,
      present: row.missing_streak === 0 && !row.retired_at,
      state,
      masked,
      ...libraryFields(row.library),
      disabledRules: settingsOf(row).disabled,
      approvedBy: row.state === 'approved' ? row.decided_by : null,
      approvedAt: row.state === 'approved' ? row.decided_at : null,
      versionNote: row.state === 'approved' ? row.note : null,
      justification: row.au_justification,
      authorizedBy: row.au_by,
      authorizedAt: row.au_at,
      bulkApproved: row.au_bulk === 1,
    };
  });
}
