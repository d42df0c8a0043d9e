// E2E on PostgreSQL: the database stops for 30 s under a scheduler and a worker. Nothing is lost, nothing is recorded
// twice, and both go on by themselves once it is back.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import { installShop } from '../fixtures/shop.js';
import { runCli, tempProject, writeConfig } from '../fixtures/cli.js';
import { createDatabase, startPostgres, type PostgresCluster } from '../fixtures/postgres-cluster.js';
import { startRole, type ServeProcess } from '../fixtures/serve-process.js';

const TARGETS = 4;
const OUTAGE_MS = 30_000;

describe('a database outage under workers', () => {
  let site: FixtureSite;
  let cluster: PostgresCluster;
  let url: string;
  let dir: string;
  const running: ServeProcess[] = [];
  const query = async <R extends object>(text: string): Promise<R[]> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<R>(text)).rows;
    } finally {
      await client.end();
    }
  };
  const scans = async () => Number((await query<{ n: string }>('SELECT COUNT(*) AS n FROM scans WHERE slot IS NOT NULL'))[0]!.n);

  beforeAll(async () => {
    // A cluster of its own: stopping the shared one would stop every other test of the project.
    cluster = await startPostgres();
    url = await createDatabase(cluster.url);
    site = await startFixtureSite();
    installShop(site);
    dir = tempProject('sw-outage-');
    const path = writeConfig(dir, Array.from({ length: TARGETS }, (_, i) => ({ name: `shop${i}`, url: site.url('shop.test', '/checkout') })),
      ['every: 2s', 'jitter: 0s', 'queue:\n  jobExpiry: 8s', 'canary:\n  enabled: false'].join('\n'));
    writeFileSync(path, readFileSync(path, 'utf8').replace(/^database: .*$/m, `database: ${url}`));
    assert.equal((await runCli(['scan'], { cwd: dir })).code, 0);
  });
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop('SIGKILL')));
    await site?.close();
    cluster?.stop();
  });

  it('loses nothing, records nothing twice, and resumes once PostgreSQL is back', async () => {
    const scheduler = await startRole(dir, ['serve', '--role', 'scheduler'], 'serve.started');
    const worker = await startRole(dir, ['worker'], 'worker.started');
    running.push(scheduler, worker);
    await expect.poll(scans, { timeout: 60_000 }).toBeGreaterThanOrEqual(TARGETS * 2);

    const down = Date.now();
    cluster.pause();
    await scheduler.waitFor((l) => l.event === 'schedule.dispatch_failed', 30_000, 'the scheduler finds the database gone');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, OUTAGE_MS - (Date.now() - down))));
    cluster.resume();
    const before = await scans();
    const trail = () => [scheduler, worker].map((p) => p.logs.slice(-15).map((l) => `${l.event}: ${l.message}`).join('\n')).join('\n---\n');
    await expect.poll(scans, { timeout: 90_000 }).toBeGreaterThanOrEqual(before + TARGETS * 2).catch((error: Error) => {
      throw new Error(`scans did not go on after the outage: ${error.message}\n${trail()}`);
    });
    assert.deepEqual([scheduler.child.exitCode, worker.child.exitCode], [null, null], 'both kept running through the outage');
    for (const p of running) await p.stop('SIGTERM');

    // Nothing recorded twice; every job the queue finished has its slot recorded once; no job given up.
    assert.deepEqual(await query('SELECT target_id, slot FROM scans WHERE slot IS NOT NULL GROUP BY target_id, profile, slot HAVING COUNT(*) > 1'), []);
    const unrecorded = await query<{ slot: string }>(
      `SELECT j.data->>'target' AS target, j.data->>'slot' AS slot FROM pgboss.job j
        WHERE j.state = 'completed' AND NOT EXISTS (SELECT 1 FROM scans s JOIN targets t ON t.id = s.target_id WHERE t.name = j.data->>'target' AND s.slot = j.data->>'slot')`,
    );
    assert.deepEqual(unrecorded, [], 'every finished job recorded its slot');
    assert.deepEqual(await query("SELECT id FROM pgboss.job WHERE state = 'failed'"), [], 'no job given up');
    const verified = await runCli(['verify'], { cwd: dir });
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  });
});
