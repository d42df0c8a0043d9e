// Crawler: real Chromium records every kind of script as the engine parses it, with frame and initiator.

import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { BrowserHandle } from '../../crawler/launch-browser.js';
import { launchTestCapturer } from '../fixtures/browser.js';
import type { PageCapture } from '../../src/capture/types.js';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';

const limits = { pageTimeoutMs: 8000, settleMs: 300, maxScriptsPerPage: 500, maxBodyBytes: 5 * 1024 * 1024 };

const PAGE = `<!doctype html><html><head>
<script src="/first.js"></script>
<script>new Image().src = '/webdriver-' + String(navigator.webdriver);</script>
<script>var inlineOne = 1;</script>
<script type="module" src="/mod.js"></script>
</head><body>
<form><input type="password" name="pw"></form>
<iframe src="http://widgets.test:{{PORT}}/frame"></iframe>
<script id="self">(function(){ window.ranSelf = true; var me = document.getElementById('self'); me.parentNode.removeChild(me); })();</script>
<script src="/loader.js"></script>
<script>new Worker('/worker.js');</script>
</body></html>`;

describe('capturePage', () => {
  let site: FixtureSite;
  let browser: BrowserHandle;
  let capture: PageCapture;

  beforeAll(async () => {
    site = await startFixtureSite();
    site.set('shop.test', '/', PAGE);
    site.set('shop.test', '/first.js', 'window.first = 1;');
    site.set('shop.test', '/mod.js', "import { dep } from './dep.js'; window.mod = dep;");
    site.set('shop.test', '/dep.js', 'export const dep = 2;');
    site.set('shop.test', '/loader.js', `var x = new XMLHttpRequest(); x.open('GET', '/img/logo.png', false); x.send(); eval(x.responseText.slice(x.responseText.indexOf('//P') + 3));
var s = document.createElement('script'); s.src = 'http://cdn.test:{{PORT}}/injected.js'; document.head.appendChild(s);`);
    site.set('shop.test', '/img/logo.png', 'PNGDATA//Pwindow.fromImage = "payload";');
    site.set('shop.test', '/worker.js', "importScripts('/worker-dep.js'); postMessage(1);");
    site.set('shop.test', '/worker-dep.js', 'var workerDep = 1;');
    site.set('cdn.test', '/injected.js', 'window.injected = 1;');
    site.set('widgets.test', '/frame', '<script src="/w.js"></script><script>var inFrame = 1;</script>');
    site.set('widgets.test', '/w.js', 'window.w = 1;');
    browser = await launchTestCapturer();
    capture = await browser.capture({ target: 'kinds', url: site.url('shop.test', '/'), profile: 'desktop' }, limits);
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  const find = (predicate: (s: PageCapture['scripts'][number]) => boolean) => capture.scripts.filter(predicate);

  it('loads the page successfully', () => {
    assert.deepEqual(capture.outcome, { ok: true });
    assert.equal(capture.documentStatus, 200);
  });

  it('records external, inline, module and self-removing scripts', () => {
    assert.equal(find((s) => s.kind === 'external' && /\/first\.js$/.test(s.url!)).length, 1);
    assert.equal(find((s) => s.kind === 'inline' && s.body === 'var inlineOne = 1;').length, 1);
    assert.equal(find((s) => s.kind === 'module' && /\/mod\.js$/.test(s.url!)).length, 1);
    assert.equal(find((s) => s.kind === 'module' && /\/dep\.js$/.test(s.url!)).length, 1);
    assert.equal(find((s) => s.kind === 'inline' && /removeChild\(me\)/.test(s.body ?? '')).length, 1, 'a script that deleted its own tag is still recorded');
  });

  it('records a script inserted by another script, with its inserter', () => {
    const injected = find((s) => /injected\.js$/.test(s.url ?? ''));
    assert.equal(injected.length, 1);
    assert.equal(injected[0]!.kind, 'dynamic');
    assert.match(injected[0]!.initiator!.url!, /\/loader\.js$/);
    assert.equal(injected[0]!.body, 'window.injected = 1;');
    assert.equal(injected[0]!.status, 200);
    assert.equal(injected[0]!.remoteIp, '127.0.0.1');
  });

  it('records code run through eval, attributed to the script that ran it', () => {
    const evaluated = find((s) => s.kind === 'eval' && /fromImage/.test(s.body ?? ''));
    assert.equal(evaluated.length, 1);
    assert.match(evaluated[0]!.initiator!.url!, /\/loader\.js$/);
  });

  it('records scripts in a cross-origin iframe with their frame', () => {
    const inFrame = find((s) => !s.isMainFrame && /widgets\.test/.test(s.frameUrl));
    assert.ok(inFrame.some((s) => s.kind === 'external' && /\/w\.js$/.test(s.url!)));
    assert.ok(inFrame.some((s) => s.kind === 'inline' && s.body === 'var inFrame = 1;'));
  });

  it('records worker scripts', () => {
    const worker = find((s) => s.kind === 'worker');
    assert.ok(worker.some((s) => /\/worker\.js$/.test(s.url!)), JSON.stringify(capture.scripts.map((s) => [s.kind, s.url])));
    assert.ok(worker.some((s) => /\/worker-dep\.js$/.test(s.url!)));
  });

  it('records destinations with their initiating script, and login forms', () => {
    const logo = capture.requests.find((r) => /logo\.png$/.test(r.url));
    assert.ok(logo);
    assert.match(logo.initiatorUrl!, /loader\.js$/);
    assert.equal(capture.forms.login, true);
  });

  it('hides navigator.webdriver from the page', () => {
    assert.ok(site.hits.some((h) => h.startsWith('shop.test /webdriver-false')), site.hits.join('\n'));
  });

  it('presents a desktop browser user agent and client hints, not HeadlessChrome', () => {
    assert.ok(site.userAgents.length > 0);
    for (const ua of site.userAgents) {
      assert.doesNotMatch(ua, /Headless/);
      assert.match(ua, /Windows NT 10\.0/);
    }
  });

  it('keeps script bodies up to the page budget, and only the fingerprints of the rest, with a notice', async () => {
    const bodies = [0, 1, 2, 3].map((i) => `window.part${i} = "${String(i).repeat(40_000)}";`);
    bodies.forEach((body, i) => site.set('shop.test', `/big${i}.js`, body));
    site.set('shop.test', '/big', `<!doctype html>${bodies.map((_, i) => `<script src="/big${i}.js"></script>`).join('')}`);
    const big = await browser.capture({ target: 'big', url: site.url('shop.test', '/big'), profile: 'desktop' }, { ...limits, maxPageBytes: 100_000 });
    assert.deepEqual(big.outcome, { ok: true });
    const scripts = big.scripts.filter((s) => /\/big\d\.js$/.test(s.url ?? ''));
    assert.equal(scripts.length, 4);
    const kept = scripts.filter((s) => s.body !== null);
    const hashed = scripts.filter((s) => s.body === null);
    assert.equal(kept.length, 2, 'two bodies of 40 KB fit in 100 KB');
    assert.equal(hashed.length, 2);
    const { sha256Hex } = await import('../../src/plan/fingerprint.js');
    for (const s of hashed) assert.equal(s.fingerprint?.sha256, sha256Hex(bodies[Number(/big(\d)/.exec(s.url!)![1])]!), 'a dropped body is still fingerprinted');
    assert.ok(big.notices?.some((n) => /2 script bodies were fingerprinted and compared but not kept/.test(n)), JSON.stringify(big.notices));
  });

  it('reads a baseline sample for its scripts only: no behavioural pass, no form typed into again, no evidence', async () => {
    const pay = `<!doctype html><form action="/pay" method="post"><input autocomplete="cc-number" name="card"><button>Pay</button></form>
<script src="/pay.js"></script><script>document.forms[0].addEventListener('submit', function () { navigator.sendBeacon('/seen-submit', '1'); });</script>`;
    site.set('shop.test', '/pay', pay);
    site.set('shop.test', '/pay.js', 'window.pay = 1;');
    const canaryLimits = { ...limits, canary: { enabled: true } };
    const full = await browser.capture({ target: 'pay', url: site.url('shop.test', '/pay'), profile: 'desktop' }, canaryLimits);
    assert.ok(full.canary && full.canary.filled.length > 0, 'a scan of a payment page runs the pass');
    assert.ok(full.evidence?.screenshotPng, 'and keeps evidence');
    const sample = await browser.capture({ target: 'pay', url: site.url('shop.test', '/pay'), profile: 'desktop', sample: true }, canaryLimits);
    assert.deepEqual(sample.outcome, { ok: true });
    assert.ok(sample.scripts.some((s) => s.url?.endsWith('/pay.js')) && sample.scripts.some((s) => s.kind === 'inline'));
    assert.equal(sample.canary ?? null, null);
    assert.equal(sample.evidence, null);
  });
});
