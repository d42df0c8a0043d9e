// End to end on PostgreSQL: two `serve` processes on one database behave as one (sessions, sign-in limits, decisions).

import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { PASSWORD, postLogin, signIn } from '../fixtures/access.js';
import { parseJson, runCli, tempProject, writeConfig } from '../fixtures/cli.js';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import { startServe, type ServeProcess } from '../fixtures/serve-process.js';

describe('two serve processes on one PostgreSQL database', () => {
  let site: FixtureSite;
  let dir: string;
  let servers: ServeProcess[] = [];
  let alertId: number;
  const cli = (args: string[], input?: string) => runCli(args, { cwd: dir, input });
  const base = (i: number) => servers[i]!.url.replace(/\/$/, '');

  beforeAll(async () => {
    site = await startFixtureSite();
    site.set('merchant.test', '/pay', '<!doctype html><html><body><script src="/app.js"></script></body></html>');
    site.set('merchant.test', '/app.js', 'window.app = 1;');
    dir = tempProject('sw-shared-');
    writeConfig(dir, [{ name: 'pay', url: site.url('merchant.test', '/pay') }], 'canary:\n  enabled: false\ndashboard:\n  loginAttemptsPerIp: 4');
    assert.equal((await cli(['scan'])).code, 0);
    assert.equal((await cli(['approve', '--all', '--by', 'alice', '--note', 'first baseline'])).code, 0);
    site.set('merchant.test', '/app.js', 'window.app = 2;');
    assert.equal((await cli(['scan'])).code, 1);
    alertId = parseJson<{ alerts: { id: number }[] }>(await cli(['alerts', '--json'])).alerts[0]!.id;
    assert.equal((await cli(['users', 'add', 'vera', '--role', 'approver', '--password-stdin'], `${PASSWORD}\n`)).code, 0);
    servers = await Promise.all([startServe(dir, {}, ['--no-schedule']), startServe(dir, {}, ['--no-schedule'])]);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await site?.close();
  });

  it('accepts a session made by one at the other, and signing out on one ends it on both', async () => {
    const session = await signIn(base(0), 'vera');
    const account = (i: number) => fetch(`${base(i)}/account`, { headers: { cookie: `sw_session=${session.cookie}` }, redirect: 'manual' });
    assert.equal((await account(1)).status, 200, 'the second process knows the session the first made');
    const out = await fetch(`${base(1)}/logout`, {
      method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `sw_session=${session.cookie}` },
      body: new URLSearchParams({ _csrf: session.csrf }).toString(),
    });
    assert.equal(out.status, 303);
    const after = await account(0);
    assert.equal(after.status, 302, 'signed out on the second, the first sends the browser to sign in');
    assert.match(after.headers.get('location') ?? '', /^\/login/);
  });

  it('sees a decision taken through the other at once', async () => {
    const token = (await cli(['tokens', 'create', '--user', 'vera', '--name', 'ci'])).stdout.trim();
    const auth = { authorization: `Bearer ${token}` };
    const approved = await fetch(`${base(0)}/api/alerts/${alertId}/approve`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ note: 'our release' }) });
    assert.equal(approved.status, 200, await approved.text());
    const seen = (await (await fetch(`${base(1)}/api/alerts/${alertId}`, { headers: auth })).json()) as { alert: { status: string; decidedBy: string } };
    assert.deepEqual([seen.alert.status, seen.alert.decidedBy], ['approved', 'vera']);
  });

  it('counts failed sign-ins from one address against one limit across both', async () => {
    // Two guesses at each: the limit of 4 per address is reached across the two processes, not per process.
    for (const i of [0, 1, 0, 1]) assert.equal((await postLogin(base(i), 'vera', 'a wrong guess')).status, 401);
    assert.equal((await postLogin(base(0), 'vera', PASSWORD)).status, 429);
    assert.equal((await postLogin(base(1), 'vera', PASSWORD)).status, 429);
  });
});
