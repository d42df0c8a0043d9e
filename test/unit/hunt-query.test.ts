// Unit: what a hunt matches: a host as a host (not inside a longer name), a hash exactly, a string, an RE2 expression.

import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { huntMatcher } from '../../src/detect/hunt-query.js';

describe('huntMatcher', () => {
  it('matches a host and its subdomains, in URLs, destinations and bodies, but not a longer name', () => {
    const m = huntMatcher({ kind: 'host', value: 'Evil.Example' });
    assert.equal(m.host('evil.example:8443'), true);
    assert.equal(m.host('cdn.evil.example'), true);
    assert.equal(m.host('notevil.example'), false);
    assert.equal(m.url('https://api.evil.example/x.js'), true);
    assert.equal(m.url('https://evil.example.attacker.test/x.js'), false);
    assert.equal(m.body("fetch('https://EVIL.example/c', {method: 'POST'})"), true);
    assert.equal(m.body('var host = "notevil.example";'), false);
    assert.equal(m.body('var h = "evil.examples.org";'), false);
  });
  it('matches a SHA-256 exactly, a string as given, and an expression in linear time', () => {
    assert.equal(huntMatcher({ kind: 'sha256', value: 'A'.repeat(64) }).sha256('a'.repeat(64)), true);
    assert.equal(huntMatcher({ kind: 'string', value: 'atob(' }).body('x = atob(y)'), true);
    const re = huntMatcher({ kind: 'regex', value: '(a+)+$' });
    // A body built to make a backtracking engine take exponential time is answered at once.
    assert.equal(re.body(`${'a'.repeat(50_000)}!`), false);
  });
});
