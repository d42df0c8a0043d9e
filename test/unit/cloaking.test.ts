// Unit: alerts one profile saw and another did not are flagged as possible cloaking.

import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { cloakingFlags } from '../../src/detect/cloaking.js';

describe('cloakingFlags', () => {
  const alert = (id: number, profile: string, type = 'script.changed', subject = 'app.js') => ({ id, target: 'shop', profile, type, subject });
  it('flags a change only one of the scanned profiles saw', () => {
    const scanned = new Map([['shop', ['desktop', 'mobile']]]);
    assert.deepEqual(cloakingFlags([alert(1, 'mobile')], scanned), [{ id: 1, profile: 'mobile', others: ['desktop'] }]);
    assert.deepEqual(cloakingFlags([alert(1, 'mobile'), alert(2, 'desktop')], scanned), []);
    assert.deepEqual(cloakingFlags([alert(1, 'mobile', 'header.changed', 'csp')], scanned), []);
  });
  it('says nothing when the other profile was not scanned successfully', () => {
    assert.deepEqual(cloakingFlags([alert(1, 'mobile')], new Map([['shop', ['mobile']]])), []);
  });
});
