// The alert page stays quick on huge or hostile changes: the diff is bounded and cached, beautify runs in a worker.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createApp, type Dashboard } from '../../dashboard/create-app.js';
import { createAnalysisPool, type AnalysisPool } from '../../src/run/analysis-pool.js';
import { planScan } from '../../src/plan/plan-scan.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { APP, INLINE_A, pageCapture, script } from '../fixtures/captures.js';
import { tempProject } from '../fixtures/cli.js';
import { testDatabase } from '../fixtures/test-database.js';
import { DIST } from '../fixtures/paths.js';

describe('large and hostile changes on the alert page', () => {
  let store: Store;
  let pool: AnalysisPool;
  let dashboard: Dashboard;
  let url: string;
  const scan = async (body: string, extra: ReturnType<typeof script>[] = []) =>
    store.scans.applyPlan(planScan(pageCapture([script({ kind: 'external', url: APP.url, body }), INLINE_A, ...extra]), await store.scans.readBaseline('checkout', 'desktop'), { removalThreshold: 2 }));
  let appBody = '';
  beforeAll(async () => {
    store = await openStore(await testDatabase(tempProject('sw-bigdiff-')));
    pool = createAnalysisPool({ intel: { libraries: [], knownBadHosts: [] }, budgetMs: 8000, workerFile: join(DIST, 'src', 'run', 'analysis-worker.js') });
    dashboard = createApp({ store, actor: 'tester', analysis: pool });
    ({ url } = await dashboard.listen(0, '127.0.0.1'));
  });
  afterAll(async () => {
    await dashboard.close();
    await pool.close();
    await store.close();
  });

  it('shows a notice instead of a diff for a 10,000-line replacement, and answers again from the cache', { timeout: 60_000 }, async () => {
    await scan(Array.from({ length: 10_000 }, (_, i) => `window.oldValue${i} = ${i};`).join('\n'));
    await store.alerts.approveAll({ by: 'setup', note: 'initial', at: new Date().toISOString() });
    appBody = Array.from({ length: 10_000 }, (_, i) => `document.newThing${i * 7} = "${i}";`).join('\n');
    const [alertId] = (await scan(appBody)).newAlerts.map((a) => a.id);
    assert.ok(alertId);
    for (let view = 0; view < 2; view++) {
      const page = await (await fetch(new URL(`/alerts/${alertId}`, url))).text();
      assert.match(page, /Too large to show inline \(more than 2000 lines differ\)/);
      assert.match(page, /Download old body/);
    }
    const api = await (await fetch(new URL(`/api/alerts/${alertId}`, url))).json() as { diff: unknown; diffTooLarge: string };
    assert.equal(api.diff, null);
    assert.match(api.diffTooLarge, /more than 2000 lines differ/);
  });

  it('serves the page of a body that stalls beautifying (a run of brackets) within the worker\'s budget', { timeout: 60_000 }, async () => {
    const hostile = script({ kind: 'external', url: 'https://cdn.example/brackets.js', body: '['.repeat(200_000) });
    const [alertId] = (await scan(appBody, [hostile])).newAlerts.filter((a) => a.subject === hostile.url).map((a) => a.id);
    assert.ok(alertId);
    const started = await fetch(new URL('/healthz', url));
    assert.equal(started.status, 200);
    const page = await fetch(new URL(`/alerts/${alertId}`, url));
    assert.equal(page.status, 200);
    // The body is shown as served when the readable version could not be made in time.
    assert.match(await page.text(), /\[\[\[\[/);
  });
});
