// Opens the SQLite file, sets durable pragmas and applies numbered SQL migrations in order.

import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
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

function migrate(db: Db, dataSteps: DataSteps): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
  );
  const files = readdirSync(MIGRATIONS_DIR).filter((f) => /^\d+-.*\.sql$/.test(f)).sort();
  for (const file of files) {
    const version = Number.parseInt(file, 10);
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
