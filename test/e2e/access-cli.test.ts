// The access commands end to end: users and tokens from the CLI against a running serve, its refusal to run open
// on a public address, and verify catching an edited audit entry.

import assert from 'node:assert/strict';
import { databaseOf, plainSql, tamper } from '../fixtures/test-database.js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { PASSWORD, postLogin } from '../fixtures/access.js';
import { parseJson, runCli, tempProject, writeConfig } from '../fixtures/cli.js';
import { startServe, type ServeProcess } from '../fixtures/serve-process.js';

describe('users and tokens from the command line', () => {
  let dir: string;
  let serve: ServeProcess;
  const cli = (args: string[], input?: string) => runCli(args, { cwd: dir, input });

  beforeAll(async () => {
    dir = tempProject('sw-access-cli-');
    writeConfig(dir, [{ name: 'shop', url: 'http://127.0.0.1:9/' }]);
  });
  afterAll(async () => {
    await serve?.stop();
  });

  it('refuses to serve a non-loopback address while no user exists, and says how to create the first admin', async () => {
    const result = await cli(['serve', '--host', '0.0.0.0', '--port', '0', '--no-schedule']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /npx scriptwarden users add admin --role admin/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });

  it('adds, lists, re-roles, resets and removes users; passwords come on stdin and are checked', async () => {
    const short = await cli(['users', 'add', 'root', '--role', 'admin', '--password-stdin'], 'too short\n');
    assert.equal(short.code, 2);
    assert.match(short.stderr, /at least 12 characters/);
    assert.equal((await cli(['users', 'add', 'root', '--role', 'wizard'], `${PASSWORD}\n`)).code, 2);
    assert.equal((await cli(['users', 'add', 'root', '--role', 'admin', '--password-stdin'], `${PASSWORD}\n`)).code, 0);
    assert.equal((await cli(['users', 'add', 'ann', '--role', 'viewer'], `${PASSWORD}\n`)).code, 0);
    assert.equal((await cli(['users', 'add', 'ann', '--role', 'viewer'], `${PASSWORD}\n`)).code, 2, 'names are unique');
    assert.equal((await cli(['users', 'set-role', 'ann', 'approver'])).code, 0);
    const list = parseJson<{ users: { name: string; role: string; twoFactor: boolean }[] }>(await cli(['users', 'list', '--json']));
    assert.deepEqual(list.users.map((u) => [u.name, u.role, u.twoFactor]), [['ann', 'approver', false], ['root', 'admin', false]]);
    assert.equal((await cli(['users', 'reset-password', 'ann'], 'a brand new password\n')).code, 0);
    assert.equal((await cli(['users', 'remove', 'nobody'])).code, 2);
    const db = plainSql(databaseOf(dir));
    const raw = JSON.stringify(await db.prepare('SELECT * FROM users').all());
    await db.close();
    assert.ok(!raw.includes(PASSWORD) && raw.includes('scrypt$N='), 'only scrypt hashes are stored');
  });

  it('creates a token shown once, which a running serve accepts until it is revoked', async () => {
    serve = await startServe(dir, {}, ['--no-schedule']);
    const base = serve.url.replace(/\/$/, '');
    const created = await cli(['tokens', 'create', '--user', 'ann', '--name', 'ci', '--expires', '90d']);
    assert.equal(created.code, 0);
    const token = created.stdout.trim();
    assert.match(token, /^swt_[A-Za-z0-9_-]{40,}$/);
    const me = () => fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.deepEqual(await (await me()).json(), { user: 'ann', role: 'approver', via: 'token' });
    const listed = await cli(['tokens', 'list', '--json']);
    assert.ok(!listed.stdout.includes(token), 'the list never shows the token');
    const [entry] = parseJson<{ tokens: { id: number; name: string; state: string; expiresAt: string }[] }>(listed).tokens;
    assert.equal(entry!.state, 'active');
    assert.ok(Date.parse(entry!.expiresAt) > Date.now() + 89 * 86_400_000);
    assert.equal((await cli(['tokens', 'revoke', String(entry!.id)])).code, 0);
    assert.equal((await me()).status, 401, 'revoked from another process, refused on the next request');
    // A leaked token can be revoked by its value.
    const leaked = (await cli(['tokens', 'create', '--user', 'ann', '--name', 'leaked'])).stdout.trim();
    assert.equal((await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${leaked}` } })).status, 200);
    assert.equal((await cli(['tokens', 'revoke', leaked])).code, 0);
    assert.equal((await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${leaked}` } })).status, 401);
    assert.equal((await cli(['tokens', 'revoke', 'swt_unknown'])).code, 2);
    assert.equal((await cli(['tokens', 'create', '--user', 'ann', '--expires', 'soon'])).code, 2);
    assert.equal((await cli(['tokens', 'create', '--user', 'ghost'])).code, 2);
    // Users exist now: the dashboard wants a sign-in, and signs in the reset password.
    assert.equal((await fetch(base, { redirect: 'manual' })).status, 302);
    assert.equal((await postLogin(base, 'ann', 'a brand new password')).status, 303);
    assert.equal((await postLogin(base, 'ann', PASSWORD)).status, 401);
  });

  it('exports the audit trail, and verify finds an entry edited behind the triggers, and exits 1', async () => {
    assert.equal((await cli(['verify'])).code, 0);
    const json = parseJson<{ chain: { firstBreak: unknown }; entries: { action: string; actor: string; objectId: string }[] }>(await cli(['audit', '--json', '--type', 'user']));
    assert.equal(json.chain.firstBreak, null);
    assert.deepEqual(json.entries.map((e) => `${e.action} ${e.objectId}`).slice(0, 4), ['user.created root', 'user.created ann', 'user.role_changed ann', 'user.password_reset ann']);
    assert.ok(json.entries.every((e) => e.actor.startsWith('cli:') || e.action.startsWith('login.')));
    const csv = (await cli(['audit', '--csv', '--type', 'token'])).stdout.split('\r\n');
    assert.equal(csv[0], 'id,at,actor,ip,action,objectType,objectId,before,after,note');
    assert.match(csv[1]!, /"token\.created","token","\d+","","\{""user"":""ann""/);
    await tamper(databaseOf(dir), "UPDATE audit_log SET after = '{\"role\":\"admin\"}' WHERE action = 'user.role_changed'");
    const broken = await cli(['verify']);
    assert.equal(broken.code, 1);
    assert.equal((await cli(['audit'])).code, 1);
    assert.match(broken.stdout, /BROKEN: audit entry #\d+ \(user\.role_changed by cli:[^)]+\) does not match its hash/);
  });
});
