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

  it('is taken and let go again and again while another context loads pages: every load completes', async () => {
    const watcher = watchNewTargets(browser);
    const guarded = await browser.createBrowserContext();
    const loading = await browser.createBrowserContext();
    const stranded: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const pages = await Promise.all(Array.from({ length: PAGES }, () => loading.newPage()));
      const load = Promise.all(pages.map((page) => page.goto(site.url('shop.test', '/'), { waitUntil: 'load', timeout: 15_000 })))
        .then(() => null, (error: unknown) => String(error));
      // Another capture's pass takes the guard and lets it go while this page's scripts are being requested.
      let loaded = false;
      void load.finally(() => { loaded = true; });
      const cycles = (async () => {
        for (let i = 0; !loaded; i++) {
          const release = await watcher.guard(guarded.id!, 'the-guarded-page', { refuse: () => false, seen: [], blocked: [] });
          await new Promise((resolve) => setTimeout(resolve, i % 4));
          // A busy process (a saturated machine): pauses reported meanwhile wait unanswered when the guard lets go.
          const until = performance.now() + 2;
          while (performance.now() < until);
          release();
        }
      })();
      const [failure] = await Promise.all([load, cycles]);
      if (failure) stranded.push(`round ${round}: ${failure}`);
      if (failure) break;
      await Promise.all(pages.map((page) => page.close()));
    }
    await guarded.close();
    await loading.close();
    assert.deepEqual(stranded, []);
  }, 600_000);
});
