// A dashboard with users of every role, their API tokens, and an alert with evidence: what the access tests act on.

import { join } from 'node:path';
import { createApp, type AppDeps, type Dashboard } from '../../dashboard/create-app.js';
import { planScan } from '../../src/plan/plan-scan.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { APP, healthyShop, INLINE_A, INLINE_B, LIB, PAGE_URL, pageCapture, script } from '../fixtures/captures.js';
import { parseConfig } from '../../src/config/config.js';
import { tempProject } from '../fixtures/cli.js';
import { testDatabase } from '../fixtures/test-database.js';
import { addUser } from '../fixtures/access.js';

export interface AccessSetup {
  store: Store;
  dashboard: Dashboard;
  base: string;
  alertIds: number[];
  scriptId: number;
  blobSha: string;
  tokens: { viewer: string; approver: string; admin: string };
  close(): Promise<void>;
}

/** `deps`: more of the app's dependencies (an approval policy, say). */
export async function startAccessSetup(auth: AppDeps['auth'] = {}, deps: Partial<AppDeps> = {}): Promise<AccessSetup> {
  const store = await openStore(await testDatabase(tempProject('sw-access-')));
  const scan = async (c: ReturnType<typeof healthyShop>) => store.scans.applyPlan(planScan(c, await store.scans.readBaseline(c.target, c.profile), { removalThreshold: 2 }));
  await scan(healthyShop());
  await store.alerts.approveAll({ by: 'setup', note: 'initial', at: new Date().toISOString() });
  // Three open alerts: a changed first-party script, a changed library, and a new script.
  const app2 = script({ kind: 'external', url: APP.url, body: 'window.app = 2;' });
  const lib2 = script({ kind: 'external', url: LIB.url, body: 'window.lib={v:"1.2.4"};' });
  await scan(pageCapture([app2, LIB, INLINE_A, INLINE_B]));
  await scan(pageCapture([app2, lib2, INLINE_A, INLINE_B]));
  await scan(pageCapture([app2, lib2, INLINE_A, INLINE_B, script({ kind: 'external', url: 'https://cdn.example/new.js', body: 'window.n = 1;' })]));
  const alertIds = (await store.alerts.list({ status: 'open' })).map((a) => a.id).sort((a, b) => a - b);
  if (alertIds.length < 3) throw new Error(`expected three open alerts, got ${alertIds.length}`);
  const trail = (await store.evidence.trail(alertIds[0]!))!;
  await store.evidence.put(trail.firstScanId, [{ name: 'page.html', bytes: Buffer.from('<p>the document as served</p>') }]);
  for (const [name, role] of [['vera', 'viewer'], ['april', 'approver'], ['adam', 'admin']] as const) await addUser(store, name, role);
  const actor = { name: 'setup', ip: null };
  const token = async (user: string) => (await store.access.tokens.create({ user, name: 'test', expiresAt: null }, actor)).token;
  const tokens = { viewer: await token('vera'), approver: await token('april'), admin: await token('adam') };
  const config = parseConfig({ database: store.path, targets: [{ name: 'checkout', url: PAGE_URL }] }, join(tempProject('sw-access-config-'), 'scriptwarden.yml'));
  const dashboard = createApp({ store, actor: 'nobody', auth, reports: { config, generator: 'scriptwarden test' }, ...deps });
  const base = (await dashboard.listen(0, '127.0.0.1')).url.replace(/\/$/, '');
  const alert = (await store.alerts.get(alertIds[0]!))!;
  return {
    store, dashboard, base, alertIds, tokens,
    scriptId: (await store.inventory.scriptId('checkout', 'desktop', APP.url!))!,
    blobSha: alert.newValue!,
    close: async () => {
      await dashboard.close();
      await store.close();
    },
  };
}
