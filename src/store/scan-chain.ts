// The tamper-evident scan log: each scan's record (metadata and content hashes) hashed together with the previous one's.

import { brotliDecompressSync } from 'node:zlib';
import { sha256Hex } from '../plan/fingerprint.js';
import { verifyAudit } from './audit.js';
import type { Db } from './database.js';

interface ScanRow {
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
}

const SCAN_SQL = `SELECT s.id, t.name AS target, s.profile, s.url, s.final_url, s.started_at, s.finished_at, s.status, s.error_code,
       s.error_message, s.http_status, s.payment_form, s.script_count, s.prev_hash, s.record_hash,
       s.chain_version, s.observations_digest, s.pruned_at,
       (SELECT sha256 FROM blobs WHERE id = s.headers_blob) AS headers_sha, (SELECT sha256 FROM blobs WHERE id = s.forms_blob) AS forms_sha,
       (SELECT sha256 FROM blobs WHERE id = s.canary_blob) AS canary_sha, (SELECT sha256 FROM blobs WHERE id = s.runtime_blob) AS runtime_sha
  FROM scans s JOIN targets t ON t.id = s.target_id`;

function observationsOf(db: Db, scanId: number): { key: string; body: string | null; meta: string | null }[] {
  return db.prepare<[number], { key: string; body: string | null; meta: string | null }>(
    `SELECT sc.key, b.sha256 AS body, m.sha256 AS meta FROM observations o JOIN scripts sc ON sc.id = o.script_id
       LEFT JOIN blobs b ON b.id = o.blob_id LEFT JOIN blobs m ON m.id = o.meta_id WHERE o.scan_id = ? ORDER BY sc.key`,
  ).all(scanId);
}

/** The digest that stands for a scan's observations in chain format 2, kept on the scan when retention prunes them. */
export function observationsDigest(db: Db, scanId: number): string {
  return digestOf(observationsOf(db, scanId));
}

const digestOf = (observations: unknown[]) => sha256Hex(JSON.stringify(observations));

/**
 * The canonical text of one scan: its metadata, and the content hash of everything it observed and raised.
 * Format 1 lists the observations; format 2 (scans written since retention exists) hashes them into one digest.
 * Health alerts are the scheduler's verdict on a run of scans, not content of one, and are not part of it.
 */
function scanRecord(db: Db, row: ScanRow): string {
  const observations = observationsOf(db, row.id);
  const destinations = db.prepare<[number], { host: string; meta: string | null }>(
    `SELECT d.host, m.sha256 AS meta FROM destination_observations o JOIN destinations d ON d.id = o.destination_id
       LEFT JOIN blobs m ON m.id = o.meta_id WHERE o.scan_id = ? ORDER BY d.host`,
  ).all(row.id);
  // What an alert was when it was raised; its later decisions belong to the reviewers' record, not the scan's.
  const alerts = db.prepare<[number], { id: number; type: string; severity: string; dedupe_key: string; old_value: string | null; new_value: string | null }>(
    "SELECT id, type, severity, dedupe_key, old_value, new_value FROM alerts WHERE first_scan_id = ? AND type <> 'target.unhealthy' ORDER BY id",
  ).all(row.id);
  const { prev_hash: _prev, record_hash: _record, observations_digest: digest, pruned_at: pruned, chain_version: version, ...scan } = row;
  if (version >= 2) {
    const observed = pruned ? digest : digestOf(observations);
    return JSON.stringify({ version, scan, observations: observed, destinations, alerts });
  }
  return JSON.stringify({ scan, observations, destinations, alerts });
}

function hashOf(prev: string, record: string): string {
  return sha256Hex(`${prev}\n${record}`);
}

/** Links a just-written scan to the chain. Called inside the scan's transaction, after everything it wrote. */
export function chainScan(db: Db, scanId: number): void {
  const previous = db.prepare<[number], { record_hash: string | null }>(
    'SELECT record_hash FROM scans WHERE id < ? AND record_hash IS NOT NULL ORDER BY id DESC LIMIT 1',
  ).get(scanId);
  db.prepare('UPDATE scans SET chain_version = 2 WHERE id = ?').run(scanId);
  const row = db.prepare<[number], ScanRow>(`${SCAN_SQL} WHERE s.id = ?`).get(scanId);
  if (!row) return;
  const prev = previous?.record_hash ?? '';
  db.prepare('UPDATE scans SET prev_hash = ?, record_hash = ? WHERE id = ?').run(prev, hashOf(prev, scanRecord(db, row)), scanId);
}

export interface VerifyReport {
  ok: boolean;
  scans: number;
  /** Scans written before the chain existed (an older database): listed, not judged. */
  unchained: number;
  blobs: number;
  /** Entries in the audit log, checked the same way. */
  auditEntries: number;
  /** The first thing that does not match, or null. */
  firstBreak: { kind: 'scan' | 'blob' | 'audit'; id: number; sha256?: string; reason: string } | null;
}

/** Checks every scan against the chain and every blob against its SHA-256; stops at the first break of each kind. */
export function verifyStore(db: Db): VerifyReport {
  const report: VerifyReport = { ok: true, scans: 0, unchained: 0, blobs: 0, auditEntries: 0, firstBreak: null };
  let prev: string | null = null;
  for (const row of db.prepare<[], ScanRow>(`${SCAN_SQL} ORDER BY s.id`).iterate()) {
    report.scans++;
    if (row.record_hash === null && prev === null) {
      report.unchained++;
      continue;
    }
    const expectedPrev: string = prev ?? '';
    let reason: string | null = null;
    if (row.record_hash === null) reason = 'has no hash: written outside scriptwarden, or the chain was cut';
    else if (row.prev_hash !== expectedPrev) reason = 'does not follow the scan before it: a scan was removed, inserted or re-hashed';
    else if (hashOf(expectedPrev, scanRecord(db, row)) !== row.record_hash) reason = 'does not match its hash: the scan, its observations or its alerts were edited';
    if (reason) {
      report.firstBreak = { kind: 'scan', id: row.id, reason: `scan #${row.id} (${row.target}, ${row.finished_at}) ${reason}` };
      break;
    }
    prev = row.record_hash;
  }
  for (const blob of db.prepare<[], { id: number; sha256: string; size: number; encoding: string; data: Buffer }>('SELECT id, sha256, size, encoding, data FROM blobs ORDER BY id').iterate()) {
    report.blobs++;
    if (report.firstBreak) continue;
    let reason: string | null = null;
    try {
      const bytes = blob.encoding === 'br' ? brotliDecompressSync(blob.data) : blob.data;
      if (bytes.length !== blob.size) reason = `is ${bytes.length} bytes, recorded as ${blob.size}`;
      else if (sha256Hex(bytes) !== blob.sha256) reason = 'does not match its SHA-256';
    } catch (error) {
      reason = `cannot be decoded (${(error as Error).message})`;
    }
    if (reason) report.firstBreak = { kind: 'blob', id: blob.id, sha256: blob.sha256, reason: `blob ${blob.sha256} ${reason}` };
  }
  const audit = verifyAudit(db);
  report.auditEntries = audit.entries;
  if (audit.firstBreak && !report.firstBreak) report.firstBreak = { kind: 'audit', id: audit.firstBreak.id, reason: audit.firstBreak.reason };
  report.ok = report.firstBreak === null;
  return report;
}
