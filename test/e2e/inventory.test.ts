// End to end: a JSON config, the pending-then-approved inventory, and its CSV and JSON exports.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import { installShop } from '../fixtures/shop.js';
import { parseJson, runCli, tempProject } from '../fixtures/cli.js';
import type { InventoryRow } from '../../src/evidence/inventory-report.js';

describe('inventory', () => {
  let site: FixtureSite;
  let dir: string;
  beforeAll(async () => {
    site = await startFixtureSite();
    installShop(site);
    dir = tempProject();
    writeFileSync(join(dir, 'scriptwarden.json'), JSON.stringify({
      database: 'data/sw.db',
      resolve: { '*.test': '127.0.0.1' },
      browser: { pageTimeout: '8s', settle: '300ms' },
      targets: [{ name: 'checkout', url: site.url('shop.test', '/checkout') }],
    }));
  });
  afterAll(async () => { await site.close(); });

  it('is pending after the first scan and carries who approved it and why afterwards', async () => {
    const scan = await runCli(['scan', '--json'], { cwd: dir });
    assert.equal(scan.code, 0, scan.stderr);
    const pending = parseJson<{ inventory: InventoryRow[] }>(await runCli(['inventory', '--json'], { cwd: dir })).inventory;
    assert.ok(pending.length >= 7);
    assert.ok(pending.every((r) => r.state === 'pending' && r.approvedBy === null));

    assert.equal((await runCli(['approve', '--all', '--note', 'initial inventory reviewed', '--by', 'alice'], { cwd: dir })).code, 0);
    const rows = parseJson<{ inventory: InventoryRow[] }>(await runCli(['inventory', '--json', '--target', 'checkout'], { cwd: dir })).inventory;
    const app = rows.find((r) => r.url?.endsWith('/static/app.js'))!;
    assert.equal(app.state, 'approved');
    assert.equal(app.approvedBy, 'alice');
    assert.equal(app.justification, 'initial inventory reviewed');
    assert.match(app.sha256!, /^[0-9a-f]{64}$/);
    assert.match(app.sri!, /^sha384-[A-Za-z0-9+/]+=*$/);
    assert.equal(app.status, 200);
    assert.equal(app.remoteIp, '127.0.0.1');
    assert.equal(app.host, `shop.test:${site.port}`);
    assert.equal(app.party, 'first');
    assert.equal(rows.find((r) => r.url?.includes('cdn.test'))!.party, 'third');
    const tag = rows.find((r) => r.url?.endsWith('/tag.js'))!;
    assert.equal(tag.kind, 'dynamic');
    assert.match(tag.initiator!, /loader\.js$/);
    const framed = rows.find((r) => r.url?.endsWith('/pay-sdk.js'))!;
    assert.match(framed.frame, /pay\.test:\d+\/frame$/);

    const full = parseJson<{ destinations: { host: string; state: string; types: string[] }[]; headers: { name: string; value: string | null; state: string }[] }>(
      await runCli(['inventory', '--json'], { cwd: dir }),
    );
    const tags = full.destinations.find((d) => d.host === `tags.test:${site.port}`)!;
    assert.deepEqual([tags.state, tags.types], ['approved', ['Script']]);
    const xfo = full.headers.find((h) => h.name === 'x-frame-options')!;
    assert.deepEqual([xfo.value, xfo.state], ['DENY', 'approved']);
    assert.equal(full.headers.find((h) => h.name === 'strict-transport-security')!.value, null);

    const csv = await runCli(['inventory', '--csv'], { cwd: dir });
    assert.equal(csv.code, 0);
    const lines = csv.stdout.trim().split('\r\n');
    assert.match(lines[0]!, /^target,page,profile,kind,subject,url,host,party,vendor,category,frame,initiator,status,remoteIp,sha256,sri,size,firstSeen,lastSeen,present,state,approvedBy,approvedAt,justification,versionNote,authorizedBy,authorizedAt,bulkApproved,runsIn,chain,scriptId$/);
    assert.equal(lines.length, rows.length + 1);
    assert.ok(lines.some((l) => l.includes('/static/app.js') && l.includes('"alice"') && l.includes('"initial inventory reviewed"')));
  });
});
