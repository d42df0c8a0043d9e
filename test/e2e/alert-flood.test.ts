// End to end: code that rewrites itself is one alert for its source, and a scan raises at most limits.maxAlertsPerScan.

import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { CHECKOUT_HTML, CSP } from '../fixtures/shop.js';
import { baselinedShop, type Scenario } from './scenario.js';

const HEADERS = { 'content-security-policy': CSP, 'x-frame-options': 'DENY' };

describe('alert floods', () => {
  let s: Scenario;
  beforeAll(async () => { s = await baselinedShop({ canary: false, extraConfig: 'limits:\n  maxAlertsPerScan: 20' }); });
  afterAll(async () => { await s.close(); });

  it('raises one alert for a script that compiles a new eval body every few milliseconds, not one per body', async () => {
    // Each body differs in a random name and a counter: no two bodies are alike, as in a real packer that re-keys itself.
    s.site.set('shop.test', '/static/morph.js', `(function () { var n = 0; var t = setInterval(function () {
      n++; eval('window._m' + Math.random().toString(36).slice(2) + ' = ' + n + ' * ' + Date.now() + ';');
      if (n > 150) clearInterval(t); }, 4); })();`);
    s.site.set('shop.test', '/checkout', { body: CHECKOUT_HTML.replace('</head>', '<script src="/static/morph.js"></script></head>'), headers: HEADERS });
    const first = await s.scan();
    const runtime = first.json.alerts.filter((a) => a.details.kind === 'eval');
    assert.equal(runtime.length, 1, JSON.stringify(first.json.alerts.map((a) => a.summary), null, 1));
    assert.match(runtime[0]!.summary, /\/static\/morph\.js compiled \d+ runtime code bodies not in the baseline/);
    assert.ok((runtime[0]!.details.grouped as number) > 20, 'many bodies, one alert');
    assert.equal(first.json.alerts.filter((a) => a.type === 'alerts.capped').length, 0, 'grouped first, so the cap is not reached');
    const again = await s.scan();
    assert.deepEqual(again.json.alerts.filter((a) => a.details.kind === 'eval' && a.type !== 'script.removed'), [], 'new bodies of the same source repeat the open alert');
  });

  it('raises at most limits.maxAlertsPerScan new alerts for a target, and one alerts.capped alert for the rest', async () => {
    const inline = Array.from({ length: 30 }, (_, i) => `<script>window.part${i} = { index: ${i}, name: "block-${i}-${'x'.repeat(i)}" };</script>`).join('\n');
    s.site.set('shop.test', '/checkout', { body: CHECKOUT_HTML.replace('</head>', `${inline}</head>`), headers: HEADERS });
    const { result, json } = await s.scan();
    assert.equal(result.code, 1);
    const capped = json.alerts.filter((a) => a.type === 'alerts.capped');
    assert.equal(capped.length, 1, JSON.stringify(json.alerts.map((a) => a.type)));
    assert.equal(json.alerts.length, 21, 'twenty alerts and the summary');
    assert.match(capped[0]!.summary, /more \(\d+ script\.added\) are not \(limits\.maxAlertsPerScan\)/);
    // The rest come with the following scans while the first ones stay open.
    const next = await s.scan();
    assert.ok(next.json.alerts.filter((a) => a.type === 'script.added').length > 0, 'the capped changes are raised by a later scan');
    assert.equal(next.json.alerts.filter((a) => a.type === 'alerts.capped').length, 0, 'the open summary alert is not raised twice');
  });
});
