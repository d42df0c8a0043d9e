// Opens the SQLite file, sets durable pragmas and applies numbered SQL migrations in order.

import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScriptwardenError, describeError } from '../errors.js';
import { diskFullError, immediateTransactions, isDiskFull } from './write-lock.js';

export type Db = Database.Database;

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** Steps that move data after a migration's SQL, in the same transaction: what SQL alone cannot compute (digests). */
export type DataSteps = Record<number, (db: Db) => void>;

/**
 * db.prepare hands back the statement it prepared before for the same SQL (a scan's write runs some twenty
 * statements; preparing them again each time was a third of its cost). A statement still busy (an iteration in
 * progress) is never handed out twice; the cache is bounded, for SQL built with values in it.
 */
function reusePreparedStatements(db: Db, max = 500): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    const cached = cache.get(sql);
    if (cached && !cached.busy) return cached;
    const statement = prepare(sql);
    if (cache.size >= max) cache.clear();
    cache.set(sql, statement);
    return statement;
  }) as typeof db.prepare;
}

export function openDatabase(path: string, dataSteps: DataSteps = {}): Db {
  let db: Db;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
  } catch (error) {
    throw new ScriptwardenError('STORE_INVALID', `cannot open database ${path}: ${describeError(error)}`, { cause: error });
  }
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    immediateTransactions(db, path);
    reusePreparedStatements(db);
    migrate(db, dataSteps);
  } catch (error) {
    db.close();
    const code = (error as { code?: unknown }).code;
    if (isDiskFull(error, path)) throw diskFullError(path, error);
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      // Not ours to repair: say which file, and what to do, rather than fail as an internal error.
      throw new ScriptwardenError('STORE_INVALID', `${path} is not a scriptwarden database or is damaged (${describeError(error)}). Restore it from a backup, or point "database:" at another file; "scriptwarden verify" on a restored copy shows whether anything else is damaged.`, { cause: error });
    }
    throw error;
  }
  return db;
}

/** The numbered migrations this version of scriptwarden knows, in order. */
export function knownMigrations(): { version: number; name: string }[] {
  return readdirSync(MIGRATIONS_DIR).filter((f) => /^\d+-.*\.sql$/.test(f)).sort().map((name) => ({ version: Number.parseInt(name, 10), name }));
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

/** The schema of a database file as it is, read without changing it. */
export function schemaStatus(path: string): SchemaStatus {
  const known = knownMigrations();
  if (path !== ':memory:' && !existsSync(path)) return { exists: false, applied: [], pending: known, newer: [] };
  let db: Db;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new ScriptwardenError('STORE_INVALID', `cannot open database ${path}: ${describeError(error)}`, { cause: error });
  }
  try {
    const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get() !== undefined;
    const applied = hasTable
      ? (db.prepare('SELECT version, name, applied_at AS appliedAt FROM schema_migrations ORDER BY version').all() as SchemaStatus['applied'])
      : [];
    const done = new Set(applied.map((a) => a.version));
    const knownVersions = new Set(known.map((k) => k.version));
    return { exists: true, applied, pending: known.filter((k) => !done.has(k.version)), newer: applied.map((a) => a.version).filter((v) => !knownVersions.has(v)) };
  } catch (error) {
    throw new ScriptwardenError('STORE_INVALID', `${path} is not a scriptwarden database or is damaged (${describeError(error)})`, { cause: error });
  } finally {
    db.close();
  }
}

function migrate(db: Db, dataSteps: DataSteps): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
  );
  const known = knownMigrations();
  // A database a newer scriptwarden migrated has tables and rules this version does not know: it must not write to it.
  const newest = Math.max(0, ...known.map((k) => k.version));
  const unknown = [...applied].filter((v) => v > newest || !known.some((k) => k.version === v));
  if (unknown.length > 0) {
    throw new ScriptwardenError('STORE_INVALID', `${db.name}: the database's schema is newer than this scriptwarden knows (migration ${Math.max(...unknown)}, this version knows up to ${newest}): upgrade scriptwarden, or restore a backup made before the upgrade`);
  }
  for (const { name: file, version } of known) {
    if (applied.has(version)) continue;
    const sql = readFileSync(MIGRATIONS_DIR + file, 'utf8');
    // A migration that rebuilds a referenced table runs with foreign keys off and is checked before it commits (SQLite's procedure).
    const rebuild = /^-- foreign_keys: off/m.test(sql);
    if (rebuild) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        db.exec(sql);
        dataSteps[version]?.(db);
        if (rebuild && (db.pragma('foreign_key_check') as unknown[]).length > 0) throw new ScriptwardenError('STORE_INVALID', `migration ${file} would break foreign keys (the database is left as it was)`);
        db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
          version,
          file,
          new Date().toISOString(),
        );
      })();
    } finally {
      if (rebuild) db.pragma('foreign_keys = ON');
    }
  }
}
