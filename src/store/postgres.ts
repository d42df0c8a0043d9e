// The PostgreSQL side of the query layer: a pg pool under Kysely's PostgresDialect, with values read back as SQLite gives them.

import { createHash } from 'node:crypto';
import pg from 'pg';
import { Kysely, PostgresDialect, CompiledQuery } from 'kysely';
import { ScriptwardenError, describeError } from '../errors.js';
import { createSql, type Sql } from './sql.js';

/** The URL with its password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

export { isPostgresUrl } from '../config/config-database.js';

// Counts and sums come back as numbers, as SQLite returns them (ids and counts stay far below 2^53).
const INT8 = 20;
const NUMERIC = 1700;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 || oid === NUMERIC ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/**
 * Each statement with parameters is prepared once per connection, by a name derived from its text, and then only
 * bound and run: parsing and planning the same sixty statements for every scan cost the server more CPU than the
 * rows did, CPU the browsers on the same machine need. Statements without parameters (BEGIN, a migration) run as text.
 */
function preparedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const names = new Map<string, string>();
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (text: unknown, values?: unknown, callback?: unknown) => {
    if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0) return query(text, values, callback);
    let name = names.get(text);
    if (name === undefined) {
      // Statements built with values in them would prepare without end: past a bound, they run unprepared.
      if (names.size >= 1000) return query(text, values, callback);
      name = `sw_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
      names.set(text, name);
    }
    return query({ name, text, values }, callback);
  };
}

/** Writers take this transaction-level lock, so that writes run one at a time, as SQLite's BEGIN IMMEDIATE makes them. */
const WRITE_LOCK = 727_001;
const RETRYABLE = new Set(['40001', '40P01']);

/** The message for a database that cannot be reached or used, naming it without its password. */
export function postgresError(name: string, error: unknown): unknown {
  if (error instanceof ScriptwardenError) return error;
  const code = String((error as { code?: unknown }).code ?? '');
  if (['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET'].includes(code) || code.startsWith('28') || code === '3D000') {
    return new ScriptwardenError('STORE_INVALID', `cannot use database ${name}: ${describeError(error)}. Check "database:" in the config, that PostgreSQL runs and accepts this user.`, { cause: error });
  }
  if (code === '53100') return new ScriptwardenError('STORE_FAILED', `the disk holding database ${name} ran out of space (${describeError(error)}); this write was rolled back, so nothing is half-written.`, { cause: error });
  return error;
}

/** `onConnect`: a statement each new connection runs first (a test's tamperer turns its triggers off). */
export function openPostgres(url: string, options: { poolSize?: number; onConnect?: string } = {}): Sql {
  const name = redactUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, types, connectionTimeoutMillis: 10_000 });
  // An idle client that loses its server must not take the process down; the next query reports it.
  pool.on('error', () => undefined);
  const onConnect = options.onConnect;
  pool.on('connect', (client) => {
    preparedStatements(client);
    // A connection the server ends while it is checked out (a transaction between statements, the server stopping)
    // reports it to its next statement; the event alone must not take the process down.
    client.on('error', () => undefined);
  });
  const kysely = new Kysely<unknown>({
    dialect: new PostgresDialect({
      pool,
      // Run, and finished, before the connection's first statement: a query sent while another runs is queued by pg
      // only until pg 9. Short queries only: compiling one with JIT (PostgreSQL's default above a cost) took longer
      // than running it.
      async onCreateConnection(connection) {
        await connection.executeQuery(CompiledQuery.raw('SET jit = off', []));
        if (onConnect) await connection.executeQuery(CompiledQuery.raw(onConnect, []));
      },
    }),
  });
  return createSql(kysely, 'postgres', name, {
    begin: `BEGIN; SELECT pg_advisory_xact_lock(${WRITE_LOCK})`,
    async retry(attempt) {
      for (let tries = 1; ; tries++) {
        try {
          return await attempt();
        } catch (error) {
          const code = String((error as { code?: unknown }).code ?? '');
          if (!RETRYABLE.has(code) || tries >= 5) throw postgresError(name, error);
        }
      }
    },
  }, async (text, on) => {
    await on.executeQuery(CompiledQuery.raw(text, []));
  });
}
