// Unit: host mapping for the browser and for direct fetches.

import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { effectiveResolveMap, hostResolverRules, resolveHost } from '../../src/config/resolve-map.js';

describe('resolve map', () => {
  it('matches exact hosts before wildcards', () => {
    const map = { '*.staging.example': '10.0.0.5', 'api.staging.example': '10.0.0.6' };
    assert.equal(resolveHost(map, 'api.staging.example'), '10.0.0.6');
    assert.equal(resolveHost(map, 'shop.staging.example'), '10.0.0.5');
    assert.equal(resolveHost(map, 'staging.example'), null);
  });
  it('builds Chromium rules merged with the user\'s own', () => {
    assert.equal(hostResolverRules({ '*.test': '127.0.0.1' }, 'MAP x.example 127.0.0.2'), 'MAP *.test 127.0.0.1, MAP x.example 127.0.0.2');
    assert.equal(hostResolverRules({}, null), null);
  });
  it('lets direct fetches follow MAP rules given in browser.args', () => {
    const map = effectiveResolveMap({ 'a.test': '127.0.0.9' }, ['--no-first-run', '--host-resolver-rules=MAP *.test 127.0.0.1, MAP a.test 127.0.0.2, EXCLUDE b.test']);
    assert.deepEqual(map, { '*.test': '127.0.0.1', 'a.test': '127.0.0.9' });
  });
});
