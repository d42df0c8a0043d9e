// Dialect benchmark: the same scans on SQLite and on PostgreSQL (a throwaway local cluster), side by side in one run.

import { join } from 'node:path';
import { createApp } from '../dashboard/create-app.js';
import { fetchResource } from '../crawler/fetch-resource.js';
import { launchBrowser, type LaunchOptions } from '../crawler/launch-browser.js';
import { parseConfig } from '../src/config/config.js';
import { planScan } from '../src/plan/plan-scan.js';
import { loadIntel } from '../src/run/load-intel.js';
import { runScan } from '../src/run/run-scan.js';
import type { Capturer } from '../src/capture/capturer.js';
import { copyDatabase } from '../src/store/copy-database.js';
import { openDatabase } from '../src/store/database.js';
import { openStore, STORE_DATA_STEPS, type Store } from '../src/store/open-store.js';
import { openPostgres } from '../src/store/postgres.js';
import { openSqlite } from '../src/store/sqlite.js';
import { RUNNING_AS_ROOT, testBrowserPath } from '../test/fixtures/browser.js';
import { healthyShop } from '../test/fixtures/captures.js';
import { tempProject } from '../test/fixtures/cli.js';
import { startFixtureSite } from '../test/fixtures/fixture-site.js';
import { createDatabase, startPostgres } from '../test/fixtures/postgres-cluster.js';
import { seedDashboardStore } from './dashboard-seed.js';
import { installGeneratedSite } from './generated-site.js';
import { timeRequests } from './latency.js';

const PAGES = Number(process.env.BENCH_PAGES ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONCURRENCY = [1, 4];
const WRITES = 400;
const SEEDED = process.env.BENCH_SEEDED;
const perMinute = (pages: number, ms: number) => pages / (ms / 60_000);

/** The bytes the database's tables and indexes take (whole pages: measured over many scans). */
async function bytesOf(store: Store): Promise<number> {
  const db = store.path.startsWith('postgres') ? openPostgres(store.path, { poolSize: 1 }) : openSqlite(store.path);
  try {
    if (db.dialect === 'sqlite') {
      await store.checkpoint();
      return (await db.prepare<[], { n: number }>('SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()').get())!.n;
    }
    return (await db.prepare<[], { n: number }>("SELECT SUM(pg_total_relation_size(c.oid)) AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = current_schema() AND c.relkind = 'r'").get())!.n;
  } finally {
    await db.close();
  }
}

const cluster = await startPostgres();
const dir = tempProject('sw-bench-dialects-');
const stores = { sqlite: await openStore(join(dir, 'bench.db')), postgres: await openStore(await createDatabase(cluster.url)) };
const dialects = ['sqlite', 'postgres'] as const;
try {
  console.log(`dialect benchmark: SQLite against PostgreSQL (a local cluster on loopback, fsync off), ${PAGES} pages of about 10 scripts`);

  // BENCH_SEEDED: a dashboard database an earlier run seeded at this shape, measured again without the other parts.
  if (!SEEDED) {
    // The write path alone: the same unchanged rescan plan applied again and again (no browser).
    console.log(`\nwrite path: ${WRITES} unchanged rescans of one page through planScan + applyPlan`);
    for (const name of dialects) {
      const store = stores[name];
      const capture = healthyShop();
      await store.scans.applyPlan(planScan(capture, await store.scans.readBaseline(capture.target, capture.profile), { removalThreshold: 2 }));
      const before = await bytesOf(store);
      const started = performance.now();
      for (let i = 0; i < WRITES; i++) {
        const at = new Date(Date.UTC(2026, 10, 22, 9) + i * 60_000).toISOString();
        const rescan = healthyShop({ finishedAt: at });
        await store.scans.applyPlan(planScan(rescan, await store.scans.readBaseline(rescan.target, rescan.profile), { removalThreshold: 2 }), at);
      }
      const ms = performance.now() - started;
      const added = (await bytesOf(store)) - before;
      console.log(`  ${name.padEnd(9)} ${(WRITES / (ms / 1000)).toFixed(0)} scans/s (${(ms / WRITES).toFixed(2)} ms per scan: baseline read, plan, one transaction), ${(added / WRITES).toFixed(0)} bytes per scan on disk`);
    }

    // Whole scans: the browser, the analysis and the store, at the same concurrency on each dialect, rounds interleaved.
    const site = await startFixtureSite();
    const urls = installGeneratedSite(site, PAGES);
    const launch: LaunchOptions = { executablePath: testBrowserPath(), args: [], resolve: { '*.test': '127.0.0.1' }, runningAsRoot: RUNNING_AS_ROOT };
    const browser = await launchBrowser(launch);
    const limits = { pageTimeoutMs: 30_000, settleMs: 200, maxScriptsPerPage: 500, maxBodyBytes: 5 * 1024 * 1024 };
    const capturer: Capturer = {
      page: (request) => browser.capture(request, limits),
      resource: (target) => fetchResource(target, { resolve: launch.resolve, timeoutMs: 30_000, maxBodyBytes: limits.maxBodyBytes, userAgent: 'bench' }),
    };
    const intel = loadIntel({ libraries: [], knownBadHosts: [] });
    const scan = async (store: Store, concurrency: number) => {
      const config = parseConfig({ database: store.path, browser: { concurrency, settle: '200ms', pageTimeout: '30s' }, targets: urls.map((url, i) => ({ name: `page-${i}`, url })) }, join(dir, 'scriptwarden.yml'));
      const started = performance.now();
      const run = await runScan({ config, store, capturer, targets: config.targets, intel });
      if (run.targets.some((t) => t.status !== 'ok')) throw new Error('a bench scan failed');
      return performance.now() - started;
    };
    for (const name of dialects) await scan(stores[name], 4);
    console.log(`\nunchanged rescans of ${PAGES} pages, ${ROUNDS} interleaved rounds (target: PostgreSQL within 1.2x of SQLite's time)`);
    for (const concurrency of CONCURRENCY) {
      const ms = { sqlite: 0, postgres: 0 };
      for (let round = 0; round < ROUNDS; round++) for (const name of dialects) ms[name] += await scan(stores[name], concurrency);
      const [a, b] = [perMinute(PAGES * ROUNDS, ms.sqlite), perMinute(PAGES * ROUNDS, ms.postgres)];
      console.log(`  concurrency ${concurrency}: SQLite ${a.toFixed(0)} pages/min, PostgreSQL ${b.toFixed(0)} pages/min: ${(ms.postgres / ms.sqlite).toFixed(2)}x the time`);
    }
    await browser.close();
    await site.close();

  }

  // The dashboard on the same database in each dialect: seeded on SQLite through the write path, then moved to
  // PostgreSQL with db copy's copyDatabase (seeding PostgreSQL through the write path at this size takes far longer).
  const shape = { targets: Number(process.env.BENCH_TARGETS ?? 1000), scriptsPerTarget: 50, intervalMinutes: 15, days: Number(process.env.BENCH_DAYS ?? 3) };
  const scans = shape.targets * shape.days * 96;
  console.log(`\ndashboard p95 over 30 requests on ${shape.targets} targets x ${shape.scriptsPerTarget} scripts, every 15 min for ${shape.days} days (${scans} scans; target < 100 ms)`);
  const seededPath = SEEDED ?? join(dir, 'dashboard.db');
  if (SEEDED) {
    console.log(`  reusing the SQLite database seeded before (${SEEDED}), brought to this version's schema`);
    await (await openStore(SEEDED)).close();
  }
  else {
    const seedStarted = performance.now();
    const seeded = await seedDashboardStore(seededPath, shape, ['window.bundle = 1;', 'window.bundle = 1; new Image().src = "https://evil.example/c";'], () => undefined);
    console.log(`  seeded SQLite in ${((performance.now() - seedStarted) / 1000).toFixed(0)} s`);
    await seeded.close();
  }
  const copyUrl = await createDatabase(cluster.url);
  const [from, to] = [openSqlite(seededPath), await openDatabase(copyUrl, STORE_DATA_STEPS)];
  const copyStarted = performance.now();
  const copied = await copyDatabase(from, to);
  const copySeconds = (performance.now() - copyStarted) / 1000;
  await Promise.all([from.close(), to.close()]);
  console.log(`  copied to PostgreSQL in ${copySeconds.toFixed(0)} s (${copied.rows} rows, ${(copied.rows / copySeconds).toFixed(0)} rows/s)`);
  for (const [name, spec] of [['sqlite', seededPath], ['postgres', copyUrl]] as const) {
    const store = await openStore(spec);
    const app = createApp({ store, actor: 'bench' });
    const { url } = await app.listen(0, '127.0.0.1');
    const middle = `shop-${Math.floor(shape.targets / 2)}`;
    const script = (await store.inventory.scripts({ target: middle }))[1]!.scriptId;
    const alert = (await store.alerts.list({ status: 'all', target: middle }))[0]?.id ?? (await store.alerts.list({ status: 'all' }))[0]!.id;
    const pages = [['overview', ''], ['alerts', 'alerts?status=all'], ['inventory', 'inventory'], ['inventory of one target', `inventory?target=${middle}`], ['scans', 'scans'],
      ['scans of one target', `scans?target=${middle}`], ['script history', `scripts/${script}`], ['alert detail', `alerts/${alert}`], ['healthz', 'healthz']] as const;
    const results: string[] = [];
    for (const [page, path] of pages) {
      await fetch(url + path);
      const r = await timeRequests(url + path, 30);
      results.push(`${page} ${r.p95.toFixed(1)}${r.p95 >= 100 ? ' OVER' : ''}`);
    }
    console.log(`  ${name.padEnd(9)} p95 ms: ${results.join(', ')}`);
    await app.close();
    await store.close();
  }
} finally {
  await Promise.all(dialects.map((name) => stores[name].close()));
  cluster.stop();
}
