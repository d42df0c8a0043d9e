// Crawler: every capture is a first-time visitor, with the context opened ahead too: a skimmer that runs only on a
// visitor's first visit (remembered in a cookie, either storage, IndexedDB or the Cache API) is seen on every scan.

import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { BrowserHandle } from '../../crawler/launch-browser.js';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import { launchTestCapturer } from '../fixtures/browser.js';

const limits = { pageTimeoutMs: 8000, settleMs: 300, maxScriptsPerPage: 100, maxBodyBytes: 1024 * 1024 };

// Skims only when no kind of storage remembers the visitor, then marks every kind.
const GATE = `(async function () {
  var seen;
  try { seen = document.cookie.indexOf('visited=1') !== -1 || localStorage.getItem('seen') || sessionStorage.getItem('seen'); } catch (e) { seen = false; }
  var db = await new Promise(function (resolve) {
    var req; try { req = indexedDB.open('visits', 1); } catch (e) { resolve(null); return; }
    req.onupgradeneeded = function () { req.result.createObjectStore('v'); };
    req.onsuccess = function () { resolve(req.result); };
    req.onerror = function () { resolve(null); };
  });
  var stored = null;
  try { stored = db ? await new Promise(function (resolve) { var r = db.transaction('v').objectStore('v').get('seen'); r.onsuccess = function () { resolve(r.result); }; r.onerror = function () { resolve(null); }; }) : null; } catch (e) { stored = null; }
  var cached = false;
  try { cached = window.caches ? await caches.has('visits') : false; } catch (e) { cached = false; }
  if (seen || stored || cached) return;
  var s = document.createElement('script'); s.src = '/skim.js'; document.head.appendChild(s);
  try { document.cookie = 'visited=1; max-age=86400'; localStorage.setItem('seen', '1'); sessionStorage.setItem('seen', '1'); } catch (e) {}
  try { if (db) db.transaction('v', 'readwrite').objectStore('v').put('1', 'seen'); } catch (e) {}
  try { if (window.caches) await caches.open('visits'); } catch (e) {}
})();`;

describe('a first-time visitor on every capture', () => {
  let site: FixtureSite;
  let browser: BrowserHandle;

  beforeAll(async () => {
    site = await startFixtureSite();
    // The server remembers too: a request carrying its cookie gets the page without the gate.
    site.set('shop.test', '/checkout', {
      body: '', headers: { 'set-cookie': 'server_seen=1; Max-Age=86400; Path=/' },
      render: ({ headers }) => `<!doctype html><html><head><title>Pay</title>${String(headers.cookie ?? '').includes('server_seen=1') ? '' : '<script src="/gate.js"></script>'}</head><body><form><input name="q"></form></body></html>`,
    });
    site.set('shop.test', '/gate.js', GATE);
    site.set('shop.test', '/skim.js', 'window.skimmed = true;');
    browser = await launchTestCapturer();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('sees the first-visit skimmer on each of four captures in a row', async () => {
    for (let scan = 1; scan <= 4; scan++) {
      const capture = await browser.capture({ target: 'first-visit', url: site.url('shop.test', '/checkout'), profile: 'desktop' }, limits);
      assert.equal(capture.outcome.ok, true, JSON.stringify(capture.outcome));
      const urls = capture.scripts.map((s) => s.url ?? '');
      assert.ok(urls.some((u) => u.endsWith('/gate.js')), `scan ${scan}: the server saw a new visitor (${urls.join(', ')})`);
      assert.ok(urls.some((u) => u.endsWith('/skim.js')), `scan ${scan}: the page saw a new visitor (${urls.join(', ')}; ${site.hits.join(' / ')}; ${JSON.stringify(capture.runtime)})`);
    }
  });
});
