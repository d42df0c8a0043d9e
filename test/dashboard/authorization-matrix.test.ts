// The authorization matrix: every route of the dashboard and the API, for anonymous, viewer, approver and admin.

import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { signIn, type SignedIn } from '../fixtures/access.js';
import { startAccessSetup, type AccessSetup } from './access-setup.js';

/** 'login' is a 302 to the sign-in form; numbers are the exact status. */
type Expect = number | 'login';
interface Row {
  /** The route as registered, to check that every route is in the matrix. */
  route: string;
  method: 'GET' | 'POST';
  path: (s: AccessSetup, ids: Ids) => string;
  body?: Record<string, string>;
  expect: [anonymous: Expect, viewer: Expect, approver: Expect, admin: Expect];
}
interface Ids {
  revokeHtml: number;
  revokeApi: number;
}

const READ: Row['expect'] = ['login', 200, 200, 200];
const ADMIN_PAGE: Row['expect'] = ['login', 403, 403, 200];
const API_READ: Row['expect'] = [401, 200, 200, 200];
const API_ADMIN: Row['expect'] = [401, 403, 403, 200];

const HTML_ROWS: Row[] = [
  { route: 'GET /healthz', method: 'GET', path: () => '/healthz', expect: [200, 200, 200, 200] },
  { route: 'GET /favicon.ico', method: 'GET', path: () => '/favicon.ico', expect: [204, 204, 204, 204] },
  { route: 'GET /metrics', method: 'GET', path: () => '/metrics', expect: [401, 200, 200, 200] },
  { route: 'GET /login', method: 'GET', path: () => '/login', expect: [200, 303, 303, 303] },
  // A form token without its double-submit cookie is refused for everyone.
  { route: 'POST /login', method: 'POST', path: () => '/login', body: { _csrf: 'not-the-cookie', name: 'adam', password: 'x' }, expect: [403, 403, 403, 403] },
  { route: 'GET /login/two-factor', method: 'GET', path: () => '/login/two-factor', expect: [303, 303, 303, 303] },
  { route: 'POST /login/two-factor', method: 'POST', path: () => '/login/two-factor', body: { code: '123456' }, expect: [303, 303, 303, 303] },
  { route: 'GET /account', method: 'GET', path: () => '/account', expect: READ },
  { route: 'POST /account/password', method: 'POST', path: () => '/account/password', body: { current: 'wrong password!', password: 'another long password' }, expect: ['login', 400, 400, 400] },
  { route: 'POST /account/sessions/end', method: 'POST', path: () => '/account/sessions/end', expect: READ },
  { route: 'GET /account/two-factor', method: 'GET', path: () => '/account/two-factor', expect: READ },
  { route: 'POST /account/two-factor', method: 'POST', path: () => '/account/two-factor', body: { code: 'abcdef' }, expect: ['login', 400, 400, 400] },
  { route: 'GET /', method: 'GET', path: () => '/', expect: READ },
  { route: 'GET /alerts', method: 'GET', path: () => '/alerts', expect: READ },
  { route: 'GET /alerts/:id', method: 'GET', path: (s) => `/alerts/${s.alertIds[0]}`, expect: READ },
  { route: 'POST /alerts/:id/approve', method: 'POST', path: (s) => `/alerts/${s.alertIds[0]}/approve`, body: { note: 'matrix' }, expect: ['login', 403, 303, 303] },
  { route: 'POST /alerts/:id/reject', method: 'POST', path: (s) => `/alerts/${s.alertIds[0]}/reject`, body: { note: 'matrix' }, expect: ['login', 403, 303, 303] },
  { route: 'GET /inventory', method: 'GET', path: () => '/inventory', expect: READ },
  { route: 'GET /inventory.csv', method: 'GET', path: () => '/inventory.csv', expect: READ },
  { route: 'GET /hunt', method: 'GET', path: () => '/hunt?q=cdn.example', expect: READ },
  // The matrix's app has no harden dependency: every target is "no such page target" (404), once signed in.
  { route: 'GET /targets/:name/visitors', method: 'GET', path: () => '/targets/checkout/visitors', expect: READ },
  { route: 'GET /targets/:name/harden', method: 'GET', path: () => '/targets/checkout/harden', expect: ['login', 404, 404, 404] },
  { route: 'POST /inventory/authorize', method: 'POST', path: () => '/inventory/authorize', body: { script: '1', justification: 'matrix' }, expect: ['login', 403, 303, 303] },
  { route: 'GET /reports', method: 'GET', path: () => '/reports', expect: READ },
  { route: 'GET /reports/download', method: 'GET', path: () => '/reports/download?format=json&from=2026-01-01', expect: READ },
  { route: 'GET /scans', method: 'GET', path: () => '/scans', expect: READ },
  { route: 'GET /scripts/:id', method: 'GET', path: (s) => `/scripts/${s.scriptId}`, expect: READ },
  { route: 'POST /scripts/:id/rules', method: 'POST', path: (s) => `/scripts/${s.scriptId}/rules`, body: { rule: 'quoted-tokens' }, expect: ['login', 403, 403, 303] },
  { route: 'GET /alerts/:id/evidence/:name', method: 'GET', path: (s) => `/alerts/${s.alertIds[0]}/evidence/page.html`, expect: READ },
  { route: 'GET /alerts/:id/evidence.zip', method: 'GET', path: (s) => `/alerts/${s.alertIds[0]}/evidence.zip`, expect: READ },
  { route: 'GET /raw/:sha', method: 'GET', path: (s) => `/raw/${s.blobSha}`, expect: READ },
  { route: 'GET /admin/users', method: 'GET', path: () => '/admin/users', expect: ADMIN_PAGE },
  { route: 'POST /admin/users', method: 'POST', path: () => '/admin/users', body: { name: 'matrix-new', role: 'viewer', password: 'a long enough password' }, expect: ADMIN_PAGE },
  { route: 'POST /admin/users/:name/role', method: 'POST', path: () => '/admin/users/matrix-target/role', body: { role: 'approver' }, expect: ADMIN_PAGE },
  { route: 'POST /admin/users/:name/reset-two-factor', method: 'POST', path: () => '/admin/users/matrix-target/reset-two-factor', expect: ADMIN_PAGE },
  { route: 'POST /admin/users/:name/remove', method: 'POST', path: () => '/admin/users/matrix-remove/remove', expect: ADMIN_PAGE },
  { route: 'GET /admin/tokens', method: 'GET', path: () => '/admin/tokens', expect: ADMIN_PAGE },
  { route: 'POST /admin/tokens', method: 'POST', path: () => '/admin/tokens', body: { user: 'vera', name: 'matrix', expires: '30d' }, expect: ['login', 403, 403, 201] },
  { route: 'POST /admin/tokens/:id/revoke', method: 'POST', path: (_s, ids) => `/admin/tokens/${ids.revokeHtml}/revoke`, expect: ['login', 403, 403, 303] },
  { route: 'GET /admin/settings', method: 'GET', path: () => '/admin/settings', expect: ADMIN_PAGE },
  { route: 'POST /admin/settings', method: 'POST', path: () => '/admin/settings', body: { twoFactorPolicy: 'optional' }, expect: ADMIN_PAGE },
  { route: 'POST /admin/targets/:name/pause', method: 'POST', path: () => '/admin/targets/checkout/pause', expect: ADMIN_PAGE },
  { route: 'POST /admin/targets/:name/resume', method: 'POST', path: () => '/admin/targets/checkout/resume', expect: ADMIN_PAGE },
  { route: 'GET /audit', method: 'GET', path: () => '/audit', expect: ADMIN_PAGE },
  // Last: it ends the session it is sent with.
  { route: 'POST /logout', method: 'POST', path: () => '/logout', expect: [303, 303, 303, 303] },
];

const API_ROWS: Row[] = [
  { route: 'GET /api/targets', method: 'GET', path: () => '/api/targets', expect: API_READ },
  { route: 'GET /api/alerts', method: 'GET', path: () => '/api/alerts', expect: API_READ },
  { route: 'GET /api/alerts/:id', method: 'GET', path: (s) => `/api/alerts/${s.alertIds[1]}`, expect: API_READ },
  { route: 'GET /api/alerts/latest', method: 'GET', path: () => '/api/alerts/latest', expect: API_READ },
  { route: 'POST /api/alerts/:id/approve', method: 'POST', path: (s) => `/api/alerts/${s.alertIds[1]}/approve`, body: { note: 'matrix' }, expect: [401, 403, 200, 200] },
  { route: 'POST /api/alerts/:id/reject', method: 'POST', path: (s) => `/api/alerts/${s.alertIds[1]}/reject`, body: { note: 'matrix' }, expect: [401, 403, 200, 200] },
  { route: 'GET /api/inventory', method: 'GET', path: () => '/api/inventory', expect: API_READ },
  { route: 'POST /api/inventory/authorize', method: 'POST', path: () => '/api/inventory/authorize', body: { kind: 'inline', justification: 'matrix' }, expect: [401, 403, 200, 200] },
  { route: 'GET /api/scripts/:id/versions', method: 'GET', path: (s) => `/api/scripts/${s.scriptId}/versions`, expect: API_READ },
  { route: 'GET /api/me', method: 'GET', path: () => '/api/me', expect: API_READ },
  { route: 'GET /api/audit', method: 'GET', path: () => '/api/audit', expect: API_ADMIN },
  { route: 'GET /api/users', method: 'GET', path: () => '/api/users', expect: API_ADMIN },
  { route: 'GET /api/tokens', method: 'GET', path: () => '/api/tokens', expect: API_ADMIN },
  { route: 'POST /api/tokens/:id/revoke', method: 'POST', path: (_s, ids) => `/api/tokens/${ids.revokeApi}/revoke`, expect: API_ADMIN },
];

/** Every route the app registers, as "METHOD /path" with the mount prefix. */
function registeredRoutes(app: AccessSetup['dashboard']['app']): string[] {
  const found: string[] = [];
  type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] }; rawPath?: unknown };
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) for (const method of Object.keys(layer.route.methods)) found.push(`${method.toUpperCase()} ${prefix}${layer.route.path}`);
      else if (layer.handle?.stack) walk(layer.handle.stack, typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? prefix + layer.rawPath : prefix);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return [...new Set(found)].sort();
}

describe('authorization matrix', () => {
  let s: AccessSetup;
  let ids: Ids;
  const sessions: Partial<Record<'viewer' | 'approver' | 'admin', SignedIn>> = {};

  beforeAll(async () => {
    s = await startAccessSetup();
    const actor = { name: 'setup', ip: null };
    ids = {
      revokeHtml: (await s.store.access.tokens.create({ user: 'vera', name: 'to revoke', expiresAt: null }, actor)).summary.id,
      revokeApi: (await s.store.access.tokens.create({ user: 'vera', name: 'to revoke by api', expiresAt: null }, actor)).summary.id,
    };
    const { addUser } = await import('../fixtures/access.js');
    await addUser(s.store, 'matrix-target', 'viewer');
    await addUser(s.store, 'matrix-remove', 'viewer');
    sessions.viewer = await signIn(s.base, 'vera');
    sessions.approver = await signIn(s.base, 'april');
    sessions.admin = await signIn(s.base, 'adam');
  });
  afterAll(() => s.close());

  it('lists every registered route', () => {
    const inMatrix = [...HTML_ROWS, ...API_ROWS].map((r) => r.route).sort();
    assert.deepEqual(registeredRoutes(s.dashboard.app), [...new Set(inMatrix)].sort());
  });

  it('gives each role on each HTML route the expected status', async () => {
    const failures: string[] = [];
    for (const row of HTML_ROWS) {
      for (const [index, who] of (['anonymous', 'viewer', 'approver', 'admin'] as const).entries()) {
        const session = who === 'anonymous' ? undefined : sessions[who]!;
        const headers: Record<string, string> = {};
        if (session) headers.cookie = `sw_session=${session.cookie}`;
        let body: string | undefined;
        if (row.method === 'POST') {
          headers['content-type'] = 'application/x-www-form-urlencoded';
          body = new URLSearchParams({ ...(session ? { _csrf: session.csrf } : {}), ...row.body }).toString();
        }
        const response = await fetch(s.base + row.path(s, ids), { method: row.method, headers, body, redirect: 'manual' });
        await response.arrayBuffer();
        const expected = row.expect[index]!;
        const got = response.status === 302 && response.headers.get('location')?.startsWith('/login') ? 'login' : response.status;
        if (got !== expected) failures.push(`${row.route} as ${who}: expected ${expected}, got ${got}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('gives each role on each API route the expected status, with its token', async () => {
    const failures: string[] = [];
    for (const row of API_ROWS) {
      for (const [index, who] of (['anonymous', 'viewer', 'approver', 'admin'] as const).entries()) {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (who !== 'anonymous') headers.authorization = `Bearer ${s.tokens[who]}`;
        const response = await fetch(s.base + row.path(s, ids), { method: row.method, headers, body: row.method === 'POST' ? JSON.stringify(row.body ?? {}) : undefined, redirect: 'manual' });
        await response.arrayBuffer();
        if (response.status !== row.expect[index]) failures.push(`${row.route} as ${who}: expected ${row.expect[index]}, got ${response.status}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('records who approved through the API and the page, never a name the request claims', async () => {
    const decisions = await s.store.alerts.decisions(s.alertIds[1]!);
    assert.deepEqual(decisions.map((d) => d.by), ['april', 'adam', 'april', 'adam']);
    const claimed = await fetch(`${s.base}/api/alerts/${s.alertIds[1]}/approve`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${s.tokens.approver}` }, body: JSON.stringify({ note: 'x', by: 'adam' }),
    });
    assert.equal(claimed.status, 400);
    const audit = await s.store.access.audit.list({ objectType: 'alert', objectId: s.alertIds[0]! });
    assert.deepEqual(audit.map((e) => [e.action, e.actor, e.note]).reverse(), [
      ['alert.approved', 'april', 'matrix'], ['alert.approved', 'adam', 'matrix'], ['alert.rejected', 'april', 'matrix'], ['alert.rejected', 'adam', 'matrix'],
    ]);
    assert.ok(audit.every((e) => e.ip === '127.0.0.1' || e.ip === '::ffff:127.0.0.1'), 'each entry keeps the source address');
    const filtered = await fetch(`${s.base}/api/audit?actor=april&type=alert`, { headers: { authorization: `Bearer ${s.tokens.admin}` } });
    assert.equal(filtered.headers.get('cache-control'), 'no-store');
    const body = await filtered.json() as { audit: { actor: string; objectType: string; action: string }[]; chain: { firstBreak: unknown } };
    assert.ok(body.audit.length >= 4 && body.audit.every((e) => e.actor === 'april' && e.objectType === 'alert'));
    assert.equal(body.chain.firstBreak, null);
  });
});
