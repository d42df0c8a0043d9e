// The assessor's screens in real Chromium: filter the inventory, authorize the selected scripts, and view and download reports.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { renderPdf } from '../../crawler/render-pdf.js';
import { openReport } from '../../src/evidence/report-manifest.js';
import { healthyShop, LIB, PAGE_URL } from '../fixtures/captures.js';
import { tempProject } from '../fixtures/cli.js';
import { startDashboard, type DashboardHarness } from './harness.js';

describe('assessor screens', () => {
  let h: DashboardHarness;
  beforeAll(async () => {
    const dir = tempProject('sw-assessor-');
    h = await startDashboard((store, browser) => ({
      reports: {
        config: parseConfig({ database: store.path, targets: [{ name: 'checkout', url: PAGE_URL }] }, join(dir, 'scriptwarden.yml')),
        renderPdf: (page) => renderPdf(browser, page),
        generator: 'scriptwarden test',
      },
    }));
    await h.scan(healthyShop());
  });
  afterAll(async () => { await h?.close(); });

  it('filters the inventory by host and authorizes the selected script with its justification', async () => {
    const page = await h.browser.newPage();
    await page.goto(`${h.url}inventory?host=cdn.example`);
    const subjects = await page.$$eval('td.subject a', (as) => as.map((a) => a.textContent ?? ''));
    assert.deepEqual(subjects, [LIB.url]);
    await page.click('input[name=script]');
    await page.type('form.authorize textarea[name=justification]', 'UI library from our CDN, pinned version');
    await Promise.all([page.waitForNavigation(), page.click('form.authorize button[type=submit]')]);
    assert.match(await page.$eval('main', (m) => m.textContent ?? ''), /Authorized 1 script\./);
    const lib = (await h.store.inventory.scripts({})).find((r) => r.url === LIB.url)!;
    assert.deepEqual([lib.state, lib.justification, lib.authorizedBy, lib.bulkApproved], ['approved', 'UI library from our CDN, pinned version', 'tester', false]);
    assert.ok((await h.store.inventory.scripts({})).filter((r) => r.url !== LIB.url).every((r) => r.state === 'pending'), 'the others are not touched');
    await page.close();
  });

  it('authorizes a group through the API, and refuses a form without a justification', async () => {
    const response = await fetch(`${h.url}api/inventory/authorize`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'inline', justification: 'page configuration and data layer' }),
    });
    assert.equal(response.status, 200);
    const { authorized } = await response.json() as { authorized: { kind: string; justification: string }[] };
    assert.deepEqual(authorized.map((r) => [r.kind, r.justification]), [['inline', 'page configuration and data layer'], ['inline', 'page configuration and data layer']]);
    const refused = await fetch(`${h.url}api/inventory/authorize`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scriptIds: [1] }) });
    assert.equal(refused.status, 400);
  });

  it('views the report in the browser and downloads it as JSON and as a PDF, each sealed with its manifest', async () => {
    const page = await h.browser.newPage();
    await page.goto(`${h.url}reports`);
    await Promise.all([page.waitForNavigation(), page.click('button[value=view]')]);
    assert.match(await page.title(), /PCI DSS 6\.4\.3, 11\.6\.1/);
    const text = await page.$eval('body', (b) => b.textContent ?? '');
    assert.match(text, /UI library from our CDN, pinned version/);
    assert.match(text, /Payment pages\s*1/);
    await page.close();

    const query = 'from=2026-11-01&to=2026-11-30';
    const json = await fetch(`${h.url}reports/download?format=json&${query}`);
    assert.match(json.headers.get('content-disposition')!, /attachment; filename="scriptwarden-report-2026-11-01-2026-11-30\.json"/);
    const opened = openReport(Buffer.from(await json.arrayBuffer()));
    assert.equal(opened.intact, true);
    assert.equal(opened.report!.pages[0]!.target, 'checkout');
    const pdf = Buffer.from(await (await fetch(`${h.url}reports/download?format=pdf&${query}`)).arrayBuffer());
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    assert.equal(openReport(pdf).intact, true);
    assert.equal((await fetch(`${h.url}reports/download?format=docx&${query}`)).status, 400);
  });
});
