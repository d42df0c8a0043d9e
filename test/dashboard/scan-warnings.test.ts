// The scans page lists what a scan could not see in full (scripts that failed to load), escaped.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createApp, type Dashboard } from '../../dashboard/create-app.js';
import { planScan } from '../../src/plan/plan-scan.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { APP, healthyShop, INLINE_A, LIB, pageCapture } from '../fixtures/captures.js';
import { tempProject } from '../fixtures/cli.js';
import { testDatabase } from '../fixtures/test-database.js';

describe('failed sub-resources on the dashboard', () => {
  let store: Store;
  let dashboard: Dashboard;
  let url: string;
  beforeAll(async () => {
    store = await openStore(await testDatabase(tempProject('sw-warn-')));
    dashboard = createApp({ store, actor: 'tester' });
    ({ url } = await dashboard.listen(0, '127.0.0.1'));
  });
  afterAll(async () => {
    await dashboard.close();
    await store.close();
  });

  it('shows each failed script with its reason on the scans page, and keeps it out of removals', async () => {
    const plan = async (capture: ReturnType<typeof healthyShop>) => store.scans.applyPlan(planScan(capture, await store.scans.readBaseline('checkout', 'desktop'), { removalThreshold: 1 }));
    await plan(healthyShop());
    const broken = { ...LIB, body: null, status: null, loadError: 'net::ERR_CONNECTION_RESET', url: 'https://cdn.example/lib-1.2.3.min.js?<b>x</b>' };
    const failed = pageCapture([APP, INLINE_A, { ...LIB, body: null, status: 503, loadError: 'HTTP 503' }, broken]);
    const baseline = await store.scans.readBaseline('checkout', 'desktop');
    const result = planScan(failed, baseline, { removalThreshold: 1 });
    assert.deepEqual(result.alerts.filter((a) => a.type === 'script.removed' && a.subject.includes('lib-1.2.3')), [], 'a failed load is not a removal');
    assert.deepEqual(result.alerts.filter((a) => a.type === 'script.changed'), [], 'a failed load is not a change');
    assert.deepEqual(result.scan.failedLoads.map((f) => f.error), ['HTTP 503', 'net::ERR_CONNECTION_RESET']);
    await store.scans.applyPlan(result);
    const page = await (await fetch(new URL("/scans", url))).text();
    assert.match(page, /failed to load \(HTTP 503\)/);
    assert.match(page, /lib-1\.2\.3\.min\.js\?&lt;b&gt;x&lt;\/b&gt; failed to load \(net::ERR_CONNECTION_RESET\)/);
    assert.doesNotMatch(page, /<b>x<\/b>/);
  });
});
