// Dashboard test harness: a real SQLite store with scans and alerts, createApp on loopback, and real Chromium.

import type { Browser } from 'puppeteer';
import { join } from 'node:path';
import { createApp, type AppDeps, type Dashboard } from '../../dashboard/create-app.js';
import { planScan } from '../../src/plan/plan-scan.js';
import { loadIntel } from '../../src/run/load-intel.js';
import { readJudgement } from '../../src/run/read-judgement.js';
import { detect } from '../../src/detect/detect.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import type { PageCapture } from '../../src/capture/types.js';
import { launchTestPuppeteer } from '../fixtures/browser.js';
import { tempProject } from '../fixtures/cli.js';
import { testDatabase } from '../fixtures/test-database.js';

export interface DashboardHarness {
  store: Store;
  dashboard: Dashboard;
  url: string;
  browser: Browser;
  scan(capture: PageCapture): ReturnType<Store['scans']['applyPlan']>;
  close(): Promise<void>;
}

/** `deps`: more of the app's dependencies, given the store and the test's browser (reports that render PDFs, say). */
export async function startDashboard(deps: (store: Store, browser: Browser) => Partial<AppDeps> = () => ({})): Promise<DashboardHarness> {
  const store = await openStore(await testDatabase(tempProject('sw-dash-')));
  const intel = loadIntel({ libraries: [], knownBadHosts: [] });
  const browser = await launchTestPuppeteer();
  const dashboard = createApp({ store, actor: 'tester', ...deps(store, browser) });
  const { url } = await dashboard.listen(0, '127.0.0.1');
  return {
    store,
    dashboard,
    url,
    browser,
    scan: async (capture) => {
      const baseline = await store.scans.readBaseline(capture.target, capture.profile);
      const planned = planScan(capture, baseline, { removalThreshold: 2, libraries: intel.libraries });
      return store.scans.applyPlan(await detect(planned, await readJudgement(planned, baseline, store, intel, 50)));
    },
    close: async () => {
      await browser.close();
      await dashboard.close();
      await store.close();
    },
  };
}
