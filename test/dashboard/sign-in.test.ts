// Sign-in defences over real HTTP: CSRF, session fixation, lockout, per-address limits, token revocation, two-factor, open access.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createApp } from '../../dashboard/create-app.js';
import { safeNext } from '../../dashboard/routes/sign-in.js';
import { base32Encode, newTotpSecret } from '../../src/auth/totp.js';
import { openStore } from '../../src/store/open-store.js';
import { addUser, codeFor, csrfIn, PASSWORD, postLogin, signIn } from '../fixtures/access.js';
import { tempProject } from '../fixtures/cli.js';
import { testDatabase } from '../fixtures/test-database.js';
import { startAccessSetup, type AccessSetup } from './access-setup.js';

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe('sign-in and sessions', () => {
  let s: AccessSetup;
  const status = async (path: string, cookie?: string) => {
    const response = await fetch(s.base + path, { headers: cookie ? { cookie: `sw_session=${cookie}` } : {}, redirect: 'manual' });
    await response.arrayBuffer();
    return response.status === 302 && /^\/login(\?|$)/.test(response.headers.get('location') ?? '') ? 'login' : response.status;
  };
  const approve = (cookie: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${s.base}/alerts/${s.alertIds[2]}/approve`, {
      method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `sw_session=${cookie}`, ...headers },
      body: form(fields),
    });

  beforeAll(async () => {
    s = await startAccessSetup({ lockout: { maxFailures: 5, lockMs: 60_000 } });
  });
  afterAll(() => s.close());

  it('refuses a state change without the session\'s CSRF token, with a wrong one, or from another site', async () => {
    const april = await signIn(s.base, 'april');
    assert.equal((await approve(april.cookie, { note: 'no token' })).status, 403);
    assert.equal((await approve(april.cookie, { note: 'forged', _csrf: 'A'.repeat(april.csrf.length) })).status, 403);
    // Another signed-in user's token is no good either.
    const adam = await signIn(s.base, 'adam');
    assert.equal((await approve(april.cookie, { note: 'swapped', _csrf: adam.csrf })).status, 403);
    assert.equal((await approve(april.cookie, { note: 'cross-site', _csrf: april.csrf }, { 'sec-fetch-site': 'cross-site' })).status, 403);
    assert.equal((await s.store.alerts.get(s.alertIds[2]!))!.status, 'open', 'nothing was approved');
    // The API with a session cookie needs the token in a header.
    const api = (headers: Record<string, string>) => fetch(`${s.base}/api/alerts/${s.alertIds[2]}/reject`, {
      method: 'POST', headers: { 'content-type': 'application/json', cookie: `sw_session=${april.cookie}`, ...headers }, body: JSON.stringify({ note: 'api' }),
    });
    assert.equal((await api({})).status, 403);
    assert.equal((await api({ 'x-csrf-token': april.csrf })).status, 200);
    const ok = await approve(april.cookie, { note: 'with the token', _csrf: april.csrf });
    assert.equal(ok.status, 303);
    assert.equal((await s.store.alerts.get(s.alertIds[2]!))!.status, 'approved');
  });

  it('issues a new session id at sign-in, so a planted one is never signed in', async () => {
    const planted = 'attacker-chosen-session-value-0123456789';
    const login = await postLogin(s.base, 'vera', PASSWORD, planted);
    assert.equal(login.status, 303);
    assert.ok(login.session && login.session !== planted);
    assert.equal(await status('/', planted), 'login');
    assert.equal(await status('/', login.session), 200);
    // A real session held before signing in again is replaced too, and stops working.
    const again = await postLogin(s.base, 'vera', PASSWORD, login.session);
    assert.equal(again.status, 303);
    assert.notEqual(again.session, login.session);
    assert.equal(await status('/', login.session), 'login');
    assert.equal(await status('/', again.session!), 200);
  });

  it('takes a scripted sign-in without the form, but refuses a mismatched form token or a cross-site post', async () => {
    const post = (body: Record<string, string>, headers: Record<string, string> = {}) => fetch(`${s.base}/login`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: form(body),
    });
    const scripted = await post({ name: 'vera', password: PASSWORD });
    assert.equal(scripted.status, 303);
    assert.ok(scripted.headers.getSetCookie().some((c) => c.startsWith('sw_session=') && c.includes('HttpOnly')));
    assert.equal((await post({ name: 'vera', password: PASSWORD, _csrf: 'guessed' })).status, 403);
    assert.equal((await post({ name: 'vera', password: PASSWORD }, { cookie: 'sw_login=abc' })).status, 403);
    assert.equal((await post({ name: 'vera', password: PASSWORD }, { 'sec-fetch-site': 'cross-site' })).status, 403, 'login CSRF from another site');
    assert.equal((await post({ name: 'vera', password: PASSWORD }, { origin: 'http://evil.example' })).status, 403);
  });

  it('ends the session on the server at sign-out', async () => {
    const vera = await signIn(s.base, 'vera');
    const out = await fetch(`${s.base}/logout`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `sw_session=${vera.cookie}` }, body: form({ _csrf: vera.csrf }) });
    assert.equal(out.status, 303);
    assert.match(out.headers.get('set-cookie') ?? '', /sw_session=;/);
    assert.equal(await status('/', vera.cookie), 'login', 'the old cookie, replayed, is not signed in');
  });

  it('counts a wrong current password on the account page like a failed sign-in, and stops guessing at the lockout', async () => {
    await addUser(s.store, 'gus', 'viewer');
    const gus = await signIn(s.base, 'gus');
    const change = (current: string) => fetch(`${s.base}/account/password`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `sw_session=${gus.cookie}` },
      body: form({ _csrf: gus.csrf, current, password: 'a brand new long password' }),
    });
    for (let i = 0; i < 5; i++) assert.equal((await change(`guess number ${i} xxxx`)).status, 400);
    assert.equal((await change(PASSWORD)).status, 423, 'the right password is not accepted once the guesses locked the account');
    const audit = (await s.store.access.audit.list({ objectType: 'user', objectId: 'gus' })).map((e) => e.action);
    assert.ok(audit.includes('user.locked'));
    assert.equal(audit.filter((a) => a === 'login.failure').length, 5);
  });

  it('lists a user\'s sessions and signs out all the others on request', async () => {
    const [phone, laptop] = [await signIn(s.base, 'vera'), await signIn(s.base, 'vera')];
    const page = await (await fetch(`${s.base}/account`, { headers: { cookie: `sw_session=${laptop.cookie}` } })).text();
    assert.match(page, /this browser/);
    const end = await fetch(`${s.base}/account/sessions/end`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `sw_session=${laptop.cookie}` }, body: form({ _csrf: laptop.csrf }),
    });
    assert.match(await end.text(), /Signed out \d+ other sessions?/);
    assert.equal(await status('/', phone.cookie), 'login');
    assert.equal(await status('/', laptop.cookie), 200);
    assert.equal((await s.store.access.audit.list({ objectType: 'user', objectId: 'vera' }))[0]!.action, 'user.sessions_ended');
  });

  it('sets the session cookie HttpOnly and SameSite=Lax, and Secure behind an HTTPS proxy it trusts', async () => {
    const plain = (await fetch(`${s.base}/login`)).headers.getSetCookie().join('\n');
    assert.match(plain, /HttpOnly/);
    assert.match(plain, /SameSite=Lax/);
    assert.doesNotMatch(plain, /Secure/);
    const store = s.store;
    const behindProxy = createApp({ store, actor: 'x', trustProxy: 'loopback' });
    const { url } = await behindProxy.listen(0, '127.0.0.1');
    try {
      const proxied = await fetch(`${url}login`, { headers: { 'x-forwarded-proto': 'https' } });
      assert.match(proxied.headers.getSetCookie().join('\n'), /Secure/);
      const login = await postLogin(url.replace(/\/$/, ''), 'vera', PASSWORD);
      assert.equal(login.status, 303);
    } finally {
      await behindProxy.close();
    }
  });

  it('locks an account after repeated failures, even against the right password, and shows it to admins only', async () => {
    await addUser(s.store, 'lou', 'viewer');
    for (let i = 0; i < 4; i++) assert.equal((await postLogin(s.base, 'lou', `wrong guess ${i} xxxxxx`)).status, 401);
    const fifth = await postLogin(s.base, 'lou', 'wrong guess 5 xxxxxx');
    const right = await postLogin(s.base, 'lou', PASSWORD);
    assert.equal(right.session, null, 'brute force stops: the right password is refused while locked');
    // Whoever asks cannot tell a locked account from a name that does not exist.
    const unknown = await postLogin(s.base, 'nobody-here', PASSWORD);
    const message = (body: string) => /Wrong user name or password\.|locked/.exec(body)?.[0];
    for (const answer of [fifth, right]) {
      assert.equal(answer.status, unknown.status);
      assert.equal(message(answer.body), message(unknown.body));
    }
    const adam = await signIn(s.base, 'adam');
    const users = await (await fetch(`${s.base}/admin/users`, { headers: { cookie: `sw_session=${adam.cookie}` } })).text();
    assert.match(users, /<td>lou<\/td>[\s\S]*?locked/);
    const audit = (await s.store.access.audit.list({ objectType: 'user', objectId: 'lou' })).map((e) => e.action);
    assert.equal(audit.filter((a) => a === 'login.failure').length, 6);
    assert.ok(audit.includes('user.locked'));
    // An admin's password reset clears the lock.
    await s.store.access.users.setPassword('lou', (await s.store.access.users.get('vera'))!.passwordHash, { name: 'adam', ip: null });
    assert.equal((await postLogin(s.base, 'lou', PASSWORD)).status, 303);
  });

  it('keeps a password typed into the name field out of the audit log', async () => {
    assert.equal((await postLogin(s.base, 'my secret pass!', 'x')).status, 401);
    const [entry] = await s.store.access.audit.list({ objectType: 'user' });
    assert.deepEqual([entry!.action, entry!.actor, entry!.note], ['login.failure', '(not a user name)', 'unknown user']);
    assert.ok(!JSON.stringify(await s.store.access.audit.list({ limit: 1000 })).includes('my secret pass!'));
  });

  it('limits failed sign-ins per client address across user names', async () => {
    // The count lives in the database: a fresh one, so earlier tests' failures from this address do not count here.
    const store = await openStore(await testDatabase(tempProject('sw-limit-')));
    for (const [name, role] of [['vera', 'viewer'], ['adam', 'admin']] as const) await addUser(store, name, role);
    const limited = createApp({ store, actor: 'x', auth: { loginAttemptsPerIp: 3 } });
    const base = (await limited.listen(0, '127.0.0.1')).url.replace(/\/$/, '');
    try {
      for (const name of ['nobody-1', 'nobody-2', 'vera']) assert.equal((await postLogin(base, name, 'not the password at all')).status, 401);
      const failures = (await store.access.audit.list({ objectType: 'user' })).filter((e) => e.action === 'login.failure').slice(0, 3).map((e) => e.actor);
      assert.deepEqual(failures.reverse(), ['nobody-1', 'nobody-2', 'vera']);
      const blocked = await postLogin(base, 'adam', PASSWORD);
      assert.equal(blocked.status, 429);
      assert.equal(blocked.session, null);
    } finally {
      await limited.close();
      await store.close();
    }
  });

  it('refuses a revoked or expired token on the very next request', async () => {
    const { token, summary } = await s.store.access.tokens.create({ user: 'april', name: 'ci', expiresAt: null }, { name: 'adam', ip: null });
    const me = () => fetch(`${s.base}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.deepEqual(await (await me()).json(), { user: 'april', role: 'approver', via: 'token' });
    // Prometheus scrapes /metrics with a token; without one it is challenged, not sent to a form.
    assert.equal((await fetch(`${s.base}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    const anonymous = await fetch(`${s.base}/metrics`, { redirect: 'manual' });
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Bearer/);
    await s.store.access.tokens.revoke(summary.id, { name: 'adam', ip: null });
    const refused = await me();
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get('www-authenticate') ?? '', /invalid_token/);
    // Another scheme (a proxy's Basic credentials) is not a token: the request is simply not signed in.
    assert.equal((await fetch(`${s.base}/api/me`, { headers: { authorization: 'Basic dXNlcjpwYXNz' } })).status, 401);
    assert.equal(await status('/', undefined), 'login');
    assert.equal((await fetch(`${s.base}/`, { redirect: 'manual', headers: { authorization: 'Basic dXNlcjpwYXNz', cookie: `sw_session=${(await signIn(s.base, 'vera')).cookie}` } })).status, 200);
    const expired = await s.store.access.tokens.create({ user: 'april', name: 'old', expiresAt: new Date(Date.now() - 1000).toISOString() }, { name: 'adam', ip: null });
    assert.equal((await fetch(`${s.base}/api/me`, { headers: { authorization: `Bearer ${expired.token}` } })).status, 401);
    // A removed user's tokens die with them.
    await addUser(s.store, 'temp', 'viewer');
    const temp = await s.store.access.tokens.create({ user: 'temp', name: 't', expiresAt: null }, { name: 'adam', ip: null });
    await s.store.access.users.remove('temp', { name: 'adam', ip: null });
    assert.equal((await fetch(`${s.base}/api/me`, { headers: { authorization: `Bearer ${temp.token}` } })).status, 401);
  });

  it('asks for the TOTP code after the password, with a fresh session id, and takes each code or recovery code once', async () => {
    await addUser(s.store, 'tess', 'approver');
    const secret = base32Encode(newTotpSecret());
    await s.store.access.users.setTwoFactor('tess', secret, ['abcde-fghij'], { name: 'tess', ip: null });
    const login = await postLogin(s.base, 'tess', PASSWORD);
    assert.equal(login.location, '/login/two-factor?next=%2F');
    const partial = login.session!;
    assert.equal(await status('/', partial), 302, 'the password alone does not sign in');
    const page = await (await fetch(`${s.base}/login/two-factor`, { headers: { cookie: `sw_session=${partial}` } })).text();
    const post = (code: string) => fetch(`${s.base}/login/two-factor`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `sw_session=${partial}` },
      body: form({ _csrf: csrfIn(page)!, code, next: '/' }),
    });
    assert.equal((await post('000000' === codeFor(secret) ? '111111' : '000000')).status, 401);
    const code = codeFor(secret);
    const done = await post(code);
    assert.equal(done.status, 303);
    const full = done.headers.getSetCookie().join('').match(/sw_session=([^;]+)/)![1]!;
    assert.notEqual(full, partial);
    assert.equal(await status('/', full), 200);
    assert.equal(await status('/', partial), 'login', 'the pre-two-factor session id is gone');
    // The same code again is a replay; the recovery code works once.
    const replay = await postLogin(s.base, 'tess', PASSWORD);
    const replayPage = await (await fetch(`${s.base}/login/two-factor`, { headers: { cookie: `sw_session=${replay.session}` } })).text();
    const again = (code: string) => fetch(`${s.base}/login/two-factor`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `sw_session=${replay.session}` },
      body: form({ _csrf: csrfIn(replayPage)!, code, next: '/' }),
    });
    assert.equal((await again(code)).status, 401);
    assert.equal((await again('ABCDE-FGHIJ')).status, 303);
    assert.equal(await s.store.access.users.recoveryCodesLeft((await s.store.access.users.get('tess'))!.id), 0);
    const methods = (await s.store.access.audit.list({ objectType: 'user', objectId: 'tess' })).filter((e) => e.action === 'login.success').map((e) => e.note);
    assert.deepEqual(methods.reverse(), ['password + authenticator', 'password + recovery code']);
  });

  it('sends approvers without two-factor to enrolment when an admin requires it', async () => {
    const before = await signIn(s.base, 'april');
    await s.store.access.setTwoFactorPolicy('approvers', { name: 'adam', ip: '127.0.0.1' });
    try {
      assert.equal(await status('/alerts', before.cookie), 302, 'a session opened before the policy changed must enrol too');
      await addUser(s.store, 'nora', 'approver');
      const login = await postLogin(s.base, 'nora', PASSWORD);
      assert.equal(login.location, '/account/two-factor');
      const enrol = await fetch(`${s.base}/account/two-factor`, { headers: { cookie: `sw_session=${login.session}` } });
      const page = await enrol.text();
      assert.equal(enrol.status, 200);
      assert.match(page, /<img class="qr" src="data:image\/svg\+xml;base64,/);
      assert.equal(await status('/alerts', login.session!), 302, 'nothing else until enrolled');
      // Viewers are not asked.
      assert.equal((await postLogin(s.base, 'vera', PASSWORD)).location, '/');
      const change = (await s.store.access.audit.list({ objectType: 'setting', objectId: 'two_factor_policy' }))[0]!;
      assert.deepEqual([change.before, change.after], [null, { value: 'approvers' }]);
    } finally {
      await s.store.access.setTwoFactorPolicy('optional', { name: 'adam', ip: '127.0.0.1' });
    }
  });
});

describe('where sign-in leads', () => {
  it('goes back only to a path on the dashboard', () => {
    assert.equal(safeNext('/alerts/12?status=open'), '/alerts/12?status=open');
    for (const bad of ['//evil.example/', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '/login', '/login/two-factor', '/a b', undefined, ['/x']]) {
      assert.equal(safeNext(bad), '/', String(bad));
    }
  });
});

describe('open access before the first user', () => {
  it('runs open on loopback with a banner, refuses other host names, and closes once a user exists', async () => {
    const store = await openStore(await testDatabase(tempProject('sw-open-')));
    const app = createApp({ store, actor: 'local' });
    const { url } = await app.listen(0, '127.0.0.1');
    try {
      const page = await fetch(url);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /Open access:/);
      // A DNS-rebound page reaches the same socket under another name.
      const port = new URL(url).port;
      const rebound = await new Promise<number>((resolve, reject) => {
        import('node:http').then(({ request }) => {
          request({ host: '127.0.0.1', port, path: '/', headers: { host: `evil.example:${port}` } }, (res) => { res.resume(); resolve(res.statusCode!); }).on('error', reject).end();
        });
      });
      assert.equal(rebound, 403);
      // A reverse proxy in front sends a loopback Host too; what it forwards is refused.
      for (const header of [{ 'x-forwarded-for': '203.0.113.7' }, { forwarded: 'for=203.0.113.7' }, { via: '1.1 proxy' }] as Record<string, string>[]) {
        const proxied = await fetch(url, { headers: header });
        assert.equal(proxied.status, 403, JSON.stringify(header));
      }
      await addUser(store, 'first', 'admin');
      const closed = await fetch(url, { redirect: 'manual' });
      assert.equal(closed.status, 302);
      assert.equal(closed.headers.get('location'), '/login?next=%2F');
    } finally {
      await app.close();
      await store.close();
    }
  });
});
