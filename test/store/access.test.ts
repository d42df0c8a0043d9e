// Store: the audit log is append-only and hash-chained, sessions expire, tokens are kept only as hashes.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { sha256Hex } from '../../src/plan/fingerprint.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { tempProject } from '../fixtures/cli.js';
import { plainSql, rawSql, tamper, testDatabase } from '../fixtures/test-database.js';

const admin = { name: 'adam', ip: '10.0.0.5' };
const HASH = 'scrypt$N=16384,r=8,p=1$c2FsdA==$a2V5';

async function storeWithHistory(): Promise<Store> {
  const store = await openStore(await testDatabase(tempProject('sw-audit-')));
  await store.access.users.create({ name: 'adam', role: 'admin', passwordHash: HASH }, { name: 'cli:root', ip: null });
  await store.access.users.create({ name: 'vera', role: 'viewer', passwordHash: HASH }, admin);
  await store.access.users.setRole('vera', 'approver', admin);
  await store.access.tokens.create({ user: 'vera', name: 'ci', expiresAt: null }, admin);
  return store;
}

describe('audit log', () => {
  it('records actor, address, object and before/after for each change, chained by hash', async () => {
    const store = await storeWithHistory();
    const entries = (await store.access.audit.list()).reverse();
    assert.deepEqual(entries.map((e) => e.action), ['user.created', 'user.created', 'user.role_changed', 'token.created']);
    const role = entries[2]!;
    assert.deepEqual([role.actor, role.ip, role.objectType, role.objectId, role.before, role.after], ['adam', '10.0.0.5', 'user', 'vera', { role: 'viewer' }, { role: 'approver' }]);
    assert.equal(entries[0]!.ip, null, 'the command line has no address');
    const report = await store.scans.verify();
    assert.equal(report.ok, true);
    assert.equal(report.auditEntries, 4);
    await store.close();
  });

  it('refuses updates and deletes through SQL', async () => {
    const store = await storeWithHistory();
    const other = plainSql(store.path);
    await assert.rejects(() => other.prepare("UPDATE audit_log SET note = 'x' WHERE id = 1").run(), /append-only/);
    await assert.rejects(() => other.prepare('DELETE FROM audit_log WHERE id = 1').run(), /append-only/);
    await other.close();
    await store.close();
  });

  it('names the first edited, removed or re-hashed entry when someone gets past the triggers', async () => {
    for (const tampering of [
      "UPDATE audit_log SET after = '{\"role\":\"viewer\"}' WHERE id = 3",
      'DELETE FROM audit_log WHERE id = 2',
      // Re-hashing the edited entry alone does not help: the next entry's link no longer matches.
      `UPDATE audit_log SET actor = 'someone-else', hash = '${sha256Hex('forged')}' WHERE id = 3`,
    ]) {
      const store = await storeWithHistory();
      const path = store.path;
      await store.close();
      await tamper(path, tampering);
      const reopened = await openStore(path);
      const report = await reopened.scans.verify();
      assert.equal(report.ok, false, tampering);
      assert.equal(report.firstBreak!.kind, 'audit');
      assert.equal(report.firstBreak!.id, 3, tampering);
      assert.match(report.firstBreak!.reason, /^audit entry #3 /);
      await reopened.close();
    }
  });

  it('keeps an approval and its audit entry in one transaction', async () => {
    const store = await storeWithHistory();
    await assert.rejects(() => store.alerts.decide([999], 'approved', { by: 'vera', note: 'n', at: new Date().toISOString(), ip: '10.0.0.9' }), /no alert/);
    assert.equal((await store.access.audit.list({ objectType: 'alert' })).length, 0);
    await store.close();
  });
});

describe('sessions and tokens at rest', () => {
  it('expires sessions after the idle and the absolute limit', async () => {
    const store = await storeWithHistory();
    const user = (await store.access.users.get('vera'))!;
    const limits = { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 };
    const start = Date.parse('2026-01-01T00:00:00Z');
    const at = (ms: number) => new Date(start + ms).toISOString();
    const { cookie } = await store.access.sessions.create(user.id, 'full', null, at(0));
    assert.ok(await store.access.sessions.read(cookie, limits, at(29 * 60_000)));
    assert.equal(await store.access.sessions.read(cookie, limits, at(29 * 60_000 + 31 * 60_000)), null, 'idle for 31 minutes');
    // Active every 20 minutes, it still ends 12 hours after sign-in.
    const busy = (await store.access.sessions.create(user.id, 'full', null, at(0))).cookie;
    let alive = 0;
    for (let t = 20 * 60_000; t <= 13 * 3_600_000; t += 20 * 60_000) {
      if (await store.access.sessions.read(busy, limits, at(t))) alive = t;
    }
    assert.equal(alive, 12 * 3_600_000);
    await store.close();
  });

  it('stores the SHA-256 of session ids and tokens, never the values', async () => {
    const store = await storeWithHistory();
    const { cookie } = await store.access.sessions.create((await store.access.users.get('vera'))!.id, 'full', null);
    const { token } = await store.access.tokens.create({ user: 'vera', name: 'x', expiresAt: null }, admin);
    const dump = JSON.stringify([await rawSql(store).prepare('SELECT * FROM sessions').all(), await rawSql(store).prepare('SELECT * FROM api_tokens').all()]);
    assert.ok(!dump.includes(cookie) && !dump.includes(token));
    assert.ok(dump.includes(sha256Hex(cookie)) && dump.includes(sha256Hex(token)));
    await store.close();
  });
});
