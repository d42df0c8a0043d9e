// The tamper-evident scan log: each scan's record (metadata and content hashes) hashed with the previous one's in its chain.

import { LATE_ALERT_TYPES } from './late-alerts.js';
import { sha256Hex } from '../plan/fingerprint.js';
import type { Db } from './database.js';

/** The alerts a scan's record leaves out, as SQL literals. */
const LATER = ['target.unhealthy', ...LATE_ALERT_TYPES].map((t) => `'${t}'`).join(', ');

export interface ScanRow {
  id: number;
  target: string;
  profile: string;
  url: string;
  final_url: string | null;
  started_at: string;
  finished_at: string;
  status: string;
  error_code: string | null;
  error_message: string | null;
  http_status: number | null;
  payment_form: number;
  script_count: number;
  headers_sha: string | null;
  forms_sha: string | null;
  canary_sha: string | null;
  runtime_sha: string | null;
  prev_hash: string | null;
  record_hash: string | null;
  chain_version: number;
  observations_digest: string | null;
  pruned_at: string | null;
  /** Where the scan's observations are; not part of the record (the record holds what is in it). */
  set_id: number | null;
  /** Format 3: the scan's place in the chain of its target and profile, and the scheduled slot it recorded. */
  chain_seq: number | null;
  slot: string | null;
  /** The chain's key with profile; not part of the record, which names the target. */
  target_id: number;
}

export const SCAN_SQL = `SELECT s.id, t.name AS target, s.profile, s.url, s.final_url, s.started_at, s.finished_at, s.status, s.error_code,
       s.error_message, s.http_status, s.payment_form, s.script_count, s.prev_hash, s.record_hash,
       s.chain_version, s.set_id, s.chain_seq, s.slot, s.target_id,
       COALESCE(s.observations_digest, CASE WHEN s.id <= os.pruned_through THEN os.pruned_digest END) AS observations_digest,
       COALESCE(s.pruned_at, CASE WHEN s.id <= os.pruned_through THEN os.pruned_at END) AS pruned_at,
       (SELECT sha256 FROM blobs WHERE id = s.headers_blob) AS headers_sha, (SELECT sha256 FROM blobs WHERE id = s.forms_blob) AS forms_sha,
       (SELECT sha256 FROM blobs WHERE id = s.canary_blob) AS canary_sha, (SELECT sha256 FROM blobs WHERE id = s.runtime_blob) AS runtime_sha
  FROM scans s JOIN targets t ON t.id = s.target_id LEFT JOIN observation_sets os ON os.id = s.set_id`;

type Observed = { key: string; body: string | null; meta: string | null }[];
type Destined = { host: string; meta: string | null }[];

/** What a set holds, as the chain lists a scan's observations (by key). `memo` shares a set's reading within one verify. */
async function observationsOf(db: Db, setId: number | null, memo?: Map<number, Observed>): Promise<Observed> {
  if (setId === null) return [];
  const cached = memo?.get(setId);
  if (cached) return cached;
  const rows = await db.prepare<[number], Observed[number]>(
    `SELECT sc.key, b.sha256 AS body, m.sha256 AS meta FROM set_scripts o JOIN scripts sc ON sc.id = o.script_id
       LEFT JOIN blobs b ON b.id = o.blob_id LEFT JOIN blobs m ON m.id = o.meta_id WHERE o.set_id = ? ORDER BY sc.key`,
  ).all(setId);
  remember(memo, setId, rows);
  return rows;
}

/** Bounded: a database of many distinct sets is verified in constant memory. */
export function remember<T>(memo: Map<number, T> | undefined, id: number, value: T): void {
  if (!memo) return;
  if (memo.size >= 2000) memo.clear();
  memo.set(id, value);
}

async function destinationsOf(db: Db, setId: number | null, memo?: Map<number, Destined>): Promise<Destined> {
  if (setId === null) return [];
  const cached = memo?.get(setId);
  if (cached) return cached;
  const rows = await db.prepare<[number], Destined[number]>(
    `SELECT d.host, m.sha256 AS meta FROM set_destinations o JOIN destinations d ON d.id = o.destination_id
       LEFT JOIN blobs m ON m.id = o.meta_id WHERE o.set_id = ? ORDER BY d.host`,
  ).all(setId);
  remember(memo, setId, rows);
  return rows;
}

/** The digest that stands for a scan's observations in chain format 2, kept on the scan when retention prunes them. */
export async function observationsDigest(db: Db, setId: number): Promise<string> {
  return digestOf(await observationsOf(db, setId));
}

const digestOf = (observations: unknown[]) => sha256Hex(JSON.stringify(observations));

function setDigestOf(setId: number | null, observations: Observed, memo?: ChainMemo): string {
  const cached = setId === null ? undefined : memo?.digests.get(setId);
  if (cached !== undefined) return cached;
  const digest = digestOf(observations);
  if (setId !== null) remember(memo?.digests, setId, digest);
  return digest;
}

/**
 * The canonical text of one scan: its metadata, and the content hash of everything it observed and raised.
 * Format 1 lists the observations; format 2 (scans written since retention exists) hashes them into one digest.
 * Health alerts are the scheduler's verdict on a run of scans, not content of one, and are not part of it; nor are
 * alerts raised later against what was stored (intel matches, visitors' reports).
 */
/** `memo`: a set's items are read once, not on every scan that points at it. */
export async function scanRecord(db: Db, row: ScanRow, memo?: ChainMemo): Promise<string> {
  const observations = await observationsOf(db, row.set_id, memo?.observed);
  const destinations = await destinationsOf(db, row.set_id, memo?.destined);
  // What an alert was when it was raised; its later decisions belong to the reviewers' record, not the scan's.
  const alerts = await db.prepare<[number], { id: number; type: string; severity: string; dedupe_key: string; old_value: string | null; new_value: string | null }>(
    `SELECT id, type, severity, dedupe_key, old_value, new_value FROM alerts WHERE first_scan_id = ? AND type NOT IN (${LATER}) ORDER BY id`,
  ).all(row.id);
  const { prev_hash: _prev, record_hash: _record, observations_digest: digest, pruned_at: pruned, chain_version: version, set_id: _set,
    chain_seq: seq, slot, target_id: _target, ...scan } = row;
  if (version >= 2) {
    const observed = pruned ? digest : setDigestOf(row.set_id, observations, memo);
    if (version >= 3) return JSON.stringify({ version, seq, scan: { ...scan, slot }, observations: observed, destinations, alerts });
    return JSON.stringify({ version, scan, observations: observed, destinations, alerts });
  }
  return JSON.stringify({ scan, observations, destinations, alerts });
}

export function hashOf(prev: string, record: string): string {
  return sha256Hex(`${prev}\n${record}`);
}

/** What a scan's set contributes to its record, shared by the scans of one set while the store is open. */
export type ChainMemo = { observed: Map<number, Observed>; destined: Map<number, Destined>; digests: Map<number, string>; pruned: Map<number, string | null> };

export function chainMemo(): ChainMemo {
  return { observed: new Map(), destined: new Map(), digests: new Map(), pruned: new Map() };
}

/**
 * Links a just-written scan to the chain of its target and profile (format 3). Called inside the scan's transaction,
 * after everything it wrote. The scan takes the next number of its chain, under the lock of the chain's head row, and
 * its hash covers the previous scan's: a removed, inserted or edited scan breaks the chain, and the head and the anchors
 * show removed newest scans. Only scans of one target and profile wait for each other, and those never run together.
 * Sets do not change once written except by retention, which stamps the set it prunes: a set stamped since it was
 * read (by any process) is read again.
 */
export async function chainScan(db: Db, scanId: number, memo?: ChainMemo): Promise<void> {
  const row = await db.prepare<[number], ScanRow>(`${SCAN_SQL} WHERE s.id = ?`).get(scanId);
  if (!row) return;
  const head = await db.prepare<[number, string], { seq: number; hash: string }>(
    `SELECT seq, hash FROM chain_heads WHERE target_id = ? AND profile = ?${db.dialect === 'postgres' ? ' FOR UPDATE' : ''}`,
  ).get(row.target_id, row.profile);
  const seq = (head?.seq ?? 0) + 1;
  await db.prepare('UPDATE scans SET chain_version = 3, chain_seq = ? WHERE id = ?').run(seq, scanId);
  // The record is of the row as now written.
  row.chain_version = 3;
  row.chain_seq = seq;
  if (memo && row.set_id !== null) {
    const pruned = (await db.prepare<[number], { pruned_at: string | null }>('SELECT pruned_at FROM observation_sets WHERE id = ?').get(row.set_id))?.pruned_at ?? null;
    if (memo.pruned.get(row.set_id) !== pruned) {
      memo.observed.delete(row.set_id);
      memo.destined.delete(row.set_id);
      memo.digests.delete(row.set_id);
      remember(memo.pruned, row.set_id, pruned);
    }
  }
  const hash = hashOf(head?.hash ?? '', await scanRecord(db, row, memo));
  await db.prepare('UPDATE scans SET record_hash = ? WHERE id = ?').run(hash, scanId);
  await db.prepare(
    `INSERT INTO chain_heads (target_id, profile, seq, hash) VALUES (?, ?, ?, ?)
     ON CONFLICT (target_id, profile) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`,
  ).run(row.target_id, row.profile, seq, hash);
}
