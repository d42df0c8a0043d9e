// Store and collector: identical visitor reports are counted, not stored again; a flood of distinct ones is bounded
// per hour (the overflow counted); a key over its rate gets 429; unknown keys 404.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { openStore } from '../../src/store/open-store.js';
import { recordReports, REPORT_LIMITS, reportKeyOf } from '../../src/store/visitor-reports.js';
import { createCollector, REPORTS_PER_KEY_PER_MINUTE } from '../../src/run/visitor-collector.js';
import { createLogger } from '../../src/run/log.js';
import { tempProject } from '../fixtures/cli.js';
import { testDatabase } from '../fixtures/test-database.js';
import type { VisitorReport } from '../../src/detect/visitor-reports.js';

const report = (i: number): VisitorReport => ({ blocked: `https://x${i}.example/a.js`, directive: 'script-src-elem', document: 'https://shop.example/', source: null, line: null, sample: null, uaFamily: 'Chrome', device: 'desktop' });

describe('visitor reports', () => {
  it('counts identical reports and bounds new ones per hour, counting the overflow', async () => {
    const store = await openStore(await testDatabase(tempProject('sw-reports-')));
    const at = '2026-12-04T10:00:00.000Z';
    const fresh = await recordReports(store.database, [{ target: 'shop', fingerprint: 'f0', kind: 'script', report: report(0), count: 3, at }], at);
    assert.equal(fresh.length, 1);
    assert.deepEqual(await recordReports(store.database, [{ target: 'shop', fingerprint: 'f0', kind: 'script', report: report(0), count: 2, at }], at), [], 'seen before: counted');
    const flood = Array.from({ length: REPORT_LIMITS.newPerHour + 20 }, (_, i) => ({ target: 'shop', fingerprint: `g${i}`, kind: 'script', report: report(i + 1), count: 1, at }));
    const stored = await recordReports(store.database, flood, at);
    assert.equal(stored.length, REPORT_LIMITS.newPerHour - 1, 'up to the hourly bound, the first report included');
    const rows = await store.database.prepare<[], { fingerprint: string; count: number }>("SELECT fingerprint, count FROM visitor_reports WHERE fingerprint IN ('f0', 'overflow:2026-12-04T10')").all();
    assert.deepEqual(rows.map((r) => [r.fingerprint, Number(r.count)]).sort(), [['f0', 5], ['overflow:2026-12-04T10', 21]]);
    await store.close();
  });

  it('answers 404 for an unknown key and 429 past a key\'s rate, and writes in batches', async () => {
    const dir = tempProject('sw-collector-');
    const config = parseConfig({ database: await testDatabase(dir), targets: [{ name: 'shop', url: 'https://shop.example/' }] }, join(dir, 'scriptwarden.yml'));
    const store = await openStore(config.database);
    const key = await reportKeyOf(store.database, 'shop', new Date().toISOString());
    const collector = createCollector({ config, store, log: createLogger('json', () => undefined), flushMs: 60_000 });
    const body = JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ type: 'csp-violation', body: { documentURL: 'https://shop.example/', effectiveDirective: 'img-src', blockedURL: `https://p${i % 3}.example/x.gif` } })));
    assert.equal((await collector.accept('x'.repeat(24), 'application/reports+json', body, undefined)).status, 404);
    const answers: number[] = [];
    for (let i = 0; i <= REPORTS_PER_KEY_PER_MINUTE / 100; i++) answers.push((await collector.accept(key, 'application/reports+json', body, undefined)).status);
    assert.deepEqual([answers.slice(0, -1).every((s) => s === 204), answers.at(-1)], [true, 429]);
    await collector.flush();
    const rows = await store.database.prepare<[], { n: number; total: number }>('SELECT COUNT(*) AS n, SUM(count) AS total FROM visitor_reports').get();
    assert.deepEqual([Number(rows!.n), Number(rows!.total)], [3, REPORTS_PER_KEY_PER_MINUTE], 'three distinct reports, every one counted');
    await collector.close();
    await store.close();
  });
});
