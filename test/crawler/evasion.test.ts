// Crawler: the scan looks like a visitor; a skimmer that hides from automation tells still runs, on desktop and mobile.

import assert from 'node:assert/strict';
import { judgeCanary } from '../../src/detect/canary.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserHandle } from '../../crawler/launch-browser.js';
import { evasivePage } from '../fixtures/evasive-page.js';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import { launchOwnCapturer, launchTestPuppeteer } from '../fixtures/browser.js';
import { installInstrumentation } from '../../crawler/instrument.js';
import { profileSettings } from '../../crawler/profiles.js';

describe('looking like a visitor', () => {
  let site: FixtureSite;
  let browser: BrowserHandle;
  beforeAll(async () => {
    site = await startFixtureSite();
    site.set('evasive.test', '/checkout', evasivePage('http://report.test:{{PORT}}/r/', 'http://collect-evasive.test:{{PORT}}/c'));
    site.set('collect-evasive.test', '/c', 'ok');
    // A page that tries to blind stack-based attribution and function inspection before it touches the card field.
    site.set('tamper.test', '/checkout', '<!doctype html><html><body><form><input id="card-number" autocomplete="cc-number"></form><script src="/js/t.js"></script></body></html>');
    site.set('tamper.test', '/js/t.js', `Error.prepareStackTrace = function () { return 'nothing to see'; };
Function.prototype.toString = function () { return 'function () { [native code] }'; };
window.FormData = function () {};
document.getElementById('card-number').addEventListener('keyup', function () {});
var v = document.getElementById('card-number').value;`);
    // Its own browser, launched as scan launches one: what the page can see of the window depends on the launch.
    browser = await launchOwnCapturer();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  for (const profile of ['desktop', 'mobile']) {
    it(`shows no automation tell (${profile}), so the hidden skimmer runs and the canary catches it`, async () => {
      const before = site.hits.length;
      const capture = await browser.capture({ target: 'evasive', url: site.url('evasive.test', '/checkout'), profile },
        { pageTimeoutMs: 10_000, settleMs: 300, maxScriptsPerPage: 100, maxBodyBytes: 1_000_000, canary: { enabled: true } });
      assert.equal(capture.outcome.ok, true);
      const report = site.hits.slice(before).find((h) => h.startsWith('report.test'));
      assert.equal(report, 'report.test /r/none.gif GET', 'the page saw no automation tell');
      // The crawler gathers; the judgement (src/detect) finds the canary in what the page sent.
      assert.deepEqual(judgeCanary(capture.canary!, capture.finalUrl!, []).findings.map((f) => f.host), ['collect-evasive.test']);
    });
  }

  // The browser applies a window's size asynchronously; a page that runs before it did (a saturated machine, a renderer
  // swapped in by navigation) read an outer size of 0, or one smaller than the viewport. Made deterministic here by a
  // window deliberately smaller than the viewport (a desktop check: on a phone a page is laid out wider than its window).
  {
    const profile = 'desktop';
    it('shows a sane window even before the browser applied its size', async () => {
      const plain = await launchTestPuppeteer({ '*.test': '127.0.0.1' });
      try {
        const page = await plain.newPage();
        const settings = profileSettings(profile, '');
        const session = await page.createCDPSession();
        await session.send('Page.enable');
        await installInstrumentation(session, settings);
        await session.send('Emulation.setUserAgentOverride', { userAgent: settings.userAgent, platform: settings.platform, userAgentMetadata: settings.userAgentMetadata });
        await page.setViewport(settings.viewport);
        const { windowId } = await session.send('Browser.getWindowForTarget');
        await session.send('Browser.setWindowBounds', { windowId, bounds: { width: 300, height: 200, windowState: 'normal' } });
        const before = site.hits.length;
        await page.goto(site.url('evasive.test', '/checkout'), { waitUntil: 'load' });
        await expect.poll(() => site.hits.slice(before).find((h) => h.startsWith('report.test'))).toBeDefined();
        const report = site.hits.slice(before).find((h) => h.startsWith('report.test'));
        assert.equal(report, 'report.test /r/none.gif GET');
        // The disguise holds: the getter looks native.
        const getter = await page.evaluate(() => String(Object.getOwnPropertyDescriptor(window, 'outerWidth')!.get));
        assert.equal(getter, 'function get outerWidth() { [native code] }');
      } finally {
        await plain.close();
      }
    });
  }

  it('still attributes payment-field listeners to the script when the page tampers with stacks and functions', async () => {
    const capture = await browser.capture({ target: 'tamper', url: site.url('tamper.test', '/checkout'), profile: 'desktop' },
      { pageTimeoutMs: 10_000, settleMs: 200, maxScriptsPerPage: 100, maxBodyBytes: 1_000_000, canary: { enabled: true } });
    const listen = capture.runtime?.find((s) => s.kind === 'listen' && s.detail === 'keyup on input[autocomplete=cc-number]#card-number');
    assert.ok(listen, JSON.stringify(capture.runtime));
    assert.equal(listen.script, site.url('tamper.test', '/js/t.js'));
    assert.ok(!capture.scripts.some((s) => (s.url ?? '').startsWith('scriptwarden-instrument')), 'our instrumentation is not in the inventory');
  });
});
