// The test suite by layer: `npx vitest --project unit` is the quick loop; CI runs every project.

import { defineConfig } from 'vitest/config';
import LongestFirst from './test/longest-first.js';

/** Settings of one layer: where its files are and how long its tests and hooks may take. */
const layer = (name: string, timeoutMs: number, extra: Record<string, unknown> = {}) => ({
  test: { name, include: [`test/${name}/**/*.test.ts`], testTimeout: timeoutMs, hookTimeout: timeoutMs, ...extra },
});

/** A layer again on PostgreSQL (`<name>-postgres`), on a throwaway cluster its global setup starts; `sqliteOnly` files are left out. */
const onPostgres = (name: string, timeoutMs: number, sqliteOnly: string[], setup: string[] = []) => ({
  test: {
    name: `${name}-postgres`, include: [`test/${name}/**/*.test.ts`], exclude: sqliteOnly, testTimeout: timeoutMs, hookTimeout: timeoutMs,
    env: { SCRIPTWARDEN_TEST_DIALECT: 'postgres' }, globalSetup: ['test/global-setup.ts', 'test/postgres-setup.ts', ...setup],
  },
});

/** End-to-end files about the SQLite file itself: something else put in its place, its disk filled. */
const SQLITE_ONLY_E2E = [
  'cli-errors', 'full-disk',
].map((f) => `test/e2e/${f}.test.ts`);

export default defineConfig({
  test: {
    // Each file in its own process: the CLI and browser tests spawn children and listen on ports of their own.
    pool: 'forks',
    // Test files are independent (temp folders, port 0, an incognito context each). Most of a browser test's time is
    // spent waiting (settle, the canary pass's timers, the network), so on 2 cores 4 at a time keep the CPU busy.
    maxWorkers: 4,
    reporters: ['default', './test/project-durations.ts'],
    sequence: { sequencer: LongestFirst },
    // The compiled build that command-line tests run in-process (test/fixtures/cli.ts) is loaded by Node itself, as the
    // installed command loads it, not transformed again.
    server: { deps: { external: [/\/dist\//] } },
    projects: [
      // Pure: no build, no browser, no database.
      layer('unit', 10_000),
      // The others may run the compiled command line: its build is brought up to date first.
      layer('store', 60_000, { globalSetup: ['test/global-setup.ts'], exclude: ['test/store/dialects.test.ts'] }),
      // The same store tests on PostgreSQL, on a throwaway cluster the project starts (test/postgres-setup.ts). The files
      // left out test what only SQLite has: its busy lock, and the upgrade of a database file an older release made.
      onPostgres('store', 60_000, ['test/store/busy-lock.test.ts', 'test/store/migrate-release.test.ts']),
      // These share one Chromium per project (test/browser-setup.ts), as Vite's own e2e suite does.
      layer('crawler', 60_000, { globalSetup: ['test/global-setup.ts', 'test/browser-setup.ts'] }),
      layer('dashboard', 60_000, { globalSetup: ['test/global-setup.ts', 'test/browser-setup.ts'] }),
      layer('e2e', 240_000, { globalSetup: ['test/global-setup.ts', 'test/browser-setup.ts'], exclude: ['test/e2e/db-copy.test.ts', 'test/e2e/shared-database.test.ts', 'test/e2e/workers.test.ts', 'test/e2e/database-outage.test.ts', 'test/e2e/vantage-workers.test.ts'] }),
      // The dashboard and the end-to-end runs again on PostgreSQL. Left out: what reads or breaks the SQLite file itself.
      onPostgres('dashboard', 60_000, [], ['test/browser-setup.ts']),
      onPostgres('e2e', 240_000, SQLITE_ONLY_E2E, ['test/browser-setup.ts']),
      // The scale run (minutes of two workers at full load) measures capacity, so it runs alone, after the rest:
      // `npm test` runs it as a second step (SCRIPTWARDEN_SCALE=1); each worker launches its own Chromium.
      ...(process.env.SCRIPTWARDEN_SCALE === '1' ? [onPostgres('scale', 600_000, [])] : []),
    ],
  },
});
