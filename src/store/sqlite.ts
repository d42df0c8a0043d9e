// The SQLite side of the query layer: one better-sqlite3 connection with durable pragmas, under Kysely's SqliteDialect.

import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, SqliteDialect } from 'kysely';
import { ScriptwardenError, describeError } from '../errors.js';
import { createSql, type Sql } from './sql.js';
import { BUSY_WAIT_MS, diskFullError, isDiskFull, retryWhileBusy } from './write-lock.js';

/**
 * db.prepare hands back the statement it prepared before for the same SQL (a scan's write runs some twenty
 * statements; preparing them again each time was a third of its cost). A statement still busy (an iteration in
 * progress) is never handed out twice; the cache is bounded, for SQL built with values in it.
 */
function reusePreparedStatements(db: Database.Database, max = 500): void {
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

/** Says which file could not be used and what to do, for the errors opening one can meet. */
export function sqliteOpenError(path: string, error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (isDiskFull(error, path)) return diskFullError(path, error);
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    // Not ours to repair: say which file, and what to do, rather than fail as an internal error.
    return new ScriptwardenError('STORE_INVALID', `${path} is not a scriptwarden database or is damaged (${describeError(error)}). Restore it from a backup, or point "database:" at another file; "scriptwarden verify" on a restored copy shows whether anything else is damaged.`, { cause: error });
  }
  return error;
}

export function openSqlite(path: string, options: { busyWaitMs?: number } = {}): Sql {
  let raw: Database.Database;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    raw = new Database(path);
  } catch (error) {
    throw new ScriptwardenError('STORE_INVALID', `cannot open database ${path}: ${describeError(error)}`, { cause: error });
  }
  try {
    raw.pragma('busy_timeout = 5000');
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.pragma('foreign_keys = ON');
  } catch (error) {
    raw.close();
    throw sqliteOpenError(path, error);
  }
  reusePreparedStatements(raw);
  const kysely = new Kysely<unknown>({ dialect: new SqliteDialect({ database: raw }) });
  const waitMs = options.busyWaitMs ?? BUSY_WAIT_MS;
  return createSql(kysely, 'sqlite', path, {
    // Every transaction is a write: take the write lock up front and wait out another process's.
    begin: 'BEGIN IMMEDIATE',
    retry: (attempt) => retryWhileBusy(path, attempt, waitMs),
  }, async (text, on) => {
    // Outside a transaction, hold the one connection while the text runs, so that it lands in no one else's.
    if (on === kysely) await kysely.connection().execute(async () => { raw.exec(text); });
    else raw.exec(text);
  });
}
