// The rest of a page's inventory: hosts it contacted and its security headers, with their approval state.

import type { PlannedDestination } from '../plan/plan.js';
import type { Blobs } from './blobs.js';
import type { Db } from './database.js';
import { inOrder } from './sql.js';
import { DESTINATION_LAST_SEEN, DESTINATION_LATEST_META } from './observation-sets.js';

/** One destination as stored; reports add its party (src/evidence/inventory-report.ts). */
export interface StoredDestinationRow {
  target: string;
  /** The page it was seen from. */
  page: string;
  profile: string;
  host: string;
  types: string[];
  methods: string[];
  initiators: string[];
  firstSeen: string;
  lastSeen: string;
  state: 'approved' | 'pending' | 'unapproved';
}

export interface HeaderRow {
  target: string;
  profile: string;
  name: string;
  value: string | null;
  seenAt: string;
  state: 'approved' | 'pending' | 'unapproved';
}

type State = 'approved' | 'pending' | null;

export async function readDestinations(db: Db, blobs: Blobs, filter: { target?: string }): Promise<StoredDestinationRow[]> {
  const rows = (await db
    .prepare(
      `SELECT t.name AS target, t.url AS page, d.profile, d.host, d.first_seen, ${DESTINATION_LAST_SEEN} AS last_seen, bl.state,
              ${DESTINATION_LATEST_META} AS meta_id
         FROM destinations d JOIN targets t ON t.id = d.target_id
         LEFT JOIN baseline bl ON bl.target_id = d.target_id AND bl.profile = d.profile AND bl.subject_type = 'host' AND bl.subject_key = d.host
        WHERE (CAST(? AS TEXT) IS NULL OR t.name = ?)
        ORDER BY t.name, d.profile, d.host`,
    )
    .all(filter.target ?? null, filter.target ?? null)) as {
      target: string; page: string; profile: string; host: string; first_seen: string; last_seen: string; state: State; meta_id: number | null;
    }[];
  return inOrder(rows, async (row) => {
    const meta = await blobs.json<PlannedDestination>(row.meta_id);
    return {
      target: row.target,
      profile: row.profile,
      page: row.page,
      host: row.host,
      types: meta?.types ?? [],
      methods: meta?.methods ?? [],
      initiators: meta?.initiators ?? [],
      firstSeen: row.first_seen,
      lastSeen: row.last_seen,
      state: row.state ?? 'unapproved',
    };
  });
}

/** Security headers of each target's latest successful scan. */
export async function readHeaders(db: Db, blobs: Blobs, filter: { target?: string }): Promise<HeaderRow[]> {
  const scans = (await db
    .prepare(
      `SELECT t.id AS target_id, t.name AS target, s.profile, s.finished_at, s.headers_blob
         FROM page_latest p JOIN scans s ON s.id = p.last_ok_scan_id JOIN targets t ON t.id = s.target_id
        WHERE t.type = 'page' AND (CAST(? AS TEXT) IS NULL OR t.name = ?)
        ORDER BY t.name, s.profile`,
    )
    .all(filter.target ?? null, filter.target ?? null)) as { target_id: number; target: string; profile: string; finished_at: string; headers_blob: number | null }[];
  const stateOf = db.prepare<[number, string, string, string], { state: 'approved' | 'pending' }>(
    "SELECT state FROM baseline WHERE target_id = ? AND profile = ? AND subject_type = 'header' AND subject_key = ? AND value = ?",
  );
  const out: HeaderRow[] = [];
  for (const scan of scans) {
    const headers = await blobs.json<Record<string, string>>(scan.headers_blob) ?? {};
    const names = (await db
      .prepare("SELECT DISTINCT subject_key FROM baseline WHERE target_id = ? AND profile = ? AND subject_type = 'header' ORDER BY subject_key")
      .all(scan.target_id, scan.profile)) as { subject_key: string }[];
    for (const { subject_key: name } of names) {
      const value = headers[name] ?? null;
      const state = (await stateOf.get(scan.target_id, scan.profile, name, JSON.stringify(value)))?.state ?? 'unapproved';
      out.push({ target: scan.target, profile: scan.profile, name, value, seenAt: scan.finished_at, state });
    }
  }
  return out;
}
