// Anchors: a chained record of the heads of every scan chain that moved, so that removing a chain's newest scans shows.

import { sha256Hex } from '../plan/fingerprint.js';
import { createBlobs } from './blobs.js';
import type { Db } from './database.js';
import { byId } from './sql.js';

/** What one anchor holds: the head of each chain that moved since the anchor before, and the last scan of the legacy chain. */
export interface AnchorHeads {
  chains: { targetId: number; profile: string; seq: number; hash: string }[];
  /** The newest scan of chain formats 1 and 2 (one chain by scan id), while the database holds any. */
  legacy: { scanId: number; hash: string } | null;
}

/** `hash`: the anchor's hash, to copy where the scanning hosts cannot write. */
export interface AnchorResult { id: number; chains: number; hash: string }

const anchorHash = (prev: string, at: string, headsSha: string) => sha256Hex(`${prev}\n${at}\n${headsSha}`);

/**
 * Writes an anchor over the heads of every chain that moved since the last one, in one transaction; null when none
 * moved. Safe to run from several processes: each anchor takes the write lock, and the second finds nothing moved.
 */
export async function writeAnchor(db: Db, at: string): Promise<AnchorResult | null> {
  return db.transaction(async () => {
    const moved = await db.prepare<[], { target_id: number; profile: string; seq: number; hash: string }>(
      'SELECT target_id, profile, seq, hash FROM chain_heads WHERE seq > anchored_seq ORDER BY target_id, profile',
    ).all();
    if (moved.length === 0) return null;
    const legacy = await db.prepare<[], { id: number; record_hash: string }>(
      'SELECT id, record_hash FROM scans WHERE chain_seq IS NULL AND record_hash IS NOT NULL ORDER BY id DESC LIMIT 1',
    ).get();
    const heads: AnchorHeads = {
      chains: moved.map((h) => ({ targetId: h.target_id, profile: h.profile, seq: h.seq, hash: h.hash })),
      legacy: legacy ? { scanId: legacy.id, hash: legacy.record_hash } : null,
    };
    const blobs = createBlobs(db);
    const blobId = await blobs.putJson(heads);
    const headsSha = (await blobs.shaOf(blobId))!;
    const prev = (await db.prepare<[], { hash: string }>('SELECT hash FROM chain_anchors ORDER BY id DESC LIMIT 1').get())?.hash ?? '';
    const hash = anchorHash(prev, at, headsSha);
    const id = (await db.prepare<[string, number, string, string], { id: number }>(
      'INSERT INTO chain_anchors (id, at, heads_blob, prev_hash, hash) VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM chain_anchors), ?, ?, ?, ?) RETURNING id',
    ).get(at, blobId, prev, hash))!.id;
    const mark = db.prepare('UPDATE chain_heads SET anchored_seq = ? WHERE target_id = ? AND profile = ?');
    for (const h of moved) await mark.run(h.seq, h.target_id, h.profile);
    return { id, chains: moved.length, hash };
  });
}

export interface AnchorReport { anchors: number; firstBreak: { id: number; reason: string } | null }

/** Checks that the anchors follow each other and that every head they list is the scan the chain holds at that place. */
export async function verifyAnchors(db: Db): Promise<AnchorReport> {
  const blobs = createBlobs(db);
  const scanAt = db.prepare<[number, string, number], { record_hash: string | null }>('SELECT record_hash FROM scans WHERE target_id = ? AND profile = ? AND chain_seq = ?');
  const legacyScan = db.prepare<[number], { record_hash: string | null }>('SELECT record_hash FROM scans WHERE id = ? AND chain_seq IS NULL');
  const targetName = db.prepare<[number], { name: string }>('SELECT name FROM targets WHERE id = ?');
  const report: AnchorReport = { anchors: 0, firstBreak: null };
  let prev = '';
  for await (const anchor of byId((after) => db.prepare<[number], { id: number; at: string; heads_blob: number; prev_hash: string; hash: string; sha256: string | null }>(
    'SELECT a.id, a.at, a.heads_blob, a.prev_hash, a.hash, b.sha256 FROM chain_anchors a LEFT JOIN blobs b ON b.id = a.heads_blob WHERE a.id > ? ORDER BY a.id LIMIT 100',
  ).all(after))) {
    report.anchors++;
    const broken = (reason: string) => ({ id: anchor.id, reason: `anchor #${anchor.id} (${anchor.at}) ${reason}` });
    if (anchor.prev_hash !== prev) return { ...report, firstBreak: broken('does not follow the anchor before it: an anchor was removed, inserted or re-hashed') };
    if (anchor.sha256 === null || anchorHash(prev, anchor.at, anchor.sha256) !== anchor.hash) return { ...report, firstBreak: broken('does not match its hash: the anchor or the heads it lists were edited') };
    let heads: AnchorHeads | null;
    try {
      heads = await blobs.json<AnchorHeads>(anchor.heads_blob);
    } catch {
      heads = null;
    }
    if (!heads) return { ...report, firstBreak: broken('lists heads that cannot be read') };
    for (const head of heads.chains) {
      const found = await scanAt.get(head.targetId, head.profile, head.seq);
      if (found?.record_hash !== head.hash) {
        const name = (await targetName.get(head.targetId))?.name ?? `target #${head.targetId}`;
        const what = found ? 'was re-hashed since' : 'is missing: the scans since were removed';
        return { ...report, firstBreak: broken(`lists scan ${head.seq} of ${name} (${head.profile}), which ${what}`) };
      }
    }
    if (heads.legacy && (await legacyScan.get(heads.legacy.scanId))?.record_hash !== heads.legacy.hash) {
      return { ...report, firstBreak: broken(`lists scan #${heads.legacy.scanId} as the last of the single chain, which is missing or was re-hashed`) };
    }
    prev = anchor.hash;
  }
  return report;
}
