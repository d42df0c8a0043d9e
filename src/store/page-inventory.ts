// The rest of a page's inventory: hosts it contacted and its security headers, with their approval state.

import type { PlannedDestination } from '../plan/plan.js';
import type { Blobs } from './blobs.js';
import type { Db } from './database.js';
import { whenGiven, type SqlValue } from './sql.js';
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
  const target = whenGiven('t.name', filter.target);
  const rows = (await db
    .prepare(
      `SELECT t.name AS target, t.url AS page, d.profile, d.host, d.first_seen, ${DESTINATION_LAST_SEEN} AS last_seen, bl.state,
              ${DESTINATION_LATEST_META} AS meta_id
         FROM destinations d JOIN targets t ON t.id = d.target_id
         LEFT JOIN baseline bl ON bl.target_id = d.target_id AND bl.profile = d.profile AND bl.subject_type = 'host' AND bl.subject_key = d.host
        WHERE ${target.sql}
        ORDER BY t.name, d.profile, d.host`,
    )
    .all(...target.params)) as {
      target: string; page: string; profile: string; host: string; first_seen: string; last_seen: string; state: State; meta_id: number | null;
    }[];
  // Metadata in one read, not one per row (a round trip each on PostgreSQL).
  const metas = await blobs.jsonMany<PlannedDestination>(rows.flatMap((r) => (r.meta_id === null ? [] : [r.meta_id])));
  return rows.map((row) => {
    const meta = row.meta_id === null ? null : metas.get(row.meta_id) ?? null;
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
  const target = whenGiven('t.name', filter.target);
  const scans = (await db
    .prepare(
      `SELECT t.id AS target_id, t.name AS target, s.profile, s.finished_at, s.headers_blob
         FROM page_latest p JOIN scans s ON s.id = p.last_ok_scan_id JOIN targets t ON t.id = s.target_id
        WHERE t.type = 'page' AND ${target.sql}
        ORDER BY t.name, s.profile`,
    )
    .all(...target.params)) as { target_id: number; target: string; profile: string; finished_at: string; headers_blob: number | null }[];
  // The baseline's header entries and the scans' header documents in one read each, not per scan and header.
  const entries = await db.prepare<SqlValue[], { target_id: number; profile: string; subject_key: string; value: string; state: 'approved' | 'pending' }>(
    `SELECT b.target_id, b.profile, b.subject_key, b.value, b.state FROM baseline b JOIN targets t ON t.id = b.target_id
      WHERE b.subject_type = 'header' AND ${target.sql}`,
  ).all(...target.params);
  const namesOf = new Map<string, Set<string>>();
  const stateOf = new Map<string, 'approved' | 'pending'>();
  for (const e of entries) {
    const page = `${e.target_id}\u0000${e.profile}`;
    namesOf.set(page, (namesOf.get(page) ?? new Set()).add(e.subject_key));
    stateOf.set(`${page}\u0000${e.subject_key}\u0000${e.value}`, e.state);
  }
  const documents = await blobs.jsonMany<Record<string, string>>(scans.flatMap((s) => (s.headers_blob === null ? [] : [s.headers_blob])));
  const out: HeaderRow[] = [];
  for (const scan of scans) {
    const headers = (scan.headers_blob === null ? null : documents.get(scan.headers_blob)) ?? {};
    const page = `${scan.target_id}\u0000${scan.profile}`;
    for (const name of [...(namesOf.get(page) ?? [])].sort()) {
      const value = headers[name] ?? null;
      const state = stateOf.get(`${page}\u0000${name}\u0000${JSON.stringify(value)}`) ?? 'unapproved';
      out.push({ target: scan.target, profile: scan.profile, name, value, seenAt: scan.finished_at, state });
    }
  }
  return out;
}
