// End to end: a scan killed with SIGKILL leaves a consistent database that the next scan continues from.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import { installShop } from '../fixtures/shop.js';
import { CLI, runCli, tempProject, writeConfig } from '../fixtures/cli.js';
import { databaseOf, plainSql, rawSql, TEST_DIALECT } from '../fixtures/test-database.js';

describe('a killed scan', () => {
  let site: FixtureSite;
  beforeAll(async () => { site = await startFixtureSite(); installShop(site); });
  afterAll(async () => { await site.close(); });

  it('leaves every committed scan whole and the next scan working', async () => {
    const dir = tempProject();
    const targets = Array.from({ length: 6 }, (_, i) => ({ name: `page${i}`, url: site.url('shop.test', '/checkout') }));
    writeConfig(dir, targets, 'canary:\n  enabled: false');
    const child = spawn(process.execPath, [CLI, 'scan'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('[')) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('close', () => resolve());
    });
    await new Promise((resolve) => child.on('close', resolve));
    assert.equal(child.signalCode, 'SIGKILL');

    const db = plainSql(databaseOf(dir));
    if (TEST_DIALECT === 'sqlite') assert.equal((await db.prepare<[], { integrity_check: string }>('PRAGMA integrity_check').get())!.integrity_check, 'ok');
    const scans = await db.prepare<[], { id: number; script_count: number }>("SELECT id, script_count FROM scans WHERE status = 'ok'").all();
    assert.ok(scans.length >= 1 && scans.length < 6, `some but not all scans committed (${scans.length})`);
    for (const scan of scans) {
      const observed = (await db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM set_scripts WHERE set_id = (SELECT set_id FROM scans WHERE id = ?)').get(scan.id))!;
      assert.equal(observed.n, scan.script_count, `scan ${scan.id} has all its observations`);
    }
    const orphans = (await db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM observation_sets os WHERE NOT EXISTS (SELECT 1 FROM scans s WHERE s.set_id = os.id)').get())!;
    assert.equal(orphans.n, 0, 'no set without a committed scan');
    await db.close();

    const next = await runCli(['scan', '--json'], { cwd: dir });
    assert.equal(next.code, 0, next.stderr);
    assert.deepEqual(JSON.parse(next.stdout).alerts, []);

    // The tamper-evident log survives the kill; a flipped byte in a stored body is then named.
    const verified = await runCli(['verify'], { cwd: dir });
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /^OK: \d+ scans follow the chain; \d+ stored blobs match their SHA-256/);
    const raw = rawSql({ path: databaseOf(dir) });
    const blob = (await raw.prepare<[], { id: number; sha256: string; data: Buffer }>("SELECT id, sha256, data FROM blobs WHERE encoding = 'br' ORDER BY size DESC LIMIT 1").get())!;
    const flipped = Buffer.from(blob.data);
    flipped[Math.floor(flipped.length / 2)] = flipped[Math.floor(flipped.length / 2)]! ^ 0x20;
    await raw.prepare('UPDATE blobs SET data = ? WHERE id = ?').run(flipped, blob.id);
    await raw.close();
    const broken = await runCli(['verify', '--json'], { cwd: dir });
    assert.equal(broken.code, 1);
    const report = JSON.parse(broken.stdout) as { ok: boolean; firstBreak: { kind: string; sha256: string; reason: string } };
    assert.deepEqual([report.ok, report.firstBreak.kind, report.firstBreak.sha256], [false, 'blob', blob.sha256], report.firstBreak.reason);
  });
});
