// E2E: a second sensor. The Report-Only policy scriptwarden proposes is served to real Chromium; a visitor whose
// browser is served an extra script the crawler's profile never gets reports it, and the collector raises
// visitor.unseen-script naming it; approved scripts raise nothing; forged, unknown, malformed and oversized reports
// are refused.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'puppeteer';
import { CHECKOUT_FORM } from '../fixtures/canary-shops.js';
import { parseJson, runCli, tempProject, writeConfig } from '../fixtures/cli.js';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import { startRole, startServe, type ServeProcess } from '../fixtures/serve-process.js';
import { launchTestPuppeteer } from '../fixtures/browser.js';
import { rowsOf } from '../fixtures/test-database.js';

const mobile = (headers: Record<string, unknown>) => /iPhone|Android|Mobile/.test(String(headers['user-agent'] ?? ''));
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

describe('what visitors\' browsers report, checked against what the crawler saw', () => {
  let site: FixtureSite;
  let dir: string;
  let serve: ServeProcess;
  let browser: Browser;
  let policy = '';
  let keys: { shop: string; blog: string };
  const endpoint = (key: string) => `${serve.url}reports/csp/${key}`;
  const post = (key: string, type: string, body: string) => fetch(endpoint(key), { method: 'POST', headers: { 'content-type': type }, body });
  const rows = <R>(sql: string, ...params: (string | number)[]) => rowsOf<R>(dir, sql, ...params);

  beforeAll(async () => {
    site = await startFixtureSite();
    site.set('visit-shop.test', '/checkout', {
      body: '',
      render: ({ headers }) => `<!doctype html><html><head><title>Checkout</title><script src="/js/app.js"></script>${mobile(headers) ? `<script src="http://m-helper.test:${site.port}/m.js"></script><script>window.mobileOnly = 2;</script>` : ''}</head><body>${CHECKOUT_FORM}</body></html>`,
    });
    site.set('visit-shop.test', '/js/app.js', 'window.app = 1;');
    site.set('m-helper.test', '/m.js', 'window.helper = 1;');
    site.set('visit-blog.test', '/', '<!doctype html><html><body>blog</body></html>');
    dir = tempProject('sw-visitors-');
    writeConfig(dir, [{ name: 'shop', url: site.url('visit-shop.test', '/checkout') }, { name: 'blog', url: site.url('visit-blog.test', '/') }], 'canary:\n  enabled: false');
    assert.equal((await runCli(['scan'], { cwd: dir })).code, 0);
    assert.equal((await runCli(['approve', '--all', '--by', 'alice', '--note', 'inventory'], { cwd: dir })).code, 0);
    serve = await startServe(dir, {}, ['--no-schedule']);
    const shop = parseJson<{ endpoint: string; headers: Record<string, string> }>(await runCli(['report-policy', 'shop', '--url', serve.url, '--json'], { cwd: dir }));
    const blog = parseJson<{ endpoint: string }>(await runCli(['report-policy', 'blog', '--url', serve.url, '--json'], { cwd: dir }));
    keys = { shop: shop.endpoint.split('/').at(-1)!, blog: blog.endpoint.split('/').at(-1)! };
    // Chromium uses the Reporting API (report-to) only on secure pages, and skips report-uri when report-to is there:
    // the plain-http fixture page is served the report-uri part, as a browser without report-to would use it.
    policy = shop.headers['Content-Security-Policy-Report-Only']!.replace(/; report-to scriptwarden$/, '');
    site.set('visit-shop.test', '/checkout', {
      body: '',
      headers: { 'content-security-policy-report-only': policy },
      render: ({ headers }) => `<!doctype html><html><head><title>Checkout</title><script src="/js/app.js"></script>${mobile(headers) ? `<script src="http://m-helper.test:${site.port}/m.js"></script><script>window.mobileOnly = 2;</script>` : ''}</head><body>${CHECKOUT_FORM}</body></html>`,
    });
    browser = await launchTestPuppeteer({ '*.test': '127.0.0.1' });
  });
  afterAll(async () => {
    await browser?.close();
    await serve?.stop('SIGTERM');
    await site?.close();
  });

  it('prints a Report-Only policy that reports to the target\'s own key, and blocks nothing', () => {
    assert.match(policy, /^script-src 'report-sample' 'self'/);
    assert.match(policy, new RegExp(`report-uri ${endpoint(keys.shop).replace(/[.?]/g, '\\$&')}$`));
    assert.notEqual(keys.shop, keys.blog);
  });

  it('raises visitor.unseen-script for a script only some visitors get, and nothing for approved scripts', async () => {
    for (const ua of [null, IPHONE]) {
      const tab = await browser.newPage();
      if (ua) await tab.setUserAgent(ua);
      await tab.goto(site.url('visit-shop.test', '/checkout'), { waitUntil: 'load' });
      // Report-Only: the visitor's page is not changed.
      assert.equal(await tab.evaluate(() => (window as unknown as { app?: number }).app), 1);
      await tab.close();
    }
    await expect.poll(async () => (await rows<{ type: string }>("SELECT type FROM alerts WHERE type LIKE 'visitor.%'")).length, { timeout: 20_000 }).toBeGreaterThan(0);
    await expect.poll(async () => (await rows<{ type: string }>("SELECT type FROM alerts WHERE type LIKE 'visitor.%'")).length, { timeout: 20_000 }).toBe(2);
    const alerts = await rows<{ id: number; type: string; subject: string; severity: string; details: string }>("SELECT id, type, subject, severity, details FROM alerts WHERE type LIKE 'visitor.%' ORDER BY subject DESC");
    // The script by its URL, and the inline one by the first characters the browser sent of it ('report-sample').
    assert.deepEqual(alerts.map((a) => [a.type, a.subject]), [
      ['visitor.unseen-script', `inline script "window.mobileOnly = 2;" on http://visit-shop.test:${site.port}/checkout`],
      ['visitor.unseen-script', `http://m-helper.test:${site.port}/m.js`],
    ].sort().reverse());
    alerts.sort((a, b) => (a.subject.startsWith('http') ? -1 : 1) - (b.subject.startsWith('http') ? -1 : 1));
    assert.equal(alerts[0]!.severity, 'high', 'a payment page');
    const visitors = (JSON.parse(alerts[0]!.details) as { visitors: { devices: string[]; userAgents: string[]; count: number } }).visitors;
    assert.deepEqual([visitors.devices, visitors.userAgents], [['mobile'], ['Safari']], 'the visitor that got it: an iPhone');
    // The collector fetched the reported script, as a phone would ask for it, and the alert screen shows it.
    // (fetched beside the collector's writes, so it lands a moment after the alert)
    const fetchedOf = async () => (JSON.parse((await rows<{ details: string }>('SELECT details FROM alerts WHERE id = ?', alerts[0]!.id))[0]!.details) as { fetched?: { status: number; sha256: string; userAgent: string } }).fetched;
    await expect.poll(fetchedOf, { timeout: 20_000 }).toBeDefined();
    const fetched = (await fetchedOf())!;
    assert.deepEqual([fetched.status, fetched.sha256], [200, createHash('sha256').update('window.helper = 1;').digest('hex')]);
    assert.match(fetched.userAgent, /Mobile/);
    const screen = await (await fetch(`${serve.url}alerts/${alerts[0]!.id}`)).text();
    assert.match(screen, /The script as the collector fetched it[\s\S]*HTTP 200, 18 bytes[\s\S]*window\.helper = /);
    assert.match(screen, /What visitors' browsers reported[\s\S]*Devices<\/th><td>mobile/);
    // The target's Visitors panel lists the report the crawler cannot explain, as text.
    const panel = await (await fetch(`${serve.url}targets/shop/visitors`)).text();
    assert.match(panel, /Not explained by the crawler[\s\S]*m-helper\.test:\d+\/m\.js[\s\S]*<strong>not explained<\/strong>/);
  });

  it('refuses a forged report with another target\'s key, an unknown key, a malformed body and an oversized one', async () => {
    const report = JSON.stringify({ 'csp-report': { 'document-uri': site.url('visit-shop.test', '/checkout'), 'violated-directive': 'script-src-elem', 'blocked-uri': 'http://forged.test/x.js' } });
    const forged = await post(keys.blog, 'application/csp-report', report);
    assert.equal(forged.status, 400);
    assert.match(await forged.text(), /another site than this key's target/);
    assert.equal((await post('a'.repeat(24), 'application/csp-report', report)).status, 404);
    assert.equal((await post(keys.shop, 'application/csp-report', '{"csp-report": 5}')).status, 400);
    assert.equal((await post(keys.shop, 'text/plain', report)).status, 400);
    assert.equal((await post(keys.shop, 'application/csp-report', 'x'.repeat(70_000))).status, 413);
    // The Reporting API's format is taken too (browsers that use report-to).
    const api = JSON.stringify([{ type: 'csp-violation', url: site.url('visit-shop.test', '/checkout'), user_agent: IPHONE, body: { documentURL: site.url('visit-shop.test', '/checkout'), effectiveDirective: 'connect-src', blockedURL: 'http://beacon-sink.test/collect?id=1' } }]);
    assert.equal((await post(keys.shop, 'application/reports+json', api)).status, 204);
    await expect.poll(async () => (await rows<{ subject: string }>("SELECT subject FROM alerts WHERE type = 'visitor.unseen-destination'")).map((a) => a.subject), { timeout: 10_000 }).toEqual(['beacon-sink.test']);
    assert.equal((await rows<{ n: number }>("SELECT COUNT(*) AS n FROM visitor_reports WHERE blocked LIKE 'http://forged.test%'"))[0]!.n, 0, 'nothing of the forged report was stored');
  });

  it('runs as its own role on its own port, in the idle scheduling class, and serves nothing of the dashboard', async () => {
    const role = await startRole(dir, ['serve', '--role', 'collector', '--port', '0', '--host', '127.0.0.1'], 'serve.started');
    try {
      const started = role.logs.find((l) => l.event === 'serve.started')!;
      assert.notEqual(role.url, serve.url);
      if (process.platform === 'linux') {
        assert.equal(started.priority, 'idle');
        // Every thread of the process (field 41 of /proc/PID/task/TID/stat is the policy; 5 is SCHED_IDLE).
        const policies = readdirSync(`/proc/${role.child.pid}/task`).map((tid) => {
          const stat = readFileSync(`/proc/${role.child.pid}/task/${tid}/stat`, 'utf8');
          return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38];
        });
        assert.deepEqual([...new Set(policies)], ['5'], 'every thread of the collector is SCHED_IDLE');
      }
      const api = JSON.stringify([{ type: 'csp-violation', url: site.url('visit-shop.test', '/checkout'), user_agent: IPHONE, body: { documentURL: site.url('visit-shop.test', '/checkout'), effectiveDirective: 'connect-src', blockedURL: 'http://role-sink.test/c' } }]);
      const answer = await fetch(`${role.url}reports/csp/${keys.shop}`, { method: 'POST', headers: { 'content-type': 'application/reports+json' }, body: api });
      assert.equal(answer.status, 204);
      assert.equal((await fetch(`${role.url}alerts`)).status, 404, 'no dashboard on the collector\'s port');
      await expect.poll(async () => (await rows<{ subject: string }>("SELECT subject FROM alerts WHERE type = 'visitor.unseen-destination' AND subject = 'role-sink.test'")).length, { timeout: 10_000 }).toBe(1);
    } finally {
      assert.equal(await role.stop('SIGTERM'), 0);
    }
  });
});
