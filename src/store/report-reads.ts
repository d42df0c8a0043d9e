// What the assessor report reads: a target's scans in a period, its header values over them, and the scan chain's heads.

import type { Blobs } from './blobs.js';
import type { Db } from './database.js';

export interface PeriodScan {
  id: number;
  profile: string;
  url: string;
  startedAt: string;
  status: 'ok' | 'failed';
  errorCode: string | null;
  paymentForm: boolean;
}

export interface HeaderValues {
  /** The first scan in the period that saw these values. */
  scanId: number;
  at: string;
  profile: string;
  headers: Record<string, string>;
}

export interface ChainHead {
  scanId: number;
  hash: string;
}

/** Every scan of a target started within [from, to], oldest first. */
export async function periodScans(db: Db, target: string, from: string, to: string): Promise<PeriodScan[]> {
  return ((await db.prepare(
    `SELECT s.id, s.profile, s.url, s.started_at, s.status, s.error_code, s.payment_form FROM scans s JOIN targets t ON t.id = s.target_id
      WHERE t.name = ? AND s.started_at >= ? AND s.started_at <= ? ORDER BY s.started_at, s.id`,
  ).all(target, from, to)) as { id: number; profile: string; url: string; started_at: string; status: 'ok' | 'failed'; error_code: string | null; payment_form: number }[])
    .map((r) => ({ id: r.id, profile: r.profile, url: r.url, startedAt: r.started_at, status: r.status, errorCode: r.error_code, paymentForm: r.payment_form === 1 }));
}

/**
 * The response headers of a target's successful scans in the period, one entry each time they differ from the
 * previous scan of the same profile (headers are stored once per distinct set, so unchanged scans read nothing).
 */
export async function headerHistory(db: Db, blobs: Blobs, target: string, from: string, to: string): Promise<HeaderValues[]> {
  const rows = (await db.prepare(
    `SELECT s.id, s.profile, s.started_at, s.headers_blob FROM scans s JOIN targets t ON t.id = s.target_id
      WHERE t.name = ? AND s.status = 'ok' AND s.headers_blob IS NOT NULL AND s.started_at >= ? AND s.started_at <= ? ORDER BY s.started_at, s.id`,
  ).all(target, from, to)) as { id: number; profile: string; started_at: string; headers_blob: number }[];
  const last = new Map<string, number>();
  const out: HeaderValues[] = [];
  for (const row of rows) {
    if (last.get(row.profile) === row.headers_blob) continue;
    last.set(row.profile, row.headers_blob);
    out.push({ scanId: row.id, at: row.started_at, profile: row.profile, headers: await blobs.json<Record<string, string>>(row.headers_blob) ?? {} });
  }
  return out;
}

/** The newest chained scan started at or before `at` (null before any): the head a report was built from. */
export async function chainHeadAt(db: Db, at: string): Promise<ChainHead | null> {
  const row = (await db.prepare('SELECT id, record_hash FROM scans WHERE record_hash IS NOT NULL AND started_at <= ? ORDER BY id DESC LIMIT 1')
    .get(at)) as { id: number; record_hash: string } | undefined;
  return row ? { scanId: row.id, hash: row.record_hash } : null;
}

/** Whether a chain head is still in the database as recorded. */
export async function hasChainHead(db: Db, head: ChainHead): Promise<boolean> {
  return Boolean(await db.prepare('SELECT 1 FROM scans WHERE id = ? AND record_hash = ?').get(head.scanId, head.hash));
}

/** When the first scan of a target started (null before any). */
export async function firstScanAt(db: Db, target: string): Promise<string | null> {
  return ((await db.prepare('SELECT MIN(s.started_at) AS "at" FROM scans s JOIN targets t ON t.id = s.target_id WHERE t.name = ?').get(target)) as { at: string | null }).at;
}
