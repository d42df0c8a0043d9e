// Opens the database a config names (a SQLite file or PostgreSQL) and applies its dialect's numbered SQL migrations in order.

import Database from 'better-sqlite3';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ScriptwardenError, describeError } from '../errors.js';
import type { Dialect, Sql } from './sql.js';
import { openSqlite, sqliteOpenError } from './sqlite.js';
import { isPostgresUrl, openPostgres, postgresError } from './postgres.js';

export type Db = Sql;

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** Steps that move data after a migration's SQL, in the same transaction: what SQL alone cannot compute (digests). */
export type DataSteps = Record<number, (db: Db) => Promise<void>>;

/** Opens `spec`, a SQLite file path or a postgres:// URL, and brings its schema up to date. */
export async function openDatabase(spec: string, dataSteps: DataSteps = {}): Promise<Db> {
  const db = isPostgresUrl(spec) ? openPostgres(spec) : openSqlite(spec);
  try {
    await migrate(db, dataSteps);
  } catch (error) {
    await db.close();
    throw db.dialect === 'sqlite' ? sqliteOpenError(spec, error) : postgresError(db.name, error);
  }
  return db;
}

/** The numbered migrations this version of scriptwarden knows for a dialect, in order. */
export function knownMigrations(dialect: Dialect = 'sqlite'): { version: number; name: string }[] {
  return readdirSync(MIGRATIONS_DIR + dialect).filter((f) => /^\d+-.*\.sql$/.test(f)).sort().map((name) => ({ version: Number.parseInt(name, 10), name }));
}

export interface SchemaStatus {
  /** False when the file does not exist yet (the first command that opens it creates and migrates it). */
  exists: boolean;
  applied: { version: number; name: string; appliedAt: string }[];
  /** Known migrations not applied yet (the next command that opens the database applies them). */
  pending: { version: number; name: string }[];
  /** Applied migrations this version does not know: a newer scriptwarden migrated the database. */
  newer: number[];
}

/** Compares what a database has applied with what this version knows. */
function compareSchema(applied: SchemaStatus['applied'], known: { version: number; name: string }[]): SchemaStatus {
  const done = new Set(applied.map((a) => a.version));
  const knownVersions = new Set(known.map((k) => k.version));
  return { exists: true, applied, pending: known.filter((k) => !done.has(k.version)), newer: applied.map((a) => a.version).filter((v) => !knownVersions.has(v)) };
}

/** The schema of a database as it is, read without changing it. */
export async function schemaStatus(spec: string): Promise<SchemaStatus> {
  if (isPostgresUrl(spec)) return postgresSchemaStatus(spec);
  const path = spec;
  const known = knownMigrations('sqlite');
  if (path !== ':memory:' && !existsSync(path)) return { exists: false, applied: [], pending: known, newer: [] };
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new ScriptwardenError('STORE_INVALID', `cannot open database ${path}: ${describeError(error)}`, { cause: error });
  }
  try {
    const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get() !== undefined;
    const applied = hasTable
      ? (db.prepare('SELECT version, name, applied_at AS "appliedAt" FROM schema_migrations ORDER BY version').all() as SchemaStatus['applied'])
      : [];
    return compareSchema(applied, known);
  } catch (error) {
    throw new ScriptwardenError('STORE_INVALID', `${path} is not a scriptwarden database or is damaged (${describeError(error)})`, { cause: error });
  } finally {
    db.close();
  }
}

async function postgresSchemaStatus(url: string): Promise<SchemaStatus> {
  const db = openPostgres(url, { poolSize: 1 });
  try {
    const hasTable = (await db.prepare("SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'").get()) !== undefined;
    const applied = hasTable ? await db.prepare<[], SchemaStatus['applied'][number]>('SELECT version, name, applied_at AS "appliedAt" FROM schema_migrations ORDER BY version').all() : [];
    return compareSchema(applied, knownMigrations('postgres'));
  } catch (error) {
    throw postgresError(db.name, error);
  } finally {
    await db.close();
  }
}

const appliedVersions = async (db: Db) =>
  new Set((await db.prepare<[], { version: number }>('SELECT version FROM schema_migrations').all()).map((r) => r.version));

/** Applies what is pending, each migration in its own transaction; several processes opening one database apply each once. */
async function migrate(db: Db, dataSteps: DataSteps): Promise<void> {
  await db.transaction(() => db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)'));
  const applied = await appliedVersions(db);
  const known = knownMigrations(db.dialect);
  // A database a newer scriptwarden migrated has tables and rules this version does not know: it must not write to it.
  const newest = Math.max(0, ...known.map((k) => k.version));
  const unknown = [...applied].filter((v) => v > newest || !known.some((k) => k.version === v));
  if (unknown.length > 0) {
    throw new ScriptwardenError('STORE_INVALID', `${db.name}: the database's schema is newer than this scriptwarden knows (migration ${Math.max(...unknown)}, this version knows up to ${newest}): upgrade scriptwarden, or restore a backup made before the upgrade`);
  }
  for (const { name: file, version } of known) {
    if (applied.has(version)) continue;
    const sql = readFileSync(`${MIGRATIONS_DIR}${db.dialect}/${file}`, 'utf8');
    // A migration that rebuilds a referenced table runs with foreign keys off and is checked before it commits (SQLite's procedure).
    const rebuild = db.dialect === 'sqlite' && /^-- foreign_keys: off/m.test(sql);
    if (rebuild) await db.exec('PRAGMA foreign_keys = OFF');
    try {
      await db.transaction(async () => {
        // Another process may have applied it since this one looked: the write lock is held now, so look again.
        if ((await appliedVersions(db)).has(version)) return;
        await db.exec(sql);
        await dataSteps[version]?.(db);
        if (rebuild && (await db.prepare('PRAGMA foreign_key_check').all()).length > 0) throw new ScriptwardenError('STORE_INVALID', `migration ${file} would break foreign keys (the database is left as it was)`);
        await db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(version, file, new Date().toISOString());
      });
    } finally {
      if (rebuild) await db.exec('PRAGMA foreign_keys = ON');
    }
  }
}
