// Store: a scan never loses its result to another process holding the database's write lock for a while.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { parseJson, runCli, tempProject, writeConfig } from '../fixtures/cli.js';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';

const BETTER_SQLITE3 = createRequire(import.meta.url).resolve('better-sqlite3');

/** Another process that takes the write lock, says so, and holds it for `ms` (longer than SQLite's busy_timeout). */
function holdWriteLock(path: string, ms: number): Promise<{ child: ChildProcess; done: Promise<number | null> }> {
  const script = `const D = require(${JSON.stringify(BETTER_SQLITE3)}); const db = new D(${JSON.stringify(path)});
db.exec('BEGIN IMMEDIATE'); db.prepare("INSERT INTO settings (key, value) VALUES ('lock-holder', '1') ON CONFLICT (key) DO UPDATE SET value = value || '1'").run();
process.stdout.write('locked\\n'); setTimeout(() => { db.exec('COMMIT'); db.close(); }, ${ms});`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const done = new Promise<number | null>((resolve) => child.on('close', resolve));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('locked')) resolve({ child, done }); });
    child.on('error', reject);
  });
}

describe('a busy database', () => {
  let site: FixtureSite;
  let dir: string;
  let path: string;
  beforeAll(async () => {
    site = await startFixtureSite();
    site.set('downloads.test', '/install.sh', '#!/bin/sh\necho install\n');
    dir = tempProject('sw-busy-');
    writeConfig(dir, [{ name: 'installer', url: site.url('downloads.test', '/install.sh'), type: 'resource' }]);
    path = join(dir, 'scriptwarden.db');
    // The holder writes to settings, which exist once the migrations ran.
    await (await openStore(path)).close();
  });
  afterAll(async () => { await site?.close(); });

  it('waits for another writer that holds the lock past busy_timeout, then records the scan', async () => {
    const holder = await holdWriteLock(path, 7000);
    // Its own process: better-sqlite3 waits for a lock synchronously, so the holder must be another process.
    const scan = await runCli(['scan', '--json'], { cwd: dir, process: true });
    assert.equal(scan.code, 0, scan.stderr);
    assert.equal(parseJson<{ targets: { status: string }[] }>(scan).targets[0]!.status, 'ok');
    assert.equal(await holder.done, 0);
    const store = await openStore(path);
    try {
      assert.equal((await store.scans.list({ limit: 10, offset: 0 })).length, 1, 'the scan result is stored');
    } finally {
      await store.close();
    }
  });

  it('records every result when two scans run at once on one file', async () => {
    const [a, b] = await Promise.all([runCli(['scan', '--json'], { cwd: dir, process: true }), runCli(['scan', '--json'], { cwd: dir, process: true })]);
    assert.deepEqual([a.code, b.code], [0, 0], `${a.stderr}${b.stderr}`);
    const store = await openStore(path);
    try {
      assert.equal((await store.scans.list({ limit: 10, offset: 0 })).length, 3);
      assert.equal((await store.scans.verify()).ok, true);
    } finally {
      await store.close();
    }
  });
});
