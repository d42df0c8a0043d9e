// End to end: per-script and grouped authorization from the CLI, bulk approval, fourth parties, and justifications kept across versions.

import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import { parseJson, runCli, tempProject, writeConfig } from '../fixtures/cli.js';
import type { InventoryRow } from '../../src/evidence/inventory-report.js';

const PAGE = (port: number) => `<!doctype html><html><head><title>Pay</title></head><body>
<form action="/pay"><input autocomplete="cc-number" name="card"></form>
<script src="/static/app.js"></script>
<script src="http://tags.test:${port}/gtm.js"></script>
<script>window.checkoutReady = true;</script>
<iframe src="http://psp.test:${port}/frame"></iframe>
</body></html>`;

describe('authorize', () => {
  let site: FixtureSite;
  let dir: string;
  const inventory = async () => parseJson<{ inventory: InventoryRow[] }>(await runCli(['inventory', '--json'], { cwd: dir })).inventory;

  beforeAll(async () => {
    site = await startFixtureSite();
    site.set('merchant.test', '/pay', PAGE(site.port));
    site.set('merchant.test', '/static/app.js', 'window.app = 1;');
    // A tag manager (third party) that loads a pixel of another company: a fourth party.
    site.set('tags.test', '/gtm.js', `(function(){var s=document.createElement('script');s.src='http://pixel.test:${site.port}/p.js';document.head.appendChild(s);})();`);
    site.set('pixel.test', '/p.js', 'window.pixel = 1;');
    site.set('psp.test', '/frame', '<!doctype html><html><body><script src="/sdk.js"></script></body></html>');
    site.set('psp.test', '/sdk.js', 'window.sdk = 1;');
    dir = tempProject('sw-authorize-');
    writeConfig(dir, [{ name: 'pay', url: site.url('merchant.test', '/pay') }], 'canary:\n  enabled: false');
    const scan = await runCli(['scan', '--json'], { cwd: dir });
    assert.equal(scan.code, 0, scan.stderr);
  });
  afterAll(async () => { await site.close(); });

  it('shows where each script comes from: the chain that brought in a fourth party, and scripts inside a third party\'s frame', async () => {
    const rows = await inventory();
    const pixel = rows.find((r) => r.url?.includes('pixel.test'))!;
    assert.equal(pixel.party, 'fourth');
    assert.deepEqual(pixel.chain.map((u) => new URL(u).host.split(':')[0]), ['tags.test'], 'the scripts that brought it in, not the page');
    assert.equal(pixel.runsIn, 'page');
    assert.equal(rows.find((r) => r.url?.includes('tags.test'))!.party, 'third');
    assert.equal(rows.find((r) => r.url?.endsWith('/static/app.js'))!.party, 'first');
    const sdk = rows.find((r) => r.url?.includes('/sdk.js'))!;
    assert.equal(sdk.runsIn, 'third-party frame');
    const text = await runCli(['inventory'], { cwd: dir });
    assert.match(text.stdout, /^ID\s+TARGET/m);
    assert.match(text.stdout, /third \(third-party frame\)/);
  });

  it('authorizes one script by id, and a group by host, each with the justification given, by a named user', async () => {
    const before = await inventory();
    const app = before.find((r) => r.url?.endsWith('/static/app.js'))!;
    assert.equal(app.state, 'pending');
    const one = await runCli(['authorize', String(app.scriptId), '--justification', 'checkout logic (our own code)', '--by', 'alice'], { cwd: dir });
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /Authorized 1 script as alice/);

    const group = await runCli(['authorize', '--host', 'tags.test', '--justification', 'tag manager, contract 2026-14', '--by', 'bob', '--json'], { cwd: dir });
    assert.equal(group.code, 0, group.stderr);
    assert.equal(parseJson<{ authorized: unknown[] }>(group).authorized.length, 1);

    const rows = await inventory();
    const authorizedApp = rows.find((r) => r.scriptId === app.scriptId)!;
    assert.deepEqual([authorizedApp.state, authorizedApp.justification, authorizedApp.authorizedBy, authorizedApp.bulkApproved], ['approved', 'checkout logic (our own code)', 'alice', false]);
    assert.match(authorizedApp.authorizedAt!, /^\d{4}-\d\d-\d\dT/);
    const gtm = rows.find((r) => r.url?.includes('tags.test'))!;
    assert.deepEqual([gtm.justification, gtm.authorizedBy], ['tag manager, contract 2026-14', 'bob']);
    // Others are untouched: still pending, no justification.
    assert.ok(rows.filter((r) => r.scriptId !== app.scriptId && r.scriptId !== gtm.scriptId).every((r) => r.state === 'pending' && r.justification === null));

    const audit = parseJson<{ entries: { action: string; actor: string; note: string | null }[] }>(await runCli(['audit', '--json'], { cwd: dir }));
    assert.ok(audit.entries.some((e) => e.action === 'script.authorized' && e.actor === 'bob' && e.note === 'tag manager, contract 2026-14'), JSON.stringify(audit.entries));
  });

  it('marks what approve --all approves as bulk-approved, keeping the scripts already authorized on their own', async () => {
    const done = await runCli(['approve', '--all', '--note', 'first baseline reviewed', '--by', 'carol'], { cwd: dir });
    assert.equal(done.code, 0, done.stderr);
    const rows = await inventory();
    const app = rows.find((r) => r.url?.endsWith('/static/app.js'))!;
    assert.deepEqual([app.justification, app.bulkApproved], ['checkout logic (our own code)', false]);
    const pixel = rows.find((r) => r.url?.includes('pixel.test'))!;
    assert.deepEqual([pixel.state, pixel.justification, pixel.authorizedBy, pixel.bulkApproved], ['approved', 'first baseline reviewed', 'carol', true]);
    assert.match((await runCli(['inventory'], { cwd: dir })).stdout, /\(bulk\) first baseline reviewed/);
  });

  it('keeps a script\'s justification when a new version of it is approved; the approval note goes with the version', async () => {
    site.set('merchant.test', '/static/app.js', 'window.app = 2; // release 2');
    const scan = await runCli(['scan', '--json'], { cwd: dir });
    const alerts = parseJson<{ alerts: { id: number; type: string; subject: string }[] }>(scan).alerts;
    const changed = alerts.find((a) => a.type === 'script.changed' && a.subject.endsWith('/static/app.js'));
    assert.ok(changed, JSON.stringify(alerts));
    assert.equal((await runCli(['approve', String(changed.id), '--note', 'release 2 of our checkout', '--by', 'alice'], { cwd: dir })).code, 0);
    const app = (await inventory()).find((r) => r.url?.endsWith('/static/app.js'))!;
    assert.deepEqual([app.state, app.justification, app.versionNote, app.approvedBy], ['approved', 'checkout logic (our own code)', 'release 2 of our checkout', 'alice']);
  });

  it('refuses an authorization without a justification, with unknown ids, with ids and a group at once, or matching nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['authorize', '1'], /give --justification/],
      [['authorize', '1', '--justification', '   '], /give --justification/],
      [['authorize', '999999', '--justification', 'x'], /no script with id 999999/],
      [['authorize', '1', '--host', 'tags.test', '--justification', 'x'], /either script ids or/],
      [['authorize', '--justification', 'x'], /give script ids, or choose/],
      [['authorize', '--host', 'nowhere.test', '--justification', 'x'], /no script in the inventory matches host nowhere\.test/],
      [['authorize', '--kind', 'banana', '--justification', 'x'], /--kind must be one of/],
      [['authorize', 'abc', '--justification', 'x'], /"abc" is not a script id/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args, { cwd: dir });
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    }
  });
});
