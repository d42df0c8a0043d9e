// End to end: db status and db migrate, and every command refusing a database a newer scriptwarden migrated.

import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { parseJson, runCli, tempProject, writeConfig } from '../fixtures/cli.js';
import { databaseOf, plainSql, TEST_DIALECT } from '../fixtures/test-database.js';

describe('database schema (db status, db migrate)', () => {
  it('reports a database not created yet, migrates it, and then says it is up to date', async () => {
    const dir = tempProject('sw-db-');
    writeConfig(dir, [{ name: 'a', url: 'http://shop.test/' }]);
    const fresh = parseJson<{ exists: boolean; applied: unknown[]; pending: { version: number }[] }>(await runCli(['db', 'status', '--json'], { cwd: dir }));
    // A SQLite file does not exist until the first command; a PostgreSQL database exists, empty, before scriptwarden.
    assert.equal(fresh.exists, TEST_DIALECT === 'postgres');
    assert.deepEqual(fresh.applied, []);
    // PostgreSQL starts from one baseline equal to SQLite's first 18 migrations.
    if (TEST_DIALECT === 'sqlite') assert.ok(fresh.pending.length >= 18);
    else assert.deepEqual(fresh.pending.map((m) => m.version), [18, 19, 20, 21, 22, 23, 24]);
    const migrated = await runCli(['db', 'migrate'], { cwd: dir });
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(migrated.stdout, TEST_DIALECT === 'sqlite' ? /^applied: 001-initial\.sql, /m : /^applied: 018-baseline\.sql, 019-chains\.sql, 020-slot-checks\.sql, 021-vantage-runs\.sql, 022-provenance\.sql, 023-intel-checks\.sql, 024-visitor-reports\.sql$/m);
    const status = await runCli(['db', 'status'], { cwd: dir });
    assert.match(status.stdout, /^schema:\s+(\d+) \(\d+-[a-z-]+\.sql, applied /m);
    assert.match(status.stdout, /^pending:\s+none$/m);
    assert.match((await runCli(['db', 'migrate'], { cwd: dir })).stdout, /^up to date: nothing to apply$/m);
  });

  it('refuses, with exit 2 and a reason, a database whose schema a newer scriptwarden migrated, and writes nothing to it', async () => {
    const dir = tempProject('sw-db-newer-');
    writeConfig(dir, [{ name: 'a', url: 'http://shop.test/' }]);
    assert.equal((await runCli(['db', 'migrate'], { cwd: dir })).code, 0);
    const raw = plainSql(databaseOf(dir));
    await raw.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, ?, ?)').run('999-from-the-future.sql', new Date().toISOString());
    const count = async () => (await raw.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM audit_log').get())!.n;
    const before = await count();
    for (const args of [['alerts'], ['inventory'], ['serve', '--no-schedule', '--port', '0'], ['db', 'migrate'], ['report', '--format', 'json', '--out', '-']]) {
      const result = await runCli(args, { cwd: dir });
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stdout}${result.stderr}`);
      assert.match(result.stderr, /schema is newer than this scriptwarden knows \(migration 999, this version knows up to \d+\): upgrade scriptwarden/);
    }
    const status = await runCli(['db', 'status'], { cwd: dir });
    assert.equal(status.code, 2);
    assert.match(status.stdout, /^NEWER:\s+migrations 999 come from a newer scriptwarden/m);
    assert.equal(await count(), before, 'nothing was written');
    await raw.close();
  });
});
