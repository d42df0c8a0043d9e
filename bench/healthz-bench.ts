// /healthz latency of a real `scriptwarden serve` while its scheduler runs 4 scans at a time, against its idle latency.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFixtureSite } from '../test/fixtures/fixture-site.js';
import { tempProject } from '../test/fixtures/cli.js';
import { startServe } from '../test/fixtures/serve-process.js';
import { installGeneratedSite } from './generated-site.js';
import { summarize } from './latency.js';

const PAGES = 40;
const WINDOW_MS = Number(process.env.BENCH_HEALTHZ_MS ?? 20_000);

const site = await startFixtureSite();
const urls = installGeneratedSite(site, PAGES);
const dir = tempProject('sw-healthz-');
writeFileSync(join(dir, 'scriptwarden.yml'), [
  'database: ./scriptwarden.db',
  'resolve:',
  '  "*.test": 127.0.0.1',
  'every: 5s',
  'jitter: 0s',
  'browser:',
  '  concurrency: 4',
  '  settle: 200ms',
  '  pageTimeout: 30s',
  'targets:',
  ...urls.flatMap((url, i) => [`  - name: page-${i}`, `    url: ${url}`]),
  '',
].join('\n'));
const serve = await startServe(dir, {}, ['--host', '127.0.0.1']);

/** Sequential requests for `ms`; each one's time, and how many scans ran at once when it was sent. */
async function poll(ms: number): Promise<{ times: number[]; running: number[] }> {
  const times: number[] = [];
  const running: number[] = [];
  const until = performance.now() + ms;
  while (performance.now() < until) {
    const started = performance.now();
    const response = await fetch(`${serve.url}healthz`);
    await response.text();
    times.push(performance.now() - started);
    running.push(serve.logs.filter((l) => l.event === 'scan.started').length - serve.logs.filter((l) => l.event === 'scan.finished').length);
  }
  return { times, running };
}

try {
  // The first scans establish every page's baseline; the bench measures the rescans after them.
  await serve.waitFor(() => serve.logs.filter((l) => l.event === 'scan.finished').length >= PAGES, 300_000, 'every page scanned once');
  const finishedBefore = serve.logs.filter((l) => l.event === 'scan.finished').length;
  const busy = await poll(WINDOW_MS);
  const finished = serve.logs.filter((l) => l.event === 'scan.finished').length - finishedBefore;
  const during = busy.times.filter((_, i) => busy.running[i]! >= 4);
  const all = summarize(busy.times);
  const atFour = summarize(during);
  console.log(`/healthz of serve while its scheduler scans ${PAGES} pages every 5 s at concurrency 4 (${(WINDOW_MS / 1000).toFixed(0)} s, ${finished} scans finished)`);
  console.log(`  all ${busy.times.length} requests: median ${all.median.toFixed(1)} ms, p95 ${all.p95.toFixed(1)} ms, p99 ${all.p99.toFixed(1)} ms`);
  console.log(`  the ${during.length} sent while 4 scans ran: median ${atFour.median.toFixed(1)} ms, p99 ${atFour.p99.toFixed(1)} ms (target p99 < 100 ms)`);
} finally {
  await serve.stop();
  await site.close();
}
