// Worker benchmark: scans per minute through the shared queue with one and two worker processes, against one `scan`
// process scanning the same pages directly in the same run, and the queue's own cost per job.

import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { CLI, runCli, tempProject } from '../test/fixtures/cli.js';
import { startFixtureSite } from '../test/fixtures/fixture-site.js';
import { createDatabase, startPostgres } from '../test/fixtures/postgres-cluster.js';
import { installGeneratedSite } from './generated-site.js';

const PAGES = Number(process.env.BENCH_PAGES ?? 40);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 60_000);
const JOBS = 500;

const cluster = await startPostgres();
const site = await startFixtureSite();
const children: ChildProcess[] = [];
try {
  const urls = installGeneratedSite(site, PAGES);
  const url = await createDatabase(cluster.url);
  const dir = tempProject('sw-bench-workers-');
  // Every page due every second: more work than the workers can do, so what is measured is their capacity. The
  // generated pages share one host, so politeness (queue.perDomain, 4 by default) is lifted: it would measure itself.
  writeFileSync(join(dir, 'scriptwarden.yml'), [
    `database: ${url}`, 'resolve:', '  "*.test": 127.0.0.1', 'browser:', '  concurrency: 2', '  settle: 300ms',
    'every: 1s', 'jitter: 0s', 'queue:\n  perDomain: 1000', 'canary:\n  enabled: false', 'targets:', ...urls.flatMap((u, i) => [`  - name: page${i}`, `    url: ${u}`]), '',
  ].join('\n'));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const recordedSince = async (since: string) => Number((await client.query<{ n: string }>('SELECT COUNT(*) AS n FROM scans WHERE slot IS NOT NULL AND finished_at >= $1', [since])).rows[0]!.n);

  console.log(`worker benchmark: ${PAGES} pages of about 10 scripts, each due every second (more than the workers can do), browser concurrency 2 per process, 2 cores`);
  // The baseline: one `scan` process over every page (first scans, then an unchanged rescan, timed).
  await runCli(['scan'], { cwd: dir });
  await runCli(['approve', '--all', '--by', 'bench', '--note', 'bench'], { cwd: dir });
  const direct = performance.now();
  await runCli(['scan'], { cwd: dir });
  const directPerMinute = PAGES / ((performance.now() - direct) / 60_000);
  console.log(`  one scan process, directly:      ${directPerMinute.toFixed(0)} pages/min`);

  const start = (args: string[]) => {
    const child = spawn(process.execPath, [CLI, ...args, '--log-format', 'json'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(child);
    return child;
  };
  start(['serve', '--role', 'scheduler']);
  const measure = async (label: string) => {
    // A settling period, then a window of recorded scans.
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    const since = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    const perMinute = (await recordedSince(since)) / (WINDOW_MS / 60_000);
    console.log(`  ${label.padEnd(32)} ${perMinute.toFixed(0)} scans/min (${(perMinute / directPerMinute).toFixed(2)}x the direct scan)`);
  };
  start(['worker']);
  await measure('scheduler + one worker:');
  start(['worker']);
  await measure('scheduler + two workers:');
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('close', resolve)))));

  // The queue alone: send, fetch and complete jobs of the stately policy the scheduler uses, one at a time.
  const boss = new PgBoss({ connectionString: url, schema: 'pgboss', max: 2, schedule: false, supervise: false });
  await boss.start();
  await boss.createQueue('bench_overhead', { name: 'bench_overhead', policy: 'stately' });
  const queued = performance.now();
  for (let i = 0; i < JOBS; i++) {
    await boss.send('bench_overhead', { target: `t${i}`, slot: new Date().toISOString() }, { singletonKey: `t${i}` });
    const [job] = await boss.fetch<object>('bench_overhead');
    await boss.complete('bench_overhead', job!.id);
  }
  const perJob = (performance.now() - queued) / JOBS;
  console.log(`  queue overhead: ${perJob.toFixed(2)} ms per job (send, fetch, complete; ${JOBS} jobs), against ${(60_000 / directPerMinute).toFixed(0)} ms per page scanned`);
  await boss.stop({ graceful: false, wait: true });
  await client.end();
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await site.close();
  cluster.stop();
}
