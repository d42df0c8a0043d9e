// Unit: scrypt password hashes carry their salt and parameters, differ per call, and reject wrong or tampered input.

import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { hashPassword, passwordProblem, verifyPassword } from '../../src/auth/passwords.js';

const FAST = { N: 2 ** 10, r: 8, p: 1 };

describe('passwords', () => {
  it('stores salt and parameters beside the hash, and verifies with them', async () => {
    const stored = await hashPassword('correct horse battery', FAST);
    assert.match(stored, /^scrypt\$N=1024,r=8,p=1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    assert.equal(await verifyPassword('correct horse battery', stored), true);
    assert.equal(await verifyPassword('correct horse batterY', stored), false);
    assert.notEqual(await hashPassword('correct horse battery', FAST), stored, 'a new salt every time');
  });

  it('uses the default cost when none is given', async () => {
    assert.match(await hashPassword('correct horse battery'), /^scrypt\$N=32768,r=8,p=1\$/);
  });

  it('never matches a malformed or tampered hash', async () => {
    const stored = await hashPassword('correct horse battery', FAST);
    const flipped = stored.slice(0, -3) + (stored.at(-3) === 'A' ? 'B' : 'A') + stored.slice(-2);
    assert.equal(await verifyPassword('correct horse battery', flipped), false);
    assert.equal(await verifyPassword('correct horse battery', stored.replace('N=1024', 'N=1000')), false, 'N must be a power of two');
    assert.equal(await verifyPassword('correct horse battery', stored.replace('N=1024', `N=${2 ** 24}`)), false, 'absurd cost is refused');
    assert.equal(await verifyPassword('x', 'plain-text'), false);
  });

  it('enforces a minimum length', () => {
    assert.match(passwordProblem('short-pass') ?? '', /at least 12 characters/);
    assert.equal(passwordProblem('twelve chars'), null);
  });
});
