// Sign-in limits under concurrent guessing over real HTTP: each check is reserved before the slow hash, in the database.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { createApp } from '../../dashboard/create-app.js';
import { openStore } from '../../src/store/open-store.js';
import { addUser, PASSWORD, postLogin } from '../fixtures/access.js';
import { tempProject } from '../fixtures/cli.js';
import { testDatabase } from '../fixtures/test-database.js';

describe('sign-in under concurrent attack', () => {
  it('checks at most lockoutAfter passwords for an account however many guesses arrive at once (60 here), and then refuses the right one', async () => {
    const store = await openStore(await testDatabase(tempProject('sw-guess-')));
    await addUser(store, 'victim', 'approver');
    // Per address high enough that the account limit is what is tested.
    const app = createApp({ store, actor: 'x', auth: { lockout: { maxFailures: 5, lockMs: 60_000 }, loginAttemptsPerIp: 1000 } });
    const base = (await app.listen(0, '127.0.0.1')).url.replace(/\/$/, '');
    try {
      const guesses = await Promise.all(Array.from({ length: 60 }, (_, i) => postLogin(base, 'victim', `wrong guess number ${i}`)));
      assert.ok(guesses.every((g) => g.status === 401), JSON.stringify([...new Set(guesses.map((g) => g.status))]));
      const checked = (await store.access.audit.list({ limit: 10_000 })).filter((e) => e.action === 'login.failure' && e.note === 'wrong password');
      assert.ok(checked.length <= 5, `${checked.length} passwords were checked; the policy allows 5`);
      const right = await postLogin(base, 'victim', PASSWORD);
      assert.equal(right.status, 401, 'the right password after the lockout is refused');
      assert.equal(right.session, null);
    } finally {
      await app.close();
      await store.close();
    }
  });

  it('holds the per-address limit across two dashboards on one database, under concurrency', async () => {
    const path = await testDatabase(tempProject('sw-guess-'));
    const first = await openStore(path);
    const second = await openStore(path);
    const apps = [createApp({ store: first, actor: 'x', auth: { loginAttemptsPerIp: 30 } }), createApp({ store: second, actor: 'x', auth: { loginAttemptsPerIp: 30 } })];
    const bases = await Promise.all(apps.map(async (a) => (await a.listen(0, '127.0.0.1')).url.replace(/\/$/, '')));
    try {
      await addUser(first, 'someone', 'viewer');
      const tries = await Promise.all(Array.from({ length: 120 }, (_, i) => postLogin(bases[i % 2]!, `nobody-${i}`, 'guess')));
      const counted = tries.filter((t) => t.status === 401).length;
      assert.ok(counted <= 30, `${counted} guesses were checked across both dashboards; the limit is 30 per address`);
      assert.equal(tries.filter((t) => t.status === 429).length, 120 - counted);
      assert.equal((await postLogin(bases[1]!, 'someone', PASSWORD)).status, 429, 'the address stays limited on either dashboard');
    } finally {
      await Promise.all(apps.map((a) => a.close()));
      await first.close();
      await second.close();
    }
  });
});
