// Dashboard JSON API over a real SQLite file: data, decisions, and JSON errors with fitting statuses.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createApp, type Dashboard } from '../../dashboard/create-app.js';
import { planScan } from '../../src/plan/plan-scan.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { APP, healthyShop, INLINE_A, INLINE_B, LIB, pageCapture, script } from '../fixtures/captures.js';
import { tempProject } from '../fixtures/cli.js';
import { testDatabase } from '../fixtures/test-database.js';

describe('dashboard API', () => {
  let store: Store;
  let dashboard: Dashboard;
  let url: string;
  let alertId: number;
  const get = async (path: string) => {
    const response = await fetch(url + path);
    return { status: response.status, type: response.headers.get('content-type') ?? '', body: (await response.json()) as Record<string, unknown> };
  };
  const post = async (path: string, body: unknown, type = 'application/json') => {
    const response = await fetch(url + path, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    store = await openStore(await testDatabase(tempProject('sw-api-')));
    const scan = async (c: ReturnType<typeof healthyShop>) => store.scans.applyPlan(planScan(c, await store.scans.readBaseline(c.target, c.profile), { removalThreshold: 2 }));
    await scan(healthyShop());
    await store.alerts.approveAll({ by: 'alice', note: 'initial', at: new Date().toISOString() });
    alertId = (await scan(pageCapture([script({ kind: 'external', url: APP.url, body: 'window.app = 2;' }), LIB, INLINE_A, INLINE_B]))).newAlerts[0]!.id;
    dashboard = createApp({ store, actor: 'api-user' });
    url = (await dashboard.listen(0, '127.0.0.1')).url.replace(/\/$/, '');
  });
  afterAll(async () => {
    await dashboard.close();
    await store.close();
  });

  it('lists targets, alerts, inventory and versions', async () => {
    const targets = await get('/api/targets');
    assert.equal(targets.status, 200);
    assert.equal((targets.body.targets as { target: string }[])[0]!.target, 'checkout');
    // A changed script with nothing suspicious in it is rated low by the rules alone.
    const alerts = await get('/api/alerts?status=open&severity=low');
    assert.deepEqual((alerts.body.alerts as { id: number }[]).map((a) => a.id), [alertId]);
    assert.deepEqual((await get('/api/alerts?severity=high')).body.alerts, []);
    const detail = await get(`/api/alerts/${alertId}`);
    assert.ok(Array.isArray(detail.body.diff) && (detail.body.diff as unknown[]).length > 0);
    const inventory = await get('/api/inventory');
    assert.equal((inventory.body.inventory as unknown[]).length, 4);
    const id = (await store.inventory.scriptId('checkout', 'desktop', APP.url!))!;
    const versions = await get(`/api/scripts/${id}/versions`);
    assert.equal((versions.body.versions as unknown[]).length, 2);
  });

  it('approves and rejects with a note', async () => {
    const approved = await post(`/api/alerts/${alertId}/approve`, { note: 'release 5' });
    assert.equal(approved.status, 200);
    assert.deepEqual([(approved.body.alert as { status: string }).status, (approved.body.alert as { note: string }).note], ['approved', 'release 5']);
    const rejected = await post(`/api/alerts/${alertId}/reject`, { note: 'changed my mind', by: 'bob' });
    assert.equal((rejected.body.alert as { decidedBy: string }).decidedBy, 'bob');
  });

  it('switches a script\'s masking rules from its page, and shows them', async () => {
    const scriptId = (await store.inventory.scriptId('checkout', 'desktop', APP.url!))!;
    const response = await fetch(`${url}/scripts/${scriptId}/rules`, {
      method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'rule=timestamps&rule=uuids&rule=long-numbers&rule=hex-ids&rule=learned-tokens&rule=whitespace&rule=cache-buster',
    });
    assert.equal(response.status, 303);
    assert.deepEqual((await store.inventory.maskSettings(scriptId)).disabled, ['quoted-tokens']);
    const page = await (await fetch(`${url}/scripts/${scriptId}`)).text();
    assert.match(page, /Masking rules/);
    assert.match(page, /<input type="checkbox" name="rule" value="quoted-tokens" >/);
    const inventory = (await get('/api/inventory')).body.inventory as { scriptId: number; disabledRules: string[] }[];
    assert.deepEqual(inventory.find((r) => r.scriptId === scriptId)!.disabledRules, ['quoted-tokens']);
    const bad = await fetch(`${url}/scripts/${scriptId}/rules`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'rule=nonsense' });
    assert.equal(bad.status, 400);
  });

  it('answers bad input with 400 and unknown ids with 404, as JSON without stack traces', async () => {
    for (const [path, status] of [
      ['/api/alerts?status=bogus', 400], ['/api/alerts?severity=urgent', 400], ['/api/alerts/abc', 400],
      ['/api/alerts/99999', 404], ['/api/scripts/99999/versions', 404], ['/api/nothing', 404],
    ] as const) {
      const response = await get(path);
      assert.equal(response.status, status, path);
      assert.match(response.type, /application\/json/);
      assert.equal((response.body.error as { status: number }).status, status);
      assert.doesNotMatch(JSON.stringify(response.body), /at .*\.js:\d+/);
    }
    assert.equal((await post('/api/alerts/99999/approve', { note: 'x' })).status, 404);
    assert.equal((await post(`/api/alerts/${alertId}/approve`, { note: 42 })).status, 400);
    assert.equal((await post(`/api/alerts/${alertId}/approve`, '{"note": ', 'application/json')).status, 400);
  });

  it('refuses decisions posted from another site', async () => {
    const attempts: Record<string, string>[] = [{ origin: 'http://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { origin: 'null' }];
    for (const headers of attempts) {
      const response = await fetch(`${url}/alerts/${alertId}/approve`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: 'note=pwned&by=attacker',
      });
      assert.equal(response.status, 403);
    }
    assert.notEqual((await store.alerts.get(alertId))!.note, 'pwned');
    const sameOrigin = await fetch(`${url}/api/alerts/${alertId}/approve`, {
      method: 'POST', headers: { 'content-type': 'application/json', origin: url }, body: JSON.stringify({ note: 'ok' }),
    });
    assert.equal(sameOrigin.status, 200);
  });
});
