// Crawler: evidence of a load over HTTPS: the document byte for byte, the rendered DOM, a PNG screenshot, TLS details
// of the certificate, a HAR with server addresses, and the initiator chain of an injected script.

import { join } from 'node:path';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { launchBrowser, type BrowserHandle } from '../../crawler/launch-browser.js';
import { evidenceFiles, initiatorChain } from '../../src/evidence/evidence.js';
import type { PageCapture } from '../../src/capture/types.js';
import { RUNNING_AS_ROOT, testBrowserPath } from '../fixtures/browser.js';
import { ROOT } from '../fixtures/paths.js';
import { tempProject } from '../fixtures/cli.js';
import { openStore } from '../../src/store/open-store.js';
import { planScan } from '../../src/plan/plan-scan.js';
import { knownContent } from '../../src/plan/known-content.js';

const TLS_DIR = `${join(ROOT, 'test', 'fixtures', 'tls')}/`;
const PAGE = `<!doctype html><html><head><title>Pay</title>
<script src="/loader.js"></script></head>
<body><h1>Checkout</h1><form><input name="q"></form></body></html>`;
const LOADER = "var s = document.createElement('script'); s.src = '/tag.js'; document.head.appendChild(s);";
const TAG = "document.body.insertAdjacentHTML('beforeend', '<p id=added>added by tag.js</p>');";

describe('evidence of a load', () => {
  let tag = TAG;
  let server: Server;
  let browser: BrowserHandle;
  let capture: PageCapture;
  let origin: string;

  beforeAll(async () => {
    server = createServer({ key: readFileSync(`${TLS_DIR}key.pem`), cert: readFileSync(`${TLS_DIR}cert.pem`) }, (req, res) => {
      const routes: Record<string, [string, string]> = { '/': ['text/html', PAGE], '/loader.js': ['text/javascript', LOADER], '/tag.js': ['text/javascript', tag] };
      const route = routes[req.url ?? ''];
      res.writeHead(route ? 200 : 404, { 'content-type': route?.[0] ?? 'text/plain' }).end(route?.[1] ?? 'no');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `https://secure-shop.test:${(server.address() as AddressInfo).port}`;
    // The fixture certificate is self-signed: this browser is told to accept it, as a private CA would be trusted.
    browser = await launchBrowser({ executablePath: testBrowserPath(), args: ['--ignore-certificate-errors'], resolve: { '*.test': '127.0.0.1' }, runningAsRoot: RUNNING_AS_ROOT });
    capture = await browser.capture({ target: 'secure', url: `${origin}/`, profile: 'desktop' }, { pageTimeoutMs: 8000, settleMs: 300, maxScriptsPerPage: 100, maxBodyBytes: 1024 * 1024 });
  });
  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    server?.close();
  });

  it('keeps the document as served and the DOM as rendered', () => {
    assert.deepEqual(capture.outcome, { ok: true });
    assert.equal(capture.evidence?.documentHtml, PAGE);
    assert.match(capture.evidence?.domHtml ?? '', /<p id="added">added by tag\.js<\/p>/);
    assert.doesNotMatch(PAGE, /added by tag/);
  });

  it('records the certificate and connection', () => {
    const tls = capture.evidence?.tls;
    assert.ok(tls, 'TLS details of the document');
    assert.match(tls.protocol, /^TLS 1\.[23]$/);
    assert.equal(tls.subjectName, 'secure-shop.test');
    assert.equal(tls.issuer, 'secure-shop.test');
    assert.equal(tls.validTo.slice(0, 4), '2126');
    assert.ok(tls.sanList.includes('secure-shop.test'));
  });

  it('writes a screenshot, a HAR and the initiator chains', () => {
    const files = new Map(evidenceFiles(capture, 'test').map((f) => [f.name, f.bytes]));
    assert.deepEqual([...files.keys()].sort(), ['dom.html', 'initiators.json', 'page.har', 'page.html', 'screenshot.png', 'tls.json']);
    const png = files.get('screenshot.png')!;
    assert.equal(png.subarray(0, 8).toString('hex'), '89504e470d0a1a0a');
    assert.ok(png.readUInt32BE(16) > 100 && png.readUInt32BE(20) > 100, 'a real image');
    const har = JSON.parse(files.get('page.har')!.toString('utf8')) as { log: { version: string; entries: { request: { url: string }; response: { status: number }; serverIPAddress?: string; _securityDetails?: { subjectName: string } }[] } };
    assert.equal(har.log.version, '1.2');
    const tag = har.log.entries.find((e) => e.request.url === `${origin}/tag.js`);
    assert.ok(tag, 'the injected script is in the HAR');
    assert.equal(tag.response.status, 200);
    assert.equal(tag.serverIPAddress, '127.0.0.1');
    assert.equal(tag._securityDetails?.subjectName, 'secure-shop.test');
    const injected = capture.scripts.find((s) => s.url === `${origin}/tag.js`)!;
    assert.deepEqual(initiatorChain(injected, capture.scripts).map((l) => l.url), [`${origin}/tag.js`, `${origin}/loader.js`, `${origin}/`]);
  });

  it('takes the DOM copy and the screenshot only when the load shows something its baseline does not hold', async () => {
    const limits = { pageTimeoutMs: 8000, settleMs: 300, maxScriptsPerPage: 100, maxBodyBytes: 1024 * 1024 };
    const store = await openStore(join(tempProject('sw-evidence-'), 'scriptwarden.db'));
    try {
      // The baseline is the first load's, recorded as a scan records it.
      await store.scans.applyPlan(planScan(capture, await store.scans.readBaseline('secure', 'desktop'), { removalThreshold: 2 }));
      const known = knownContent(await store.scans.readBaseline('secure', 'desktop'))!;
      const same = await browser.capture({ target: 'secure', url: `${origin}/`, profile: 'desktop', known }, limits);
      assert.deepEqual(same.outcome, { ok: true });
      assert.equal(same.evidence?.documentHtml, PAGE, 'the document, the network log and TLS are kept');
      assert.ok(same.evidence.network.length > 0 && same.evidence.tls);
      assert.equal(same.evidence.domHtml, null);
      assert.equal(same.evidence.screenshotPng, null);
      // One injected script changes: the page shows a body the baseline does not hold.
      tag = `${TAG}\nnew Image().src = '/c?' + document.cookie;`;
      const changed = await browser.capture({ target: 'secure', url: `${origin}/`, profile: 'desktop', known }, limits);
      assert.match(changed.evidence?.domHtml ?? '', /added by tag\.js/);
      assert.ok(changed.evidence?.screenshotPng, 'a screenshot of the changed page');
    } finally {
      tag = TAG;
      await store.close();
    }
  });
});
