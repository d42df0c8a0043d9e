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

const dir = tempProject('sw-report-bench-');
writeFileSync(join(dir, 'scriptwarden.yml'), ['database: ./scriptwarden.db', 'targets:', ...Array.from({ length: TARGETS }, (_, i) => `  - name: shop${i}\n    url: https://shop${i}.example/checkout`), ''].join('\n'));
const store = await openStore(join(dir, 'scriptwarden.db'));
const keys: string[] = [];
for (let i = 0; i < TARGETS; i++) keys.push(await reportKeyOf(store.database, `shop${i}`, new Date().toISOString()));
await store.close();
const serve = await startServe(dir, {}, ['--no-schedule', '--host', '127.0.0.1']);
const collector = await startRole(dir, ['serve', '--role', 'collector', '--port', '0', '--host', '127.0.0.1'], 'serve.started');

/** Floods `base` from a second process while the dashboard of `serve` is timed; prints both. */
async function measure(label: string, base: string): Promise<void> {
  const idle = await timeRequests(`${serve.url}alerts`, 200);
  const flood = promisify(execFile)(process.execPath, [fileURLToPath(new URL('./report-flood.js', import.meta.url)), base, JSON.stringify(keys), String(FLOOD_MS), String(CONCURRENCY)], { maxBuffer: 1 << 20 });
  // The dashboard is measured while the flood runs (it starts a moment later).
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const busy = await timeRequests(`${serve.url}alerts`, 200);
  const result = JSON.parse((await flood).stdout) as { requests: number; reports: number; seconds: number; statuses: Record<string, number>; p50: number; p99: number };
  console.log(`${label}: ${CONCURRENCY} connections from a second process for ${result.seconds.toFixed(1)} s, ${TARGETS} keys, 10 reports a request`);
  console.log(`  ${result.requests} requests (${Object.entries(result.statuses).map(([s, n]) => `${n}× ${s}`).join(', ')}), ${Math.round(result.reports / result.seconds)} reports/s accepted, request p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms (target p99 < 50 ms)`);
  console.log(`  dashboard /alerts p95: ${idle.p95.toFixed(1)} ms idle, ${busy.p95.toFixed(1)} ms during the flood (target: unchanged, within 1.5× or 10 ms)`);
}

try {
  // Each key's minute of reports is spent by the first flood: the second waits for the next minute.
  await measure('collector in the serve process', serve.url);
  await new Promise((resolve) => setTimeout(resolve, 61_000 - FLOOD_MS));
  await measure('collector as its own role (serve --role collector)', collector.url);
} finally {
  await collector.stop();
  await serve.stop();
}
