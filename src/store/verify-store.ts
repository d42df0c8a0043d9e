// `verify`: every scan chain, the chain heads, the anchors, every stored blob and the audit log, each to its first break.

import { brotliDecompressSync } from 'node:zlib';
import { sha256Hex } from '../plan/fingerprint.js';
import { verifyAudit } from './audit.js';
import { verifyAnchors } from './chain-anchors.js';
import type { Db } from './database.js';
import { chainMemo, hashOf, SCAN_SQL, scanRecord, type ChainMemo, type ScanRow } from './scan-chain.js';
import { byId } from './sql.js';

export interface VerifyReport {
  ok: boolean;
  scans: number;
  /** Scans written before the chain existed (an older database): listed, not judged. */
  unchained: number;
  /** Chains of one target and profile (format 3), each checked from its first scan to its head. */
  chains: number;
  /** Anchors over the chains' heads, checked as a chain of their own and against the scans they list. */
  anchors: number;
  blobs: number;
  /** Entries in the audit log, checked the same way. */
  auditEntries: number;
  /** The first thing that does not match, or null. `chain`: a chain's head; its id is the target's. */
  firstBreak: { kind: 'scan' | 'chain' | 'anchor' | 'blob' | 'audit'; id: number; sha256?: string; reason: string } | null;
}

type Break = NonNullable<VerifyReport['firstBreak']>;
const scanBreak = (row: ScanRow, reason: string): Break => ({ kind: 'scan', id: row.id, reason: `scan #${row.id} (${row.target}, ${row.finished_at}) ${reason}` });

/** Formats 1 and 2: one chain in scan id order, written before chains were kept per target and profile. */
async function verifyLegacyChain(db: Db, report: VerifyReport, memo: ChainMemo): Promise<Break | null> {
  let prev: string | null = null;
  let prevId: number | null = null;
  for await (const row of byId((after) => db.prepare<[number], ScanRow>(`${SCAN_SQL} WHERE s.id > ? AND s.chain_seq IS NULL ORDER BY s.id LIMIT 500`).all(after))) {
    report.scans++;
    if (row.record_hash === null && prev === null) {
      report.unchained++;
      continue;
    }
    const expectedPrev: string = prev ?? '';
    // Scan ids are never reused or skipped by scriptwarden (no scan row is ever deleted): a gap is a removed scan.
    const follows = row.prev_hash !== null ? row.prev_hash === expectedPrev : prevId === null || row.id === prevId + 1;
    if (row.record_hash === null) return scanBreak(row, 'has no hash: written outside scriptwarden, or the chain was cut');
    if (!follows) return scanBreak(row, 'does not follow the scan before it: a scan was removed, inserted or re-hashed');
    if (hashOf(expectedPrev, await scanRecord(db, row, memo)) !== row.record_hash) return scanBreak(row, 'does not match its hash: the scan, its observations or its alerts were edited');
    prev = row.record_hash;
    prevId = row.id;
  }
  return null;
}

/** Format 3 scans in chain order: by target, profile and place in the chain. */
async function* chainRows(db: Db): AsyncGenerator<ScanRow> {
  const first = db.prepare<[], ScanRow>(`${SCAN_SQL} WHERE s.chain_seq IS NOT NULL ORDER BY s.target_id, s.profile, s.chain_seq LIMIT 500`);
  const next = db.prepare<[number, string, number], ScanRow>(
    `${SCAN_SQL} WHERE s.chain_seq IS NOT NULL AND (s.target_id, s.profile, s.chain_seq) > (?, ?, ?) ORDER BY s.target_id, s.profile, s.chain_seq LIMIT 500`,
  );
  let page = await first.all();
  while (page.length > 0) {
    yield* page;
    const last = page[page.length - 1]!;
    page = await next.all(last.target_id, last.profile, last.chain_seq!);
  }
}

/** Every chain from its first scan to its head: numbered without gaps, each scan hashed over the one before. */
async function verifyChains(db: Db, report: VerifyReport, memo: ChainMemo): Promise<Break | null> {
  const heads = new Map<string, { targetId: number; profile: string; seq: number; hash: string }>();
  for (const h of await db.prepare<[], { target_id: number; profile: string; seq: number; hash: string }>('SELECT target_id, profile, seq, hash FROM chain_heads').all()) {
    heads.set(JSON.stringify([h.target_id, h.profile]), { targetId: h.target_id, profile: h.profile, seq: h.seq, hash: h.hash });
  }
  let current: { key: string; row: ScanRow } | null = null;
  const endOf = (last: ScanRow): Break | null => {
    const key = JSON.stringify([last.target_id, last.profile]);
    const head = heads.get(key);
    heads.delete(key);
    const chain = `the chain of ${last.target} (${last.profile})`;
    if (!head) return { kind: 'chain', id: last.target_id, reason: `${chain} has no head: it was removed` };
    if (head.seq > last.chain_seq!) return { kind: 'chain', id: last.target_id, reason: `${chain} ends at scan ${last.chain_seq} but its head is scan ${head.seq}: its newest scans were removed` };
    if (head.seq !== last.chain_seq || head.hash !== last.record_hash) return { kind: 'chain', id: last.target_id, reason: `${chain}: its head does not match its newest scan (${last.chain_seq}): the head was edited` };
    return null;
  };
  for await (const row of chainRows(db)) {
    report.scans++;
    const key = JSON.stringify([row.target_id, row.profile]);
    let prev = '';
    let expected = 1;
    if (current && current.key === key) {
      prev = current.row.record_hash ?? '';
      expected = current.row.chain_seq! + 1;
    } else {
      if (current) {
        const ended = endOf(current.row);
        if (ended) return ended;
      }
      report.chains++;
    }
    if (row.chain_seq !== expected) {
      return scanBreak(row, `is scan ${row.chain_seq} of its chain, where scan ${expected} should be: scan${row.chain_seq! - expected > 1 ? 's' : ''} ${expected}${row.chain_seq! - expected > 1 ? `-${row.chain_seq! - 1}` : ''} of ${row.target} (${row.profile}) were removed`);
    }
    if (row.record_hash === null) return scanBreak(row, 'has no hash: written outside scriptwarden, or the chain was cut');
    if (hashOf(prev, await scanRecord(db, row, memo)) !== row.record_hash) return scanBreak(row, 'does not match its hash: the scan, its observations or its alerts were edited, or a scan before it was');
    current = { key, row };
  }
  if (current) {
    const ended = endOf(current.row);
    if (ended) return ended;
  }
  const orphan = heads.values().next().value;
  if (orphan) return { kind: 'chain', id: orphan.targetId, reason: `the chain of target #${orphan.targetId} (${orphan.profile}) has a head at scan ${orphan.seq} but no scans: they were removed` };
  return null;
}

async function verifyBlobs(db: Db, report: VerifyReport): Promise<Break | null> {
  let found: Break | null = null;
  for await (const blob of byId((after) => db.prepare<[number], { id: number; sha256: string; size: number; encoding: string; data: Buffer }>('SELECT id, sha256, size, encoding, data FROM blobs WHERE id > ? ORDER BY id LIMIT 50').all(after))) {
    report.blobs++;
    if (found) continue;
    let reason: string | null = null;
    try {
      const bytes = blob.encoding === 'br' ? brotliDecompressSync(blob.data) : blob.data;
      if (bytes.length !== blob.size) reason = `is ${bytes.length} bytes, recorded as ${blob.size}`;
      else if (sha256Hex(bytes) !== blob.sha256) reason = 'does not match its SHA-256';
    } catch (error) {
      reason = `cannot be decoded (${(error as Error).message})`;
    }
    if (reason) found = { kind: 'blob', id: blob.id, sha256: blob.sha256, reason: `blob ${blob.sha256} ${reason}` };
  }
  return found;
}

/** Checks every scan against its chain and every blob against its SHA-256; reports the first break found. */
export async function verifyStore(db: Db): Promise<VerifyReport> {
  const report: VerifyReport = { ok: true, scans: 0, unchained: 0, chains: 0, anchors: 0, blobs: 0, auditEntries: 0, firstBreak: null };
  // Scans of one set share its reading: an edited set breaks the first scan that points at it.
  const memo = chainMemo();
  const breaks: (Break | null)[] = [await verifyLegacyChain(db, report, memo), await verifyChains(db, report, memo)];
  // A damaged blob is named as such, before what it holds (an anchor's list of heads) fails to match.
  breaks.push(await verifyBlobs(db, report));
  const anchors = await verifyAnchors(db);
  report.anchors = anchors.anchors;
  if (anchors.firstBreak) breaks.push({ kind: 'anchor', ...anchors.firstBreak });
  const audit = await verifyAudit(db);
  report.auditEntries = audit.entries;
  if (audit.firstBreak) breaks.push({ kind: 'audit', id: audit.firstBreak.id, reason: audit.firstBreak.reason });
  report.firstBreak = breaks.find((b) => b !== null) ?? null;
  report.ok = report.firstBreak === null;
  return report;
}
