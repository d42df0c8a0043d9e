// Crawler: the page instrumentation watches without changing what the page's own code gets back from the APIs it wraps.

import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { BrowserHandle } from '../../crawler/launch-browser.js';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import { launchTestCapturer } from '../fixtures/browser.js';

/** Runs each wrapped API the way a page would and reports what came back, by image beacon. */
const SELF_TEST = `(function () {
  var r = {};
  function check(name, fn) { try { r[name] = fn() === true; } catch (e) { r[name] = 'threw ' + e.name; } }
  check('localStorage', function () { localStorage.setItem('k', 'v1'); return localStorage.getItem('k') === 'v1'; });
  check('sessionStorage', function () { sessionStorage.setItem('k', 'v2'); return sessionStorage.getItem('k') === 'v2'; });
  check('cookie', function () { document.cookie = 'c=v3; path=/'; return document.cookie.indexOf('c=v3') !== -1; });
  check('setAttribute', function () { var l = document.createElement('link'); l.setAttribute('rel', 'preconnect'); l.setAttribute('href', '//cdn.test/'); return l.getAttribute('rel') === 'preconnect' && l.rel === 'preconnect'; });
  check('linkHref', function () { var l = document.createElement('link'); l.href = '/x.css'; return /\\/x\\.css$/.test(l.href); });
  check('windowOpen', function () { return typeof window.open === 'function' && window.open.name === 'open'; });
  check('eventSource', function () { var s = new EventSource('/events'); var ok = s instanceof EventSource && s.readyState === 0; s.close(); return ok; });
  check('rtc', function () { var pc = new RTCPeerConnection(); var ch = pc.createDataChannel('x'); var ok = pc instanceof RTCPeerConnection && ch.label === 'x'; pc.close(); return ok; });
  check('indexedDB', function () { return typeof IDBObjectStore.prototype.put === 'function'; });
  check('nativeLooking', function () { return String(Storage.prototype.setItem).indexOf('[native code]') !== -1 && String(window.open).indexOf('[native code]') !== -1; });
  new Image().src = '/result?' + encodeURIComponent(JSON.stringify(r));
})();`;

describe('page instrumentation', () => {
  let site: FixtureSite;
  let browser: BrowserHandle;
  beforeAll(async () => {
    site = await startFixtureSite();
    site.set('selftest.test', '/', `<!doctype html><html><body><form><input autocomplete="cc-number"></form><script>${SELF_TEST}</script></body></html>`);
    site.set('selftest.test', '/events', { body: 'data: x\n\n', headers: { 'content-type': 'text/event-stream' } });
    site.set('selftest.test', '/result', 'ok');
    browser = await launchTestCapturer();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('leaves storage, cookies, links, window.open, EventSource and WebRTC working as the page expects', async () => {
    const capture = await browser.capture({ target: 'selftest', url: site.url('selftest.test', '/'), profile: 'desktop' },
      { pageTimeoutMs: 10_000, settleMs: 300, maxScriptsPerPage: 100, maxBodyBytes: 1_000_000 });
    assert.equal(capture.outcome.ok, true);
    const hit = capture.requests.find((r) => r.url.includes('/result?'));
    assert.ok(hit, 'the self-test reported');
    const results = JSON.parse(decodeURIComponent(hit.url.slice(hit.url.indexOf('?') + 1))) as Record<string, unknown>;
    assert.deepEqual(Object.entries(results).filter(([, ok]) => ok !== true), []);
    // And it saw what it watches: the storage writes, with the script that made them.
    assert.ok(capture.runtime?.some((s) => s.kind === 'stored' && s.detail === 'localStorage k' && s.data === 'v1'));
  });
});
