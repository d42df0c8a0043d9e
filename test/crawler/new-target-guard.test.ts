// Crawler: the browser-wide guard of one capture's popups never strands another page's requests when it lets go.

import assert from 'node:assert/strict';
import puppeteer, { type Browser } from 'puppeteer';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { chromiumArgs } from '../../crawler/launch-browser.js';
import { watchNewTargets } from '../../crawler/new-target-guard.js';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import { RUNNING_AS_ROOT, testBrowserPath } from '../fixtures/browser.js';

const SCRIPTS = 30;
const PAGES = 4;
const ROUNDS = 20;

describe('the new-window guard', () => {
  let site: FixtureSite;
  let browser: Browser;

  beforeAll(async () => {
    site = await startFixtureSite();
    const tags = Array.from({ length: SCRIPTS }, (_, i) => `<script src="http://cdn${i}.test:${site.port}/s${i}.js"></script>`).join('');
    site.set('shop.test', '/', `<!doctype html><title>shop</title>${tags}`);
    for (let i = 0; i < SCRIPTS; i++) site.set(`cdn${i}.test`, `/s${i}.js`, `window.s${i} = ${i};`);
    // Its own browser: the guard pauses every request of a browser, and the shared one serves other test files.
    const executablePath = testBrowserPath();
    browser = await puppeteer.launch({
      executablePath, headless: true, pipe: true,
      args: chromiumArgs({ executablePath, args: [], resolve: { '*.test': '127.0.0.1' }, runningAsRoot: RUNNING_AS_ROOT }),
    });
  }, 60_000);
  afterAll(async () => { await browser?.close(); await site?.close(); });

  /**
   * Loads pages in one context, round after round, while `churn` takes and lets go of interception; returns the
   * loads that never finished.
   */
  async function loadWhile(churn: (guarded: string, loaded: () => boolean) => Promise<void>): Promise<string[]> {
    const guarded = await browser.createBrowserContext();
    const loading = await browser.createBrowserContext();
    const stranded: string[] = [];
    for (let round = 0; round < ROUNDS && stranded.length === 0; round++) {
      const pages = await Promise.all(Array.from({ length: PAGES }, () => loading.newPage()));
      let loaded = false;
      const load = Promise.all(pages.map((page) => page.goto(site.url('shop.test', '/'), { waitUntil: 'load', timeout: 15_000 })))
        .then(() => null, (error: unknown) => String(error))
        .finally(() => { loaded = true; });
      const [failure] = await Promise.all([load, churn(guarded.id!, () => loaded)]);
      if (failure) stranded.push(`round ${round}: ${failure}`);
      await Promise.all(pages.map((page) => page.close()));
    }
    await guarded.close();
    await loading.close();
    return stranded;
  }

  // A busy process (a saturated machine): pauses reported meanwhile wait unanswered when the guard lets go.
  const busyFor = (ms: number) => { const until = performance.now() + ms; while (performance.now() < until); };
  const open = { refuse: () => false, seen: [], blocked: [] };

  it('is taken, let go and switched off again and again while another context loads pages: every load completes', async () => {
    // No grace: the interception is switched off as soon as nothing is left unanswered, as often as it can be.
    const watcher = watchNewTargets(browser, { graceMs: 50 });
    const stranded = await loadWhile(async (guarded, loaded) => {
      for (let i = 0; !loaded(); i++) {
        const release = await watcher.guard(guarded, 'the-guarded-page', open);
        await new Promise((resolve) => setTimeout(resolve, i % 4));
        busyFor(2);
        release();
        await new Promise((resolve) => setTimeout(resolve, i % 3));
      }
    });
    await watcher.close();
    assert.deepEqual(stranded, []);
  }, 600_000);

});
