// Store: a database made by scriptwarden 0.1.0 (per-scan observation rows) migrates to observation sets and reads the same.

import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { planScan } from '../../src/plan/plan-scan.js';
import { inOrder } from '../../src/store/sql.js';
import { openStore } from '../../src/store/open-store.js';
import { APP, INLINE_A, INLINE_B, LIB, pageCapture } from '../fixtures/captures.js';
import type { ScriptCapture } from '../../src/capture/types.js';
import { tempProject } from '../fixtures/cli.js';
import { rawDb } from '../fixtures/raw-db.js';

// Made by the 0.1.0 release's store through its own write path (15-minute scans of two pages, a CDN answering from
// several addresses, a skimmer alert with evidence, a failed load, a retention run), with what 0.1.0 read from it.
const FIXTURE = new URL('../fixtures/release-db/', import.meta.url);
const expected = JSON.parse(readFileSync(new URL('expected.json', FIXTURE), 'utf8'));

function migrated() {
  const path = join(tempProject('sw-migrate-'), 'scriptwarden.db');
  copyFileSync(new URL('scriptwarden-0.1.0.db', FIXTURE), path);
  return openStore(path);
}

describe('migration to observation sets', () => {
  it('keeps the chain verifying and every read the same as the release that made the database', async () => {
    const store = await migrated();
    const db = rawDb(store);
    assert.equal((db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name IN ('observations', 'destination_observations')").get() as { n: number }).n, 0);
    const sets = (db.prepare('SELECT COUNT(*) AS n FROM observation_sets').get() as { n: number }).n;
    const scans = (db.prepare("SELECT COUNT(*) AS n FROM scans WHERE status = 'ok'").get() as { n: number }).n;
    assert.ok(sets < scans, `scans that saw the same thing share a set (${sets} sets for ${scans} scans)`);
    const report = await store.scans.verify();
    assert.equal(report.ok, true, JSON.stringify(report.firstBreak));
    assert.equal(report.scans, expected.verify.scans);
    const scripts = await store.inventory.scripts({});
    // The release's fields read as the release read them; migration 018's authorization fields come on top.
    const releaseFields = (row: object, like: object) => Object.fromEntries(Object.keys(like).map((k) => [k, (row as Record<string, unknown>)[k]]));
    assert.deepEqual(scripts.map((s, i) => releaseFields(s, expected.scripts[i] ?? {})), expected.scripts);
    // Migration 018: the note of the approval that first accepted a script is its justification; approve --all's is bulk.
    for (const [i, s] of scripts.entries()) {
      const was = expected.scripts[i] as { approvedBy: string | null; justification: string | null };
      if (was.approvedBy === null) continue;
      assert.equal(s.authorizedBy, was.approvedBy, `authorized by, script ${s.scriptId}`);
      assert.ok(s.justification === was.justification || s.bulkApproved === false, `justification of script ${s.scriptId}`);
    }
    assert.ok(scripts.some((s) => s.bulkApproved && s.justification === 'baseline'), 'the release\'s approve --all is recorded as bulk-approved');
    for (const s of scripts) {
      assert.deepEqual(await store.inventory.versions(s.scriptId), expected.versions[s.scriptId], `versions of script ${s.scriptId}`);
      if (s.sha256) assert.deepEqual(await store.inventory.versionMeta(s.scriptId, s.sha256), expected.versionMeta[s.scriptId], `metadata of script ${s.scriptId}`);
    }
    assert.deepEqual(await store.inventory.destinations({}), expected.destinations);
    assert.deepEqual(await inOrder(await store.alerts.list({ status: 'all' }), (a) => store.evidence.trail(a.id)), expected.trail);
    // Migration 016: each page's latest scan, and the scans counted by status, from the scans the release wrote.
    const latest = db.prepare('SELECT target_id, profile, MAX(id) AS id FROM scans GROUP BY target_id, profile ORDER BY target_id').all() as { id: number }[];
    assert.deepEqual((await store.inventory.overview()).map((o) => [o.target, o.profile]), [['checkout', 'desktop'], ['home', 'mobile']]);
    assert.deepEqual((db.prepare('SELECT last_scan_id AS id FROM page_latest ORDER BY target_id').all() as { id: number }[]).map((r) => r.id), latest.map((r) => r.id));
    const byStatus = db.prepare('SELECT status, COUNT(*) AS n FROM scans GROUP BY status').all() as { status: string; n: number }[];
    assert.deepEqual((await store.scans.counts()).scans, Object.fromEntries(byStatus.map((r) => [r.status, r.n])));
    await store.close();
  });

  it('goes on recording, sharing sets and pruning on the migrated database', async () => {
    const store = await migrated();
    const db = rawDb(store);
    const setsBefore = (db.prepare('SELECT COUNT(*) AS n FROM observation_sets').get() as { n: number }).n;
    const at = '2026-11-03T00:00:02.000Z';
    const capture = pageCapture([APP, LIB, INLINE_A, INLINE_B].map((s): ScriptCapture => ({ ...s, headers: s.url ? { 'content-type': 'application/javascript' } : {} })), { finishedAt: at });
    const result = await store.scans.applyPlan(planScan(capture, await store.scans.readBaseline('checkout', 'desktop'), { removalThreshold: 2 }), at);
    assert.equal(result.newAlerts.length, 0);
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM observation_sets').get() as { n: number }).n, setsBefore, 'an unchanged rescan reuses a migrated set');
    const seen = await store.inventory.scripts({ target: 'checkout' });
    assert.equal(seen.length, 4);
    assert.ok(seen.every((s) => s.lastSeen === at), 'last seen comes from the latest set');
    await store.scans.retain('2026-11-02T00:00:00.000Z', '2026-11-03T01:00:00.000Z');
    const report = await store.scans.verify();
    assert.equal(report.ok, true, JSON.stringify(report.firstBreak));
    await store.close();
  });
});
