// The CSP report collector under a flood from a second process: sustained reports per second with their p99
// latency, and the dashboard's p95 before and during the flood, with the collector in serve and as its own role.

import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempProject } from '../test/fixtures/cli.js';
import { startRole, startServe } from '../test/fixtures/serve-process.js';
import { openStore } from '../src/store/open-store.js';
import { reportKeyOf } from '../src/store/visitor-reports.js';
import { timeRequests } from './latency.js';

const TARGETS = 200;
const FLOOD_MS = Number(process.env.BENCH_REPORTS_MS ?? 15_000);
const CONCURRENCY = 16;

/** A project of TARGETS targets with their report keys, and `serve` on it (with the collector role beside it, if asked). */
async function project(withRole: boolean) {
  const dir = tempProject('sw-report-bench-');
  writeFileSync(join(dir, 'scriptwarden.yml'), ['database: ./scriptwarden.db', 'targets:', ...Array.from({ length: TARGETS }, (_, i) => `  - name: shop${i}\n    url: https://shop${i}.example/checkout`), ''].join('\n'));
  const store = await openStore(join(dir, 'scriptwarden.db'));
  const keys: string[] = [];
  for (let i = 0; i < TARGETS; i++) keys.push(await reportKeyOf(store.database, `shop${i}`, new Date().toISOString()));
  await store.close();
  const serve = await startServe(dir, {}, ['--no-schedule', '--host', '127.0.0.1']);
  const collector = withRole ? await startRole(dir, ['serve', '--role', 'collector', '--port', '0', '--host', '127.0.0.1'], 'serve.started') : null;
  return { keys, serve, collector, stop: async () => { await collector?.stop(); await serve.stop(); } };
}

/**
 * Floods the collector from a second process while the dashboard of `serve` is timed; prints both. `niceLoad` runs the
 * load at the lowest priority: it stands for browsers elsewhere on the internet, whose CPU is not this machine's.
 */
async function measure(label: string, withRole: boolean, niceLoad: boolean): Promise<void> {
  const { keys, serve, collector, stop } = await project(withRole);
  try {
    const base = collector?.url ?? serve.url;
    const idle = await timeRequests(`${serve.url}alerts`, 200);
    const flood = promisify(execFile)(process.execPath, [fileURLToPath(new URL('./report-flood.js', import.meta.url)), base, JSON.stringify(keys), String(FLOOD_MS), String(CONCURRENCY), niceLoad ? 'nice' : 'normal'], { maxBuffer: 1 << 20 });
    // The dashboard is measured while the flood runs (it starts a moment later).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const busy = await timeRequests(`${serve.url}alerts`, 200);
    const result = JSON.parse((await flood).stdout) as { requests: number; reports: number; seconds: number; statuses: Record<string, number>; p50: number; p99: number };
    console.log(`${label}: ${CONCURRENCY} connections from a second process${niceLoad ? ' (at the lowest priority)' : ''} for ${result.seconds.toFixed(1)} s, ${TARGETS} keys, 10 reports a request`);
    console.log(`  ${result.requests} requests (${Object.entries(result.statuses).map(([s, n]) => `${n}× ${s}`).join(', ')}), ${Math.round(result.reports / result.seconds)} reports/s accepted, ${Math.round(result.requests / result.seconds)} requests/s answered, request p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms (target p99 < 50 ms)`);
    // The flood raises alerts (capped per target and hour), so the page has more to show after it: the dashboard is
    // timed again once the collector is idle, and the flood is compared with the slower of the two idle figures.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const after = await timeRequests(`${serve.url}alerts`, 200);
    const calm = Math.max(idle.p95, after.p95);
    const unchanged = busy.p95 <= Math.max(calm * 1.5, calm + 10);
    console.log(`  dashboard /alerts p95: ${idle.p95.toFixed(1)} ms before, ${busy.p95.toFixed(1)} ms during the flood, ${after.p95.toFixed(1)} ms after it with its alerts (target: unchanged, within 1.5× or 10 ms of idle: ${unchanged ? 'met' : 'not met'})`);
  } finally {
    await stop();
  }
}

// Each measurement has a project of its own: the alerts one flood raises never slow the next one's dashboard.
await measure('collector in the serve process', false, true);
await measure('collector as its own role (serve --role collector)', true, true);
await measure('collector as its own role, the load at normal priority (it then takes a core from the dashboard)', true, false);
