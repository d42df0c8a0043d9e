// E2E on PostgreSQL: workers of two regions (each through its own exit) scan the pages, each only its vantage; a
// skimmer served to one region is flagged once both vantages of the slot reported; a region that cannot reach a site
// is reported unhealthy though the other succeeds; politeness holds per domain.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import { startExitProxy, type ExitProxy } from '../fixtures/exit-proxy.js';
import { runCli, tempProject } from '../fixtures/cli.js';
import { startHttpReceiver, type HttpReceiver } from '../fixtures/receivers.js';
import { configDatabase, rowsOf } from '../fixtures/test-database.js';
import { startRole, type ServeProcess } from '../fixtures/serve-process.js';

describe('workers of several vantages', () => {
  let site: FixtureSite;
  let eu: ExitProxy;
  let us: ExitProxy;
  let hook: HttpReceiver;
  let dir: string;
  let planted = false;
  const running: ServeProcess[] = [];
  const start = async (args: string[], ready: string) => {
    const started = await startRole(dir, args, ready);
    running.push(started);
    return started;
  };
  const rows = <R>(sql: string, ...params: (string | number)[]) => rowsOf<R>(dir, sql, ...params);

  beforeAll(async () => {
    site = await startFixtureSite();
    site.set('geo.test', '/', '<!doctype html><html><head><script src="/app.js"></script></head><body>shop</body></html>');
    site.set('geo.test', '/app.js', { body: '', render: ({ headers }) => `window.app = 1;${planted && headers['x-exit'] === 'eu' ? "\nnew Image().src = '/p?c=' + btoa(document.cookie);" : ''}` });
    for (let i = 0; i < 3; i++) site.set('polite.test', `/p${i}`, { body: '<!doctype html><html><head><script src="/a.js"></script></head><body>p</body></html>', delayMs: 400 });
    site.set('polite.test', '/a.js', 'window.a = 1;');
    site.set('blocked.test', '/', '<!doctype html><html><body>no scripts</body></html>');
    // The eu-west exit cannot reach one site: that vantage fails, the other goes on succeeding.
    eu = await startExitProxy(site.port, { exit: 'eu', refuse: (url) => url.includes('blocked.test') });
    us = await startExitProxy(site.port, { exit: 'us' });
    hook = await startHttpReceiver();
    dir = tempProject('sw-vworkers-');
    writeFileSync(join(dir, 'scriptwarden.yml'), `database: ${configDatabase(dir)}
every: 3s
jitter: 0s
retries: 0
unhealthyAfter: 2
canary:
  enabled: false
browser:
  settle: 200ms
  concurrency: 3
queue:
  jobExpiry: 20s
  perDomain: 2
vantages:
  - name: eu-west
    proxy: ${eu.url}
  - name: us-east
    proxy: ${us.url}
notify:
  - type: webhook
    url: ${hook.url}/hook
    minSeverity: low
targets:
  - name: geo
    url: ${site.url('geo.test', '/')}
  - name: blocked
    url: ${site.url('blocked.test', '/')}
${[0, 1, 2].map((i) => `  - name: polite${i}\n    url: ${site.url('polite.test', `/p${i}`)}\n    vantages: [eu-west]`).join('\n')}
`);
  });
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop('SIGKILL')));
    await Promise.all([eu?.close(), us?.close(), hook?.close()]);
    await site?.close();
  });

  it('refuses a vantage the config does not have', async () => {
    const result = await runCli(['worker', '--vantage', 'ap-south'], { cwd: dir });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /--vantage ap-south: the config's vantages are eu-west, us-east/);
  });

  it('scans each vantage by its own workers, compares the vantages of a slot once, and stays polite', async () => {
    await start(['serve', '--role', 'scheduler'], 'serve.started');
    const web = await start(['serve', '--role', 'web', '--port', '0'], 'serve.started');
    const west = await start(['worker', '--vantage', 'eu-west'], 'worker.started');
    const east = await start(['worker', '--vantage', 'us-east'], 'worker.started');
    const geoScans = (w: ServeProcess) => w.logs.filter((l) => l.event === 'scan.finished' && l.target === 'geo');
    await expect.poll(() => Math.min(geoScans(west).length, geoScans(east).length), { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
    assert.deepEqual([...new Set(west.logs.filter((l) => l.event === 'scan.finished').map((l) => l.profile))], ['desktop@eu-west']);
    assert.deepEqual([...new Set(east.logs.filter((l) => l.event === 'scan.finished').map((l) => l.profile))], ['desktop@us-east']);

    planted = true;
    // Whichever worker records the slot's last vantage compares them.
    const cloakingLog = () => [...west.logs, ...east.logs].find((l) => l.event === 'alert.cloaking');
    await expect.poll(() => cloakingLog() !== undefined, { timeout: 45_000 }).toBe(true);
    const flagged = cloakingLog()!;
    const [alert] = await rows<{ id: number; profile: string; details: string }>('SELECT id, profile, details FROM alerts WHERE id = ?', Number(flagged.alertId));
    // The eu-west worker raised it; the note was written by whichever worker reported the slot last.
    assert.equal(alert!.profile, 'desktop@eu-west');
    assert.match(String((JSON.parse(alert!.details) as { cloaking: string }).cloaking), /^possible cloaking: only the eu-west vantage is served this \(desktop\); us-east did not see it in the same scheduled slot$/);
    assert.equal((await rows('SELECT id FROM alerts WHERE profile = ? AND type <> ?', 'desktop@us-east', 'target.unhealthy')).length, 0, 'us-east raised nothing');
    await expect.poll(() => hook.received.filter((r) => r.body.includes('"event":"alert.updated"') && r.body.includes(`"id":${alert!.id},`)).length, { timeout: 20_000 }).toBe(1);

    // One vantage failing in a row is counted for that vantage, though the other succeeds in between, and opens its
    // own alert (or, on a machine too busy to keep up, its overdue one: one open alert per target and vantage).
    const runs = async () => (await rows<{ vantage: string; n: number }>("SELECT vantage, consecutive_failures AS n FROM vantage_runs WHERE target = 'blocked' ORDER BY vantage"))
      .map((r) => `${r.vantage} ${Number(r.n) >= 2 ? 'failing' : Number(r.n)}`);
    await expect.poll(runs, { timeout: 30_000 }).toEqual(['eu-west failing', 'us-east 0']);
    const blockedAlerts = () => rows<{ dedupe_key: string; summary: string; status: string }>(
      "SELECT a.dedupe_key, a.summary, a.status FROM alerts a JOIN targets t ON t.id = a.target_id WHERE t.name = 'blocked' AND a.type = 'target.unhealthy'");
    await expect.poll(async () => (await blockedAlerts()).filter((a) => a.status === 'open').map((a) => a.dedupe_key), { timeout: 30_000 }).toContain('target.unhealthy@eu-west');
    const unhealthy = await blockedAlerts();
    assert.match(unhealthy.find((a) => a.dedupe_key === 'target.unhealthy@eu-west')!.summary, /^blocked (failed \d+ scheduled scans from eu-west in a row: desktop@eu-west: |is overdue from eu-west: )/);
    assert.deepEqual(unhealthy.filter((a) => a.dedupe_key !== 'target.unhealthy@eu-west' && !/ is overdue from us-east: /.test(a.summary)), [], 'us-east is never failing');
    const metrics = await (await fetch(`${web.url}metrics`)).text();
    for (const v of ['eu-west', 'us-east']) assert.match(metrics, new RegExp(`^scriptwarden_queue_depth\\{vantage="${v}"\\} \\d+$`, 'm'));
    type Health = { role: string; status: string; targets: { target: string; healthy: boolean; vantages: { vantage: string; healthy: boolean }[] }[]; queue: { vantage: string }[] };
    const health = await (await fetch(`${web.url}healthz`)).json() as Health;
    assert.equal(health.role, 'web');
    assert.deepEqual(health.targets.map((t) => t.target).sort(), ['blocked', 'geo', 'polite0', 'polite1', 'polite2']);
    const blocked = health.targets.find((t) => t.target === 'blocked')!;
    assert.equal(health.status, 'degraded');
    assert.deepEqual([blocked.healthy, blocked.vantages.map((v) => `${v.vantage} ${v.healthy}`)], [false, ['eu-west false', 'us-east true']]);
    assert.deepEqual(health.queue.map((q) => q.vantage), ['eu-west', 'us-east']);
    for (const p of running) await p.stop('SIGTERM');

    assert.equal((await rows('SELECT 1 FROM scans WHERE slot IS NOT NULL GROUP BY target_id, profile, slot HAVING COUNT(*) > 1')).length, 0, 'no slot recorded twice');
    // One check per slot both vantages reported; none for a slot only one did.
    const both = await rows<{ slot: string }>("SELECT s.slot FROM scans s JOIN targets t ON t.id = s.target_id WHERE t.name = 'geo' GROUP BY s.slot HAVING COUNT(*) = 2");
    const checks = await rows<{ slot: string }>("SELECT c.slot FROM slot_checks c JOIN targets t ON t.id = c.target_id WHERE t.name = 'geo'");
    assert.deepEqual(checks.map((c) => c.slot).sort(), both.map((b) => b.slot).sort());
    // Politeness: at most two scans of polite.test at once (they take 400 ms each and the worker runs three at a time).
    const spans = await rows<{ started_at: string; finished_at: string }>("SELECT s.started_at, s.finished_at FROM scans s JOIN targets t ON t.id = s.target_id WHERE t.name LIKE 'polite%'");
    assert.ok(spans.length >= 6, `polite pages scanned (${spans.length})`);
    const edges = spans.flatMap((s) => [[Date.parse(s.started_at), 1], [Date.parse(s.finished_at), -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let now = 0;
    let most = 0;
    for (const [, step] of edges) most = Math.max(most, (now += step));
    assert.ok(most <= 2, `at most 2 polite.test scans at once, saw ${most}`);
    const verified = await runCli(['verify'], { cwd: dir });
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  });
});
