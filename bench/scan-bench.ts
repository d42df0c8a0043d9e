// Scan benchmark: pages per minute at concurrency 1, 2 and 4, the ratio to a bare puppeteer loop, and rescan bytes.

import { loadIntel } from '../src/run/load-intel.js';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer from 'puppeteer';
import { chromiumArgs, launchBrowser, type LaunchOptions } from '../crawler/launch-browser.js';
import { fetchResource } from '../crawler/fetch-resource.js';
import { parseConfig, type Config } from '../src/config/config.js';
import { runScan, type Capturer } from '../src/run/run-scan.js';
import { openStore, type Store } from '../src/store/open-store.js';
import { startFixtureSite } from '../test/fixtures/fixture-site.js';
import { RUNNING_AS_ROOT, testBrowserPath } from '../test/fixtures/browser.js';
import { tempProject } from '../test/fixtures/cli.js';
import { installGeneratedSite } from './generated-site.js';
import { rawDb } from '../test/fixtures/raw-db.js';

const PAGES = Number(process.env.BENCH_PAGES ?? 50);
const SETTLE_MS = 200;
const TIMEOUT_MS = 30_000;

function dbBytes(store: Store): number {
  store.checkpoint();
  return statSync(store.path).size;
}

/** The baseline: puppeteer loading the same pages with the same wait, optionally in a fresh context per page. */
async function bareLoop(launch: LaunchOptions, urls: string[], freshContext: boolean): Promise<number> {
  const browser = await puppeteer.launch({ executablePath: launch.executablePath, headless: true, pipe: true, args: chromiumArgs(launch) });
  const started = performance.now();
  for (const url of urls) {
    const context = freshContext ? await browser.createBrowserContext() : browser.defaultBrowserContext();
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load', timeout: TIMEOUT_MS });
    await page.waitForNetworkIdle({ idleTime: SETTLE_MS, timeout: TIMEOUT_MS }).catch(() => undefined);
    await page.close();
    if (freshContext) await context.close();
  }
  const elapsed = performance.now() - started;
  await browser.close();
  return elapsed;
}

async function main(): Promise<void> {
  const site = await startFixtureSite();
  const urls = installGeneratedSite(site, PAGES);
  const dir = tempProject('sw-bench-');
  const launch: LaunchOptions = { executablePath: testBrowserPath(), args: [], resolve: { '*.test': '127.0.0.1' }, runningAsRoot: RUNNING_AS_ROOT };
  const browser = await launchBrowser(launch);
  const limits = { pageTimeoutMs: TIMEOUT_MS, settleMs: SETTLE_MS, maxScriptsPerPage: 500, maxBodyBytes: 5 * 1024 * 1024 };
  const capturer: Capturer = {
    page: (request) => browser.capture(request, limits),
    resource: (target) => fetchResource(target, { resolve: launch.resolve, timeoutMs: TIMEOUT_MS, maxBodyBytes: limits.maxBodyBytes, userAgent: 'bench' }),
  };
  const configFor = (concurrency: number): Config =>
    parseConfig({
      database: join(dir, 'bench.db'),
      browser: { concurrency, settle: `${SETTLE_MS}ms`, pageTimeout: `${TIMEOUT_MS}ms` },
      targets: urls.map((url, i) => ({ name: `page-${i}`, url })),
    }, join(dir, 'scriptwarden.yml'));
  const store = openStore(join(dir, 'bench.db'));
  const intel = loadIntel({ libraries: [], knownBadHosts: [] });
  const timed = async (concurrency: number) => {
    const config = configFor(concurrency);
    const started = performance.now();
    const run = await runScan({ config, store, capturer, targets: config.targets, intel });
    const elapsed = performance.now() - started;
    const failed = run.targets.filter((t) => t.status !== 'ok');
    if (failed.length) throw new Error(`bench scan failed: ${JSON.stringify(failed[0])}`);
    return { elapsed, run };
  };

  console.log(`scriptwarden scan benchmark: ${PAGES} pages, about 10 scripts each, settle ${SETTLE_MS} ms, Chromium ${await browser.version()}`);
  const bare = await bareLoop(launch, urls, false);
  console.log(`bare puppeteer loop (goto load + same settle), concurrency 1: ${(bare / 1000).toFixed(1)} s, ${(PAGES / (bare / 60_000)).toFixed(0)} pages/min`);
  const bareFresh = await bareLoop(launch, urls, true);
  console.log(`bare puppeteer loop, fresh incognito context per page, concurrency 1: ${(bareFresh / 1000).toFixed(1)} s, ${(PAGES / (bareFresh / 60_000)).toFixed(0)} pages/min`);

  const first = await timed(1);
  console.log(`first scan (records inventory; 2 loads per page to learn volatile values), concurrency 1: ${(first.elapsed / 1000).toFixed(1)} s`);

  const before = dbBytes(store);
  const lastBlob = (rawDb(store).prepare('SELECT COALESCE(MAX(id), 0) AS n FROM blobs').get() as { n: number }).n;
  const rescan = await timed(1);
  const after = dbBytes(store);
  const added = (kind: 'body' | 'meta') =>
    rawDb(store)
      .prepare(
        `SELECT COUNT(*) AS blobs, COALESCE(SUM(size), 0) AS bytes FROM blobs b WHERE b.id > ?
           AND ${kind === 'body' ? '' : 'NOT'} EXISTS (SELECT 1 FROM observations o WHERE o.blob_id = b.id)`,
      )
      .get(lastBlob) as { blobs: number; bytes: number };
  const bodies = added('body');
  const meta = added('meta');
  const observations = rescan.run.targets.reduce((n, t) => n + t.scripts, 0);
  const alerts = rescan.run.alerts.length;
  console.log(`rescan of unchanged pages, concurrency 1: ${(rescan.elapsed / 1000).toFixed(1)} s, ${(PAGES / (rescan.elapsed / 60_000)).toFixed(0)} pages/min, ${alerts} alerts`);
  console.log(`ratio scriptwarden / bare puppeteer (rescan, concurrency 1): ${(rescan.elapsed / bare).toFixed(2)}x (target <= 1.3x)`);
  console.log(`ratio scriptwarden / bare puppeteer (first scan, concurrency 1): ${(first.elapsed / bare).toFixed(2)}x`);
  console.log(`ratio scriptwarden / bare puppeteer with a fresh context per page (rescan): ${(rescan.elapsed / bareFresh).toFixed(2)}x`);
  console.log(`database bytes added by the rescan: ${after - before} for ${observations} script observations = ${((after - before) / observations).toFixed(0)} bytes each (target < 200)`);
  console.log(`script body bytes added by the rescan: ${bodies.bytes} in ${bodies.blobs} blobs (target: 0)`);
  console.log(`metadata bytes added by the rescan: ${meta.bytes} in ${meta.blobs} blobs (destinations or headers that differed)`);
  for (const concurrency of [2, 4]) {
    const { elapsed } = await timed(concurrency);
    console.log(`rescan, concurrency ${concurrency}: ${(elapsed / 1000).toFixed(1)} s, ${(PAGES / (elapsed / 60_000)).toFixed(0)} pages/min`);
  }
  store.close();
  await browser.close();
  await site.close();
}

await main();
