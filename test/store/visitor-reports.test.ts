// Store and collector: identical visitor reports are counted, not stored again; a flood of distinct ones is bounded
// per hour (the overflow counted); a key over its rate gets 429; unknown keys 404.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { openStore } from '../../src/store/open-store.js';
import { recordReports, REPORT_LIMITS, reportKeyOf } from '../../src/store/visitor-reports.js';
import { createCollector, REPORTS_PER_KEY_PER_MINUTE } from '../../src/run/visitor-collector.js';
import { VISITOR_ALERTS_PER_HOUR } from '../../src/run/visitor-judge.js';
import { planScan } from '../../src/plan/plan-scan.js';
import { pageCapture, script } from '../fixtures/captures.js';
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

  it('folds one subject\'s reports into one alert, caps visitor alerts per target and hour, and explains an inline script the crawler kept by its sample', async () => {
    const dir = tempProject('sw-collector-');
    const config = parseConfig({ database: await testDatabase(dir), targets: [{ name: 'shop', url: 'https://shop.example/' }] }, join(dir, 'scriptwarden.yml'));
    const store = await openStore(config.database);
    // The crawler kept one inline script on the page.
    const capture = pageCapture([script({ kind: 'inline', url: null, body: '  window.dataLayer = [];\n  dataLayer.push({ page: "checkout" });' })], { target: 'shop', requestedUrl: 'https://shop.example/' });
    await store.scans.applyPlan(planScan(capture, await store.scans.readBaseline('shop', 'desktop'), { removalThreshold: 2 }), capture.finishedAt);
    const key = await reportKeyOf(store.database, 'shop', new Date().toISOString());
    const fetched: string[] = [];
    const collector = createCollector({
      config, store, log: createLogger('json', () => undefined), flushMs: 60_000,
      fetchScript: async (url, device) => { fetched.push(`${device} ${url}`); return { body: `/* served at ${url} */`, status: 200, error: null, userAgent: 'UA' }; },
    });
    const violation = (blocked: string, sample?: string) => ({ 'csp-report': { 'document-uri': 'https://shop.example/', 'violated-directive': 'script-src-elem', 'blocked-uri': blocked, ...(sample ? { 'script-sample': sample } : {}) } });
    const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
    const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';
    // One skimmer URL from two kinds of visitor; the kept inline script (its sample, whitespace aside); an unknown one.
    for (const ua of [IPHONE, CHROME]) assert.equal((await collector.accept(key, 'application/csp-report', JSON.stringify(violation('https://evil.example/s.js?v=1')), ua)).status, 204);
    assert.equal((await collector.accept(key, 'application/csp-report', JSON.stringify(violation('inline', 'window.dataLayer = []; dataLayer.push(')), CHROME)).status, 204);
    assert.equal((await collector.accept(key, 'application/csp-report', JSON.stringify(violation('inline', 'document.write(atob("PHNjcmlwdA"))')), CHROME)).status, 204);
    await collector.flush();
    const alerts = await store.database.prepare<[], { subject: string; new_value: string | null; details: string }>("SELECT subject, new_value, details FROM alerts WHERE type = 'visitor.unseen-script' ORDER BY id").all();
    assert.deepEqual(alerts.map((a) => a.subject), ['https://evil.example/s.js', 'inline script "document.write(atob("PHNjcmlwdA"))" on https://shop.example/']);
    const details = JSON.parse(alerts[0]!.details) as { visitors: { count: number; devices: string[]; userAgents: string[] }; fetched: { sha256: string } };
    assert.deepEqual([details.visitors.count, details.visitors.devices, details.visitors.userAgents], [2, ['desktop', 'mobile'], ['Chrome', 'Safari']], 'both visitors in one alert');
    assert.deepEqual(fetched, ['mobile https://evil.example/s.js'], 'fetched once, as the first reporting device');
    assert.equal(alerts[0]!.new_value, details.fetched.sha256);
    assert.equal(await store.blobs.textBySha(details.fetched.sha256), '/* served at https://evil.example/s.js */');
    const inline = await store.database.prepare<[], { explained: string | null }>("SELECT explained FROM visitor_reports WHERE sample LIKE 'window.dataLayer%'").get();
    assert.equal(inline?.explained, 'seen', 'the inline script the crawler kept is explained by its first characters');
    // Forged reports cannot flood the team: past the hourly cap a target gets no more visitor alerts.
    const many = JSON.stringify(Array.from({ length: 60 }, (_, i) => ({ type: 'csp-violation', body: { documentURL: 'https://shop.example/', effectiveDirective: 'script-src-elem', blockedURL: `https://f${i}.example/x.js` } })));
    assert.equal((await collector.accept(key, 'application/reports+json', many, CHROME)).status, 204);
    await collector.flush();
    const count = await store.database.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM alerts WHERE type LIKE 'visitor.%'").get();
    assert.equal(Number(count!.n), VISITOR_ALERTS_PER_HOUR);
    const unexplained = await store.database.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM visitor_reports WHERE blocked LIKE 'https://f%' AND explained IS NULL").get();
    assert.equal(Number(unexplained!.n), 60, 'every report is kept, unexplained, for the Visitors screen');
    await collector.close();
    await store.close();
  });
});
