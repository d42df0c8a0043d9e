// Store: a real database (a SQLite file, or PostgreSQL in the store-postgres project); content stored once per SHA-256, atomic scan writes, dedupe and approvals.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { planScan } from '../../src/plan/plan-scan.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { APP, healthyShop, INLINE_A, INLINE_B, LIB, pageCapture, script } from '../fixtures/captures.js';
import { tempProject } from '../fixtures/cli.js';
import { rawSql, testDatabase } from '../fixtures/test-database.js';

const options = { removalThreshold: 2 };
const decision = { by: 'alice', note: 'reviewed', at: '2026-11-22T09:00:00.000Z' };

async function scan(store: Store, capture = healthyShop()) {
  const plan = planScan(capture, await store.scans.readBaseline(capture.target, capture.profile), options);
  return { plan, result: await store.scans.applyPlan(plan) };
}

async function count(store: Store, table: string): Promise<number> {
  return (await rawSql(store).prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).get())!.n;
}

async function fresh(): Promise<Store> {
  return openStore(await testDatabase(join(tempProject('sw-store-'), 'nested')));
}

describe('store', () => {
  it('stores each body once: a rescan of unchanged pages adds no blobs', async () => {
    const store = await fresh();
    await scan(store);
    const blobs = await count(store, 'blobs');
    await scan(store);
    await scan(store);
    assert.equal(await count(store, 'blobs'), blobs);
    // Three scans that saw the same thing: one set of four script observations, pointed at by all three.
    assert.equal(await count(store, 'observation_sets'), 1);
    assert.equal(await count(store, 'set_scripts'), 4);
    assert.equal((await rawSql(store).prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM scans WHERE set_id = (SELECT id FROM observation_sets)').get())!.n, 3);
    await store.close();
  });

  it('writes no row per script for an unchanged rescan: last seen comes from the latest set', async () => {
    const store = await fresh();
    await scan(store);
    const scripts = () => rawSql(store).prepare('SELECT id, last_seen, last_blob, missing_streak FROM scripts ORDER BY id').all();
    const before = await scripts();
    const at = '2026-11-22T12:00:00.000Z';
    await scan(store, healthyShop({ finishedAt: at }));
    assert.deepEqual(await scripts(), before, 'script rows are left as they were');
    assert.equal(await count(store, 'set_scripts'), 4);
    assert.deepEqual((await store.inventory.scripts({})).map((s) => s.lastSeen), [at, at, at, at]);
    await store.close();
  });

  it('writes a scan result all or nothing', async () => {
    const store = await fresh();
    await scan(store);
    const before = { scans: await count(store, 'scans'), sets: await count(store, 'observation_sets'), observations: await count(store, 'set_scripts'), blobs: await count(store, 'blobs') };
    const changed = pageCapture([script({ kind: 'external', url: APP.url, body: 'brand new body' }), LIB, INLINE_A, INLINE_B]);
    const plan = planScan(changed, await store.scans.readBaseline('checkout', 'desktop'), options);
    plan.baselineAdds.push({ subjectType: 'bogus' as never, subjectKey: 'x', value: 'y' });
    await assert.rejects(() => store.scans.applyPlan(plan), /check constraint/i);
    assert.deepEqual({ scans: await count(store, 'scans'), sets: await count(store, 'observation_sets'), observations: await count(store, 'set_scripts'), blobs: await count(store, 'blobs') }, before);
    // The rolled-back scan leaves no gap in the scan ids (PostgreSQL's sequence would), which verify reads as a removal.
    await scan(store, changed);
    const report = await store.scans.verify();
    assert.equal(report.firstBreak, null, report.firstBreak?.reason);
    assert.deepEqual((await rawSql(store).prepare<[], { id: number }>('SELECT id FROM scans ORDER BY id').all()).map((r) => r.id), [1, 2]);
    await store.close();
  });

  it('records a scheduled slot once: a second scan of it is refused and leaves no trace', async () => {
    const store = await fresh();
    const slot = '2026-11-22T09:15:00.000Z';
    const first = await store.scans.applyPlan(planScan(healthyShop(), await store.scans.readBaseline('checkout', 'desktop'), options), undefined, slot);
    const before = { scans: await count(store, 'scans'), alerts: await count(store, 'alerts') };
    const late = pageCapture([script({ kind: 'external', url: APP.url, body: 'window.late = 1;' }), LIB, INLINE_A, INLINE_B]);
    const latePlan = planScan(late, await store.scans.readBaseline('checkout', 'desktop'), options);
    await assert.rejects(
      () => store.scans.applyPlan(latePlan, undefined, slot),
      (error: Error & { code?: string }) => error.code === 'SCAN_DUPLICATE' && error.message.includes(`already recorded, by scan #${first.scanId}`),
    );
    assert.deepEqual({ scans: await count(store, 'scans'), alerts: await count(store, 'alerts') }, before);
    // The same slot of another profile, and the next slot, are recorded.
    await store.scans.applyPlan(planScan(healthyShop({ profile: 'mobile' }), await store.scans.readBaseline('checkout', 'mobile'), options), undefined, slot);
    await store.scans.applyPlan(planScan(healthyShop(), await store.scans.readBaseline('checkout', 'desktop'), options), undefined, '2026-11-22T09:30:00.000Z');
    assert.equal(await count(store, 'scans'), 3);
    assert.equal((await store.scans.verify()).ok, true);
    await store.close();
  });

  it('does not raise again a change approved while the scan that saw it was being judged', async () => {
    const store = await fresh();
    await scan(store);
    await store.alerts.approveAll(decision);
    const changed = pageCapture([script({ kind: 'external', url: APP.url, body: 'window.app = 9;' }), LIB, INLINE_A, INLINE_B], { startedAt: '2026-11-22T10:00:00.000Z', finishedAt: '2026-11-22T10:00:05.000Z' });
    await scan(store, changed);
    const raised = (await store.alerts.list({ status: 'open' }))[0]!;
    // Another worker's scan planned before the approval below, and written after it.
    const stale = planScan({ ...changed, startedAt: '2026-11-22T10:01:00.000Z', finishedAt: '2026-11-22T10:01:05.000Z' }, await store.scans.readBaseline('checkout', 'desktop'), options);
    await store.alerts.decide([raised.id], 'approved', { by: 'bob', note: 'our release', at: '2026-11-22T10:01:02.000Z' });
    const result = await store.scans.applyPlan(stale);
    assert.deepEqual([result.newAlerts.length, result.repeatedAlerts.length], [0, 0]);
    assert.equal((await store.alerts.list({ status: 'all' })).length, 1, 'one alert for the change');
    await store.close();
  });

  it('updates lastSeen of an unapproved change instead of duplicating it', async () => {
    const store = await fresh();
    await scan(store);
    await store.alerts.approveAll(decision);
    const changed = pageCapture([script({ kind: 'external', url: APP.url, body: 'window.app = 2;' }), LIB, INLINE_A, INLINE_B], { finishedAt: '2026-11-22T10:00:00.000Z' });
    const first = (await scan(store, changed)).result;
    assert.equal(first.newAlerts.length, 1);
    const later = { ...changed, finishedAt: '2026-11-22T11:00:00.000Z' };
    const second = (await scan(store, later)).result;
    assert.equal(second.newAlerts.length, 0);
    assert.equal(second.repeatedAlerts.length, 1);
    const alerts = await store.alerts.list({ status: 'all' });
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.firstSeen, '2026-11-22T10:00:00.000Z');
    assert.equal(alerts[0]!.lastSeen, '2026-11-22T11:00:00.000Z');
    await store.close();
  });

  it('approving an alert adds the version to the baseline with who, when and why', async () => {
    const store = await fresh();
    await scan(store);
    await store.alerts.approveAll(decision);
    const changed = pageCapture([script({ kind: 'external', url: APP.url, body: 'window.app = 3;' }), LIB, INLINE_A, INLINE_B]);
    const [alert] = (await scan(store, changed)).result.newAlerts;
    await store.alerts.decide([alert!.id], 'rejected', { by: 'alice', note: 'unknown change', at: '2026-11-22T11:00:00.000Z' });
    await store.alerts.decide([alert!.id], 'approved', { by: 'bob', note: 'release 4.2', at: '2026-11-22T12:00:00.000Z' });
    assert.deepEqual((await store.alerts.decisions(alert!.id)).map((d) => [d.status, d.by, d.note]), [['rejected', 'alice', 'unknown change'], ['approved', 'bob', 'release 4.2']],
      'every decision stays on the record, not only the last');
    assert.deepEqual((await scan(store, changed)).result.newAlerts, []);
    const row = (await store.inventory.scripts({})).find((r) => r.url === APP.url)!;
    assert.equal(row.state, 'approved');
    assert.equal(row.approvedBy, 'bob');
    assert.equal(row.versionNote, 'release 4.2', 'the approval note goes with the version');
    assert.equal(row.justification, decision.note, 'the reason the script exists is carried over to its new version');
    assert.equal(row.bulkApproved, true);
    assert.match(row.sri!, /^sha384-/);
    await assert.rejects(() => store.alerts.decide([9999], 'approved', decision), /no alert with id 9999/);
    await store.close();
  });

  it('keeps the inventory pending until approved, then records the justification', async () => {
    const store = await fresh();
    await scan(store);
    assert.ok((await store.inventory.scripts({})).every((r) => r.state === 'pending'));
    const counts = await store.alerts.approveAll(decision);
    assert.equal(counts.alerts, 0);
    assert.ok(counts.pending > 4);
    const rows = await store.inventory.scripts({ target: 'checkout' });
    assert.equal(rows.length, 4);
    assert.ok(rows.every((r) => r.state === 'approved' && r.approvedBy === 'alice' && r.justification === 'reviewed'));
    await store.close();
  });

  it('reopens an existing database without migrating twice', async () => {
    const dir = tempProject('sw-store-');
    const path = await testDatabase(dir, 'sw.db');
    const a = await openStore(path);
    await scan(a);
    const migrations = await count(a, 'schema_migrations');
    await a.close();
    const b = await openStore(path);
    assert.ok(migrations >= 1);
    assert.equal(await count(b, 'schema_migrations'), migrations);
    assert.equal(await count(b, 'scans'), 1);
    await b.close();
  });
});

describe('store and volatile tokens', () => {
  it('shows a masked observation with the decision of the version it matched', async () => {
    const store = await fresh();
    const tokened = (token: string) => pageCapture([APP, script({ kind: 'inline', body: `window.csrf = "${token}"; init();` })]);
    await scan(store, tokened('q7Zx2Lp9Wm4Rt8Yv3Nb6Kd1F'));
    await store.alerts.approveAll({ by: 'alice', note: 'reviewed', at: '2026-11-22T09:00:00.000Z' });
    const { result } = await scan(store, tokened('Hk3Jd8Ls2Qw9Ez4Rx7Tc5Vb0'));
    assert.deepEqual(result.newAlerts, []);
    const inline = (await store.inventory.scripts({})).find((r) => r.kind === 'inline')!;
    assert.equal(inline.state, 'approved');
    assert.equal(inline.approvedBy, 'alice');
    assert.match(inline.masked ?? '', /volatile tokens masked/);
    await store.close();
  });
});
