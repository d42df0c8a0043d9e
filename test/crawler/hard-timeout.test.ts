// Crawler: a capture stopped at its hard limit stops: the page is let go, and what it returned is not changed later.

import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserHandle } from '../../crawler/launch-browser.js';
import { launchTestCapturer } from '../fixtures/browser.js';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';

// A page timeout of 4 s (the page loads well within it on a busy machine) gives a hard limit of 18 s (time-limits.ts).
const limits = { pageTimeoutMs: 4000, settleMs: 100, maxScriptsPerPage: 500, maxBodyBytes: 1024 * 1024 };

describe('the hard limit of a capture', () => {
  let site: FixtureSite;
  let browser: BrowserHandle;
  beforeAll(async () => {
    site = await startFixtureSite();
    // After load the page blocks its own main thread on a request that is never answered: the engine stops answering.
    site.set('shop.test', '/hangs', `<!doctype html><script src="/app.js"></script><form><input autocomplete="cc-number"></form>
<script>addEventListener('load', function () { setTimeout(function () { var x = new XMLHttpRequest(); x.open('GET', '/never', false); try { x.send(); } catch (e) {} }, 400); });</script>`);
    site.set('shop.test', '/app.js', 'window.app = 1;');
    site.set('shop.test', '/never', { body: '', delayMs: 120_000 });
    browser = await launchTestCapturer();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('returns a timed-out capture that the stopped driver no longer writes to', async () => {
    const capture = await browser.capture({ target: 'hangs', url: site.url('shop.test', '/hangs'), profile: 'desktop' }, { ...limits, canary: { enabled: true } });
    assert.equal(capture.outcome.ok ? '' : capture.outcome.code, 'PAGE_TIMEOUT', JSON.stringify(capture.outcome));
    assert.match(capture.outcome.ok ? '' : capture.outcome.reason, /page capture exceeded 18000 ms/, 'stopped at the hard limit, after the page had loaded');
    const returned = JSON.stringify(capture);
    // The page's context is closed, so every call the driver still had pending fails: give it the time to notice.
    await expect.poll(() => site.hits.filter((h) => h.startsWith('shop.test /never')).length).toBeGreaterThan(0);
    const next = await browser.capture({ target: 'after', url: site.url('shop.test', '/app.js'), profile: 'desktop' }, limits);
    assert.deepEqual(next.outcome, { ok: true }, 'the browser captures the next page');
    assert.equal(JSON.stringify(capture), returned, 'the returned capture was not changed after it was returned');
    assert.deepEqual(capture.scripts, []);
  });
});
