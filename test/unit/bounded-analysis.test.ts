// Library identification of attacker-controlled bodies is linear-time: crafted runs that made the old matching
// quadratic (minutes per script) finish, and real banners are still found behind them.

import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { identifyLibrary } from '../../src/detect/intel/libraries.js';
import { requiredLiteral } from '../../src/detect/intel/bounded-patterns.js';
import { loadIntel } from '../../src/run/load-intel.js';

const intel = loadIntel({ libraries: [], knownBadHosts: [] });

/** Bodies that made backtracking patterns quadratic: runs of white space, of version characters, a 1 MB line. */
export const PATHOLOGICAL: Record<string, string> = {
  'white space': ' '.repeat(576 * 1024),
  'tabs and newlines': '\t\n'.repeat(200 * 1024),
  'version characters': '1.'.repeat(288 * 1024),
  'version-like words': 'version 1.2.3-beta_'.repeat(30_000),
  'deep nesting': `${'('.repeat(150_000)}${')'.repeat(150_000)}`,
  '1 MB single line': 'var a=1;'.repeat(128 * 1024),
};

describe('bounded library identification', { timeout: 60_000 }, () => {
  for (const [name, body] of Object.entries(PATHOLOGICAL)) {
    it(`finishes on ${name} (${Math.round(body.length / 1024)} KB) and finds nothing`, { timeout: 20_000 }, () => {
      assert.equal(identifyLibrary(intel.libraries, { url: null, body }), null);
    });
  }

  it('still names a library whose banner follows a long run of white space', { timeout: 20_000 }, () => {
    const body = `${' '.repeat(300_000)}\n/*! jQuery v3.7.1 | (c) OpenJS Foundation and other contributors | jquery.org/license */\n!function(e,t){}(this);`;
    const found = identifyLibrary(intel.libraries, { url: null, body });
    assert.equal(found?.name, 'jquery');
    assert.equal(found?.version, '3.7.1');
  });

  it('takes the text a pattern cannot match without, for the patterns a linear engine cannot run', () => {
    assert.equal(requiredLiteral(String.raw`\/\/ *Underscore\.js[\s\S]{1,2500}_\.VERSION *= *['"]([0-9][0-9.a-z_\-]+)['"]`), 'Underscore.js');
    assert.equal(requiredLiteral(String.raw`'([0-9][0-9.a-z_\-]+)'[^\n]{0,8000}Vue compiler`), 'Vue compiler');
    // An escape's payload is not text the body must hold: \x20 is a space, not "20".
    assert.equal(requiredLiteral(String.raw`jQuery\x20Copyright ([0-9.]+)`), "Copyright ");
    assert.equal(requiredLiteral(String.raw`Lo\u{64}ash\u0020core`), 'core');
    assert.equal(requiredLiteral('(foo)?barbaz'), null, 'an optional group: no safe literal');
    assert.equal(requiredLiteral('jquery|zepto'), null, 'alternation: no single literal');
  });
});
