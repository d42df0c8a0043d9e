// Dashboard with more targets and alerts than one page holds: paged, every target still listed for filters, counts exact.

import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { APP, healthyShop, INLINE_A, INLINE_B, LIB, pageCapture } from '../fixtures/captures.js';
import { rawSql } from '../fixtures/test-database.js';
import { startDashboard, type DashboardHarness } from './harness.js';

const TARGETS = 105;
const name = (i: number) => `shop-${String(i).padStart(3, '0')}`;

describe('a dashboard of many targets', () => {
  let h: DashboardHarness;
  beforeAll(async () => {
    h = await startDashboard();
    for (let i = 0; i < TARGETS; i++) {
      await h.scan(healthyShop({ target: name(i) }));
      // Every target's latest scan failed but the second's: the overview shows each page's latest scan.
      if (i !== 1) await h.scan(healthyShop({ target: name(i), outcome: { ok: false, code: 'PAGE_TIMEOUT', reason: 'slow' } }));
    }
  });
  afterAll(async () => { await h?.close(); });

  const rowsOf = (page: string) => [...page.matchAll(/<tr>\s*<td><a href="\/alerts\?target=([^"]+)"/g)].map((m) => decodeURIComponent(m[1]!));

  it('pages the overview by target name, 100 a page, and says where the page is', async () => {
    const first = await (await fetch(h.url)).text();
    assert.deepEqual(rowsOf(first), Array.from({ length: 100 }, (_, i) => name(i)));
    assert.match(first, /1–100 of 105 pages and profiles/);
    assert.match(first, /href="\/\?page=2"/);
    const second = await (await fetch(`${h.url}?page=2`)).text();
    assert.deepEqual(rowsOf(second), [name(100), name(101), name(102), name(103), name(104)]);
    assert.match(second, /101–105 of 105/);
    assert.doesNotMatch(second, /page=3/);
    assert.equal((await fetch(`${h.url}?page=0`)).status, 400);
  });

  it('shows each page its latest scan, whether it failed or not', async () => {
    const [latest, failed] = [await h.store.inventory.overview({ limit: 2 }), await h.store.inventory.overview({ limit: 1, offset: 1 })];
    assert.equal(latest[0]!.lastStatus, 'failed');
    assert.equal(failed[0]!.target, name(1));
    assert.equal(failed[0]!.lastStatus, 'ok');
  });

  it('still offers every target in the filters, and counts scans exactly without reading them all', async () => {
    const alerts = await (await fetch(`${h.url}alerts`)).text();
    assert.match(alerts, new RegExp(`<option[^>]*>${name(TARGETS - 1)}</option>`));
    assert.equal((await h.store.inventory.targetNames()).length, TARGETS);
    const counted = await rawSql(h.store).prepare<[], { status: string; n: number }>('SELECT status, COUNT(*) AS n FROM scans GROUP BY status').all();
    assert.deepEqual((await h.store.scans.counts()).scans, Object.fromEntries(counted.map((r) => [r.status, r.n])));
    assert.deepEqual((await h.store.scans.counts()).scans, { ok: TARGETS, failed: TARGETS - 1 });
  });
});

describe('a dashboard of many alerts', () => {
  let h: DashboardHarness;
  beforeAll(async () => {
    h = await startDashboard();
    for (let i = 0; i < 130; i++) await h.scan(healthyShop({ target: name(i) }));
    await h.store.alerts.approveAll({ by: 'alice', note: 'baseline', at: new Date().toISOString() });
    // Two changed scripts on each page: 260 alerts.
    for (let i = 0; i < 130; i++) {
      await h.scan(pageCapture([{ ...APP, body: `${APP.body}\nwindow.v = ${i};` }, { ...LIB, body: `${LIB.body}\nwindow.w = ${i};` }, INLINE_A, INLINE_B], { target: name(i) }));
    }
  });
  afterAll(async () => { await h?.close(); });

  it('pages the alert list, 250 a page, keeping the filters in the links', async () => {
    const ids = (page: string) => [...page.matchAll(/<td><a href="\/alerts\/(\d+)">#/g)].map((m) => Number(m[1]));
    const first = await (await fetch(`${h.url}alerts?status=open`)).text();
    const second = await (await fetch(`${h.url}alerts?status=open&page=2`)).text();
    assert.equal(ids(first).length, 250);
    assert.equal(ids(second).length, (await h.store.alerts.list({ status: 'open' })).length - 250);
    assert.deepEqual([...ids(first), ...ids(second)], (await h.store.alerts.list({ status: 'open' })).map((a) => a.id));
    assert.match(first, /href="\/alerts\?status=open&amp;severity=&amp;target=&amp;type=&amp;page=2"/);
    assert.doesNotMatch(second, /page=3/);
  });
});
