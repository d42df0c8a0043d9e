// E2E: hardening the fixture shop. The CSP proposed from its approved inventory replays clean in Chromium with the
// policy enforced; an inline script the inventory does not hold is caught by the replay, with its fix; the SRI
// snippets load the scripts they name (and block a tampered copy); the current policy's weak parts are explained.

import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Browser } from 'puppeteer';
import { parseJson, runCli, tempProject, writeConfig } from '../fixtures/cli.js';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import { CHECKOUT_HTML, installShop } from '../fixtures/shop.js';
import { launchTestPuppeteer } from '../fixtures/browser.js';
import type { HardenResult } from '../../src/run/harden.js';
import { startServe } from '../fixtures/serve-process.js';

const VENDOR = 'window.vendorLib = { version: "1.2.0" };';

describe('harden: CSP and SRI that will not break the page', () => {
  let site: FixtureSite;
  let dir: string;
  let browser: Browser;
  let clean: HardenResult;
  const harden = async () => runCli(['harden', 'checkout', '--json'], { cwd: dir });

  beforeAll(async () => {
    site = await startFixtureSite();
    installShop(site);
    // A first-party library at a versioned URL: the kind of script SRI is for.
    site.set('shop.test', '/checkout', { body: CHECKOUT_HTML.replace('<script src="/static/app.js"></script>', '<script src="/static/app.js"></script><script src="/static/vendor-1.2.0.min.js"></script>'), headers: { 'content-security-policy': "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval' http://*.test:{{PORT}}; connect-src *; frame-src *" } });
    site.set('shop.test', '/static/vendor-1.2.0.min.js', VENDOR);
    dir = tempProject('sw-harden-');
    writeConfig(dir, [{ name: 'checkout', url: site.url('shop.test', '/checkout') }]);
    assert.equal((await runCli(['scan'], { cwd: dir })).code, 0);
    assert.equal((await runCli(['approve', '--all', '--by', 'alice', '--note', 'reviewed inventory'], { cwd: dir })).code, 0);
    const result = await harden();
    clean = parseJson<HardenResult>(result);
    browser = await launchTestPuppeteer({ '*.test': '127.0.0.1' });
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('proposes a policy from the approved inventory that replays with no violation', () => {
    assert.equal(clean.safe, true, JSON.stringify(clean.replays, null, 1));
    assert.deepEqual(clean.replays.map((r) => [r.profile, r.ok, r.violations.length]), [['desktop', true, 0]]);
    const d = clean.proposal.directives;
    assert.ok(d['script-src']!.includes(`http://cdn.test:${site.port}`) && d['script-src']!.includes(`http://tags.test:${site.port}`), d['script-src']!.join(' '));
    assert.equal(d['script-src']!.filter((s) => s.startsWith("'sha256-")).length, 2, 'one hash per inline script');
    assert.ok(d['script-src']!.includes("'unsafe-eval'"), 'icons.js compiles code: kept, and said why');
    assert.ok(clean.proposal.notes.some((n) => /'unsafe-eval'/.test(n)));
    assert.ok(d['frame-src']!.includes(`pay.test:${site.port}`), d['frame-src']!.join(' '));
    assert.deepEqual([d['object-src'], d['base-uri']], [["'none'"], ["'self'"]]);
    assert.equal(clean.proposal.header, 'Content-Security-Policy-Report-Only');
  });

  it('explains the weak parts of the policy the page sends now', () => {
    const weak = clean.proposal.current.weaknesses.join('\n');
    assert.match(weak, /'unsafe-inline'/);
    assert.match(weak, /'unsafe-eval'/);
    assert.match(weak, /no form-action/);
    assert.match(weak, /connect-src does not limit/);
  });

  it('gives SRI to the static versioned script, not to those that cannot take it, and the snippet loads it', async () => {
    const vendor = clean.proposal.sri.find((s) => s.url.endsWith('/static/vendor-1.2.0.min.js'));
    assert.ok(vendor, JSON.stringify(clean.proposal.sri));
    assert.ok(clean.proposal.noSri.some((s) => s.url.endsWith('/static/app.js') && /names no version/.test(s.reason)));
    assert.ok(clean.proposal.noSri.some((s) => s.url.includes('cdn.test') && /Access-Control-Allow-Origin/.test(s.reason)));
    // The snippet, pasted into a page: the genuine file runs; a tampered copy at the same URL is refused.
    site.set('shop.test', '/sri-check', `<!doctype html><html><head>${vendor.snippet}</head><body>sri</body></html>`);
    const tab = await browser.newPage();
    await tab.goto(site.url('shop.test', '/sri-check'), { waitUntil: 'load' });
    assert.equal(await tab.evaluate(() => (window as unknown as { vendorLib?: { version: string } }).vendorLib?.version), '1.2.0');
    site.set('shop.test', '/static/vendor-1.2.0.min.js', `${VENDOR}\nwindow.skim = 1;`);
    await tab.goto(site.url('shop.test', '/sri-check'), { waitUntil: 'load' });
    assert.equal(await tab.evaluate(() => (window as unknown as { vendorLib?: unknown }).vendorLib), undefined, 'the tampered copy did not run');
    await tab.close();
    site.set('shop.test', '/static/vendor-1.2.0.min.js', VENDOR);
  });

  it('shows the proposal and its replay on the target\'s Harden screen of the dashboard', async () => {
    const serve = await startServe(dir);
    try {
      const page = await fetch(`${serve.url}targets/checkout/harden`);
      assert.equal(page.status, 200);
      const text = await page.text();
      assert.match(text, /<h1>Harden checkout<\/h1>/);
      assert.match(text, /Safe: the page was replayed with this policy enforced in desktop, with no violation/);
      assert.match(text, /Content-Security-Policy-Report-Only: script-src &#39;self&#39;/);
      assert.equal((await fetch(`${serve.url}targets/no-such-target/harden`)).status, 404);
      assert.match(await (await fetch(serve.url)).text(), /href="\/targets\/checkout\/harden"/);
    } finally {
      await serve.stop('SIGTERM');
    }
  });

  it('catches, by replaying, a proposal that would break an inline script, and says how to fix it', async () => {
    // An inline script the page gained since the inventory was approved: the proposal has no hash for it.
    site.set('shop.test', '/checkout', { body: CHECKOUT_HTML.replace('</body>', '<script>window.lateInline = true;</script></body>') });
    const result = await harden();
    assert.equal(result.code, 1, result.stderr);
    const broken = parseJson<HardenResult>(result);
    assert.equal(broken.safe, false);
    const inline = broken.replays.flatMap((r) => r.violations).filter((v) => v.blocked === 'inline');
    assert.ok(inline.length >= 1, JSON.stringify(broken.replays));
    assert.match(inline[0]!.directive, /^script-src/);
    assert.match(inline[0]!.fix, /add its 'sha256-…' to script-src/);
    const text = await runCli(['harden', 'checkout'], { cwd: dir });
    assert.match(text.stdout, /Not safe: replayed with the policy enforced, it would break:/);
    assert.match(text.stdout, /Content-Security-Policy-Report-Only: script-src 'self'/);
  });
});
