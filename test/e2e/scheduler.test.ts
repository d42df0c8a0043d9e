// E2E: the schedule continues from the database after a restart without catch-up bursts; a failing target raises
// one target.unhealthy alert after retries, routed to a health channel, and it resolves itself on recovery.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import { tempProject, writeConfig } from '../fixtures/cli.js';
import { startHttpReceiver, type HttpReceiver } from '../fixtures/receivers.js';
import { databaseOf, plainSql, TEST_DIALECT } from '../fixtures/test-database.js';
import { startServe, type ServeProcess } from '../fixtures/serve-process.js';

/**
 * Resolves once serve's scheduler has looked at the schedule at or after `when` (its /healthz lastTickAt): a window
 * in which something must not happen is measured in the scheduler's own ticks, not in seconds of a busy machine.
 */
async function tickedAfter(serve: ServeProcess, when: number): Promise<void> {
  await expect.poll(async () => {
    const health = await (await fetch(`${serve.url}healthz`)).json() as { scheduler: { lastTickAt: string | null } };
    return Date.parse(health.scheduler.lastTickAt ?? '') || 0;
  }, { timeout: 30_000 }).toBeGreaterThanOrEqual(when);
}

describe('scheduler', () => {
  let site: FixtureSite;
  let hook: HttpReceiver;
  afterAll(async () => {
    await site?.close();
    await hook?.close();
  });

  it('continues the schedule from the database after a restart, with one run for missed ones', async () => {
    site = await startFixtureSite();
    site.set('shop.test', '/', '<html><body><script>var plain = 1;</script></body></html>');
    const dir = tempProject();
    writeConfig(dir, [{ name: 'home', url: site.url('shop.test', '/') }], 'every: 1h\njitter: 0s');
    const db = () => plainSql(databaseOf(dir));

    let serve = await startServe(dir);
    await serve.waitFor((l) => l.event === 'scan.finished', 30_000, 'the first scan (no schedule stored yet)');
    assert.equal(await serve.stop(), 0);
    const reader = db();
    const stored = (await reader.prepare<[], { next: string }>("SELECT next_run_at AS next FROM schedule WHERE target = 'home'").get())!;
    await reader.close();
    const ahead = Date.parse(stored.next) - Date.now();
    assert.ok(ahead > 3_500_000 && ahead <= 3_600_000, `next run about an hour ahead (${ahead} ms)`);

    serve = await startServe(dir);
    const planned = await serve.waitFor((l) => l.event === 'schedule.target', 5000, 'the schedule line');
    assert.equal(planned.nextRunAt, stored.next, 'the restart keeps the stored time');
    // Several ticks of the running scheduler, each of which would have started a scan that was due.
    await tickedAfter(serve, Date.now() + 1000);
    assert.equal(serve.logs.filter((l) => l.event === 'scan.started').length, 0, 'no scan before its time');
    assert.equal(await serve.stop(), 0);

    // Down for five intervals: one scan, not five.
    const handle = db();
    await handle.prepare("UPDATE schedule SET next_run_at = ? WHERE target = 'home'").run(new Date(Date.now() - 5 * 3_600_000).toISOString());
    const scansBefore = (await handle.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM scans').get())!.n;
    await handle.close();
    serve = await startServe(dir);
    await serve.waitFor((l) => l.event === 'schedule.next', 30_000, 'the catch-up scan to finish');
    // Ticks after the next run was set: a second missed interval would have started a scan in them.
    await tickedAfter(serve, Date.now() + 1000);
    assert.equal(serve.logs.filter((l) => l.event === 'scan.started').length, 1, 'exactly one catch-up scan');
    assert.equal(await serve.stop(), 0);
    const after = db();
    assert.equal((await after.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM scans').get())!.n, scansBefore + 1);
    const next = (await after.prepare<[], { next: string }>("SELECT next_run_at AS next FROM schedule WHERE target = 'home'").get())!.next;
    assert.ok(Date.parse(next) - Date.now() > 3_500_000, 'and the next one an interval later');
    await after.close();
  });

  it('skips a target an admin paused, shows it in /healthz, /metrics and the audit log, and scans again on resume', async () => {
    site.set('sdk.test', '/sdk.js', 'window.sdk = 1;');
    const dir = tempProject();
    writeConfig(dir, [{ name: 'sdk', url: site.url('sdk.test', '/sdk.js'), type: 'resource' }], 'every: 1s\njitter: 0s');
    const serve = await startServe(dir);
    try {
      await serve.waitFor((l) => l.event === 'scan.finished', 20_000, 'a first scan');
      const post = (path: string) => fetch(`${serve.url}${path}`, { method: 'POST', redirect: 'manual' });
      assert.equal((await post('admin/targets/sdk/pause')).status, 200);
      assert.equal((await post('admin/targets/nope/pause')).status, 404);
      // A scan that started before the pause may still finish; then the target falls due (every 1s) while paused.
      await expect.poll(async () => ((await (await fetch(`${serve.url}healthz`)).json()) as { targets: { running: boolean }[] }).targets[0]!.running, { timeout: 20_000 }).toBe(false);
      const startedWhilePaused = serve.logs.filter((l) => l.event === 'scan.started').length;
      const due = Date.parse(((await (await fetch(`${serve.url}healthz`)).json()) as { targets: { nextRunAt: string }[] }).targets[0]!.nextRunAt);
      await tickedAfter(serve, due + 1000);
      assert.equal(serve.logs.filter((l) => l.event === 'scan.started').length, startedWhilePaused, 'no scan while paused, though it fell due');
      const health = await (await fetch(`${serve.url}healthz`)).json() as { targets: { target: string; paused: boolean }[] };
      assert.deepEqual(health.targets.map((t) => [t.target, t.paused]), [['sdk', true]]);
      assert.match(await (await fetch(`${serve.url}metrics`)).text(), /^scriptwarden_target_paused\{target="sdk"\} 1$/m);
      assert.match(await (await fetch(serve.url)).text(), /Scheduled scans are paused/);
      assert.equal((await post('admin/targets/sdk/resume')).status, 200);
      await serve.waitFor(() => serve.logs.filter((l) => l.event === 'scan.started').length > startedWhilePaused, 5000, 'a scan soon after resuming');
    } finally {
      assert.equal(await serve.stop(), 0);
    }
    const db = plainSql(databaseOf(dir));
    const audit = await db.prepare("SELECT action, object_id AS object FROM audit_log WHERE object_type = 'target' ORDER BY id").all();
    assert.deepEqual(audit, [{ action: 'target.paused', object: 'sdk' }, { action: 'target.resumed', object: 'sdk' }]);
    await db.close();
  });

  it('abandons a scan still running after --stop-timeout on SIGTERM, records nothing for it, and exits 0', async () => {
    site.set('slow.test', '/', '<html><body><script src="/slow.js"></script></body></html>');
    site.set('slow.test', '/slow.js', { body: 'var slow = 1;', delayMs: 20_000 });
    const dir = tempProject();
    // serve's own browser: closing it at shutdown is what ends the abandoned load at once.
    writeConfig(dir, [{ name: 'slow', url: site.url('slow.test', '/') }], 'every: 1h\njitter: 0s', '30s', { ownBrowser: true });
    const serve = await startServe(dir, {}, ['--stop-timeout', '1s']);
    await serve.waitFor((l) => l.event === 'scan.started', 10_000, 'the scan to start');
    // The page is loading: the browser has asked for the script that takes 20 s.
    await expect.poll(() => site.hits.some((h) => h.startsWith('slow.test /slow.js')), { timeout: 10_000 }).toBe(true);
    const asked = Date.now();
    assert.equal(await serve.stop('SIGTERM'), 0, serve.stderr());
    assert.ok(Date.now() - asked < 10_000, `stopped in ${Date.now() - asked} ms`);
    assert.ok(serve.logs.some((l) => l.event === 'serve.abandoned' && l.abandoned === 1));
    assert.ok(serve.logs.some((l) => l.event === 'serve.stopped'));
    const db = plainSql(databaseOf(dir));
    assert.equal((await db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM scans').get())!.n, 0, 'an abandoned scan is not a failed scan');
    if (TEST_DIALECT === 'sqlite') assert.equal((await db.prepare<[], { integrity_check: string }>('PRAGMA integrity_check').get())!.integrity_check, 'ok');
    await db.close();
  });

  it('raises one target.unhealthy alert after retries, and resolves it when the target recovers', async () => {
    hook = await startHttpReceiver();
    site.set('down.test', '/', { body: 'maintenance', status: 503 });
    const dir = tempProject();
    writeConfig(dir, [{ name: 'status', url: site.url('down.test', '/') }], [
      'every: 1s', 'jitter: 0s', 'retries: 1', 'retryDelay: 100ms', 'unhealthyAfter: 2',
      'notify:',
      `  - type: webhook\n    url: ${hook.url}/health\n    events: [health]`,
      `  - type: webhook\n    url: ${hook.url}/changes\n    events: [change]`,
    ].join('\n'));
    const serve = await startServe(dir);
    try {
      await serve.waitFor((l) => l.event === 'scan.retry', 20_000, 'a retried load');
      const opened = await serve.waitFor((l) => l.event === 'alert.opened', 30_000, 'target.unhealthy');
      assert.match(opened.message, /target\.unhealthy on status/);
      // More failing scans: still one alert.
      const failed = serve.logs.filter((l) => l.event === 'scan.failed').length;
      await serve.waitFor(() => serve.logs.filter((l) => l.event === 'scan.failed').length >= failed + 2, 20_000, 'two more failures');
      assert.equal(serve.logs.filter((l) => l.event === 'alert.opened').length, 1, 'one alert while the target stays down');
      const health = await (await fetch(`${serve.url}healthz`)).json() as { status: string; targets: { healthy: boolean; consecutiveFailures: number; lastError: string }[] };
      assert.equal(health.status, 'degraded');
      assert.equal(health.targets[0]!.healthy, false);
      assert.match(health.targets[0]!.lastError, /503/);

      site.set('down.test', '/', '<html><body><script>var back = 1;</script></body></html>');
      await serve.waitFor((l) => l.event === 'alert.resolved', 20_000, 'the alert to resolve itself');
      await expect.poll(() => hook.received.filter((r) => r.path === '/health').length, { timeout: 30_000, interval: 100 }).toBeGreaterThanOrEqual(2);
      const events = hook.received.filter((r) => r.path === '/health').map((r) => JSON.parse(r.body) as { event: string; alert: { type: string; status: string } });
      assert.deepEqual(events.map((e) => `${e.event} ${e.alert.type} ${e.alert.status}`), ['alert.opened target.unhealthy open', 'alert.resolved target.unhealthy resolved']);
      assert.equal(hook.received.filter((r) => r.path === '/changes').length, 0, 'health alerts go only to the health channel');
      const metrics = await (await fetch(`${serve.url}metrics`)).text();
      assert.match(metrics, /^scriptwarden_scan_failures_total\{target="status"\} [2-9]/m);
    } finally {
      assert.equal(await serve.stop(), 0);
    }
    const verify = plainSql(databaseOf(dir));
    const row = await verify.prepare("SELECT status, decided_by FROM alerts WHERE type = 'target.unhealthy'").get();
    assert.deepEqual(row, { status: 'resolved', decided_by: 'scriptwarden' });
    await verify.close();
  });
});
