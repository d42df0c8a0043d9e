// Crawler: a browser killed mid-capture gives a failed capture, and the next capture relaunches it.

import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type BrowserHandle } from '../../crawler/launch-browser.js';
import { launchOwnCapturer, RUNNING_AS_ROOT, testBrowserPath } from '../fixtures/browser.js';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';

const limits = { pageTimeoutMs: 8000, settleMs: 200, maxScriptsPerPage: 500, maxBodyBytes: 1024 * 1024 };

describe('browser crash recovery', () => {
  let site: FixtureSite;
  let browser: BrowserHandle;
  beforeAll(async () => {
    site = await startFixtureSite();
    site.set('shop.test', '/slow', '<script src="/slow.js"></script>');
    site.set('shop.test', '/slow.js', { body: 'window.slow = 1;', delayMs: 4000 });
    site.set('shop.test', '/ok', '<script>var ok = 1;</script>');
    // Its own browser: this test kills it.
    browser = await launchOwnCapturer();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('reports the killed load as failed and scans the next page in a new browser', async () => {
    const pid = browser.pid();
    assert.ok(pid);
    const pending = browser.capture({ target: 'slow', url: site.url('shop.test', '/slow'), profile: 'desktop' }, limits);
    // Mid-load: the browser has asked for the script that takes 4 s.
    await expect.poll(() => site.hits.some((h) => h.startsWith('shop.test /slow.js')), { timeout: 10_000 }).toBe(true);
    process.kill(pid, 'SIGKILL');
    const failed = await pending;
    assert.equal(failed.outcome.ok, false);
    assert.equal(failed.outcome.ok ? '' : failed.outcome.code, 'BROWSER_CRASHED', JSON.stringify(failed.outcome));
    assert.deepEqual(failed.scripts, [], 'a crashed load reports no scripts, so nothing looks removed');

    const next = await browser.capture({ target: 'ok', url: site.url('shop.test', '/ok'), profile: 'desktop' }, limits);
    assert.deepEqual(next.outcome, { ok: true });
    assert.equal(next.scripts.filter((s) => s.kind === 'inline').length, 1);
    assert.notEqual(browser.pid(), pid);
  });

  it('presents a mobile browser in the mobile profile', async () => {
    site.userAgents.length = 0;
    const capture = await browser.capture({ target: 'ok', url: site.url('shop.test', '/ok'), profile: 'mobile' }, limits);
    assert.deepEqual(capture.outcome, { ok: true });
    assert.match(site.userAgents[0]!, /Android .*Mobile Safari/);
  });
});

describe('a hung browser', () => {
  it('is killed when it stops answering, and the next capture runs in a new one', async () => {
    const site = await startFixtureSite();
    site.set('shop.test', '/ok', '<script>var ok = 1;</script>');
    const browser = await launchBrowser({ executablePath: testBrowserPath(), args: [], resolve: { '*.test': '127.0.0.1' }, runningAsRoot: RUNNING_AS_ROOT, hungAfterMs: 1500 });
    try {
      const pid = browser.pid()!;
      // A stopped process keeps its pipe open but answers nothing: a hang, not a crash.
      process.kill(pid, 'SIGSTOP');
      await assert.rejects(browser.capture({ target: 'ok', url: site.url('shop.test', '/ok'), profile: 'desktop' }, limits), /did not open a page/);
      const next = await browser.capture({ target: 'ok', url: site.url('shop.test', '/ok'), profile: 'desktop' }, limits);
      assert.deepEqual(next.outcome, { ok: true });
      assert.notEqual(browser.pid(), pid);
      assert.equal(browser.state().restarts, 1);
    } finally {
      await browser.close();
      await site.close();
    }
  });
});
