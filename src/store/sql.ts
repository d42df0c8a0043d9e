// The store's query layer: today's SQL text with `?` parameters, compiled by Kysely for SQLite or PostgreSQL, run on
// the pool or, inside a transaction, on the transaction's one connection.

import { AsyncLocalStorage } from 'node:async_hooks';
import { CompiledQuery, sql as sqlTag, type Kysely } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/** What a statement's parameter may be: a value both dialects store as it is. */
export type SqlValue = string | number | bigint | Buffer | null;
/** A statement's parameters: positional values, or one object of named ones (`@name`). */
export type SqlParams = SqlValue[] | [object];

/** One statement, bound when it runs (as better-sqlite3's, but every call is a promise). */
export interface Statement<P extends SqlParams = SqlValue[], R = unknown> {
  get(...params: P): Promise<R | undefined>;
  all(...params: P): Promise<R[]>;
  /** Runs a write; `changes` is the number of rows it touched. Ids come back through `RETURNING id` and get(). */
  run(...params: P): Promise<{ changes: number }>;
}

/** A connection pool (PostgreSQL) or the one connection (SQLite), in one dialect. */
export interface Sql {
  readonly dialect: Dialect;
  /** The file path, or the URL without its password: for messages. */
  readonly name: string;
  prepare<P extends SqlParams = SqlValue[], R = unknown>(text: string): Statement<P, R>;
  /** Runs several statements with no parameters (a migration). */
  exec(text: string): Promise<void>;
  /**
   * Runs one statement in the dialect's own words (`$1` on PostgreSQL), on the transaction's connection inside one: for
   * a library that brings its SQL (the job queue sends its jobs in the scan's transaction through this).
   */
  query<R = unknown>(text: string, values: unknown[]): Promise<{ rows: R[] }>;
  /**
   * Runs `fn` in one write transaction (SQLite: BEGIN IMMEDIATE); every statement `fn` runs, however deep, uses the
   * transaction's connection. Nested calls are savepoints of the outer one. A rejected `fn` rolls everything back.
   */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  readonly inTransaction: boolean;
  close(): Promise<void>;
}

/** How a dialect begins its write transactions and retries one refused as busy. */
export interface TransactionRules {
  begin: string;
  /** Runs one attempt of a whole transaction again while it is refused as busy; throws anything else. */
  retry<T>(attempt: () => Promise<T>): Promise<T>;
}

type Executor = Pick<Kysely<unknown>, 'executeQuery'>;

/**
 * Splits SQL text at its parameters, positional `?` or named `@name` (one statement uses one kind), leaving any inside
 * quoted literals or identifiers alone. `names` is empty for positional parameters.
 */
export function splitParameters(text: string): { parts: string[]; names: string[] } {
  const parts: string[] = [];
  const names: string[] = [];
  let start = 0;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '?') {
      parts.push(text.slice(start, i));
      start = i + 1;
    } else if (c === '@') {
      const name = /^@([A-Za-z_]\w*)/.exec(text.slice(i))?.[1];
      if (!name) continue;
      parts.push(text.slice(start, i));
      names.push(name);
      start = i + 1 + name.length;
      i = start - 1;
    }
  }
  parts.push(text.slice(start));
  return { parts, names };
}

/** Reads rows in id order a batch at a time, so that a walk over a whole table holds one batch in memory. */
export async function* byId<R extends { id: number }>(page: (afterId: number) => Promise<R[]>): AsyncGenerator<R> {
  for (let after = 0; ;) {
    const rows = await page(after);
    if (rows.length === 0) return;
    yield* rows;
    after = rows[rows.length - 1]!.id;
  }
}

/** The query layer over a Kysely instance; `rawExec` runs multi-statement text on the connection it is given. */
export function createSql(
  kysely: Kysely<unknown>, dialect: Dialect, name: string, rules: TransactionRules,
  rawExec: (text: string, on: Executor) => Promise<void>,
): Sql {
  const current = new AsyncLocalStorage<{ executor: Executor; depth: number }>();
  // The dialect's text for each statement is compiled once by Kysely (placeholders `?` or `$1`), then reused.
  const compiled = new Map<string, { sql: string; names: string[] }>();
  const compile = (text: string) => {
    let out = compiled.get(text);
    if (out === undefined) {
      const { parts, names } = splitParameters(text);
      const strings = Object.assign([...parts], { raw: [...parts] }) as unknown as TemplateStringsArray;
      out = { sql: sqlTag(strings, ...parts.slice(1).map(() => null)).compile(kysely).sql, names };
      if (compiled.size >= 2000) compiled.clear();
      compiled.set(text, out);
    }
    return out;
  };
  const execute = async <R>(text: string, params: unknown[]) => {
    const executor = current.getStore()?.executor ?? kysely;
    const { sql, names } = compile(text);
    // Named parameters come as one object; the compiled statement takes them in order.
    const named = params.length === 1 && params[0] !== null && typeof params[0] === 'object' && !Buffer.isBuffer(params[0]);
    const values = named ? names.map((n) => (params[0] as Record<string, unknown>)[n] ?? null) : params;
    return executor.executeQuery<R>(CompiledQuery.raw(sql, values));
  };
  const on = (executor: Executor, text: string) => executor.executeQuery(CompiledQuery.raw(text, []));

  const db: Sql = {
    dialect,
    name,
    prepare<P extends SqlParams, R>(text: string): Statement<P, R> {
      return {
        get: async (...params) => (await execute<R>(text, params)).rows[0],
        all: async (...params) => (await execute<R>(text, params)).rows,
        run: async (...params) => ({ changes: Number((await execute<R>(text, params)).numAffectedRows ?? 0) }),
      };
    },
    exec: (text) => rawExec(text, current.getStore()?.executor ?? kysely),
    async query<R>(text: string, values: unknown[]) {
      const result = await (current.getStore()?.executor ?? kysely).executeQuery<R>(CompiledQuery.raw(text, values));
      return { rows: [...result.rows] };
    },
    async transaction<T>(fn: () => Promise<T>): Promise<T> {
      const outer = current.getStore();
      if (outer) {
        const point = `sw_${outer.depth + 1}`;
        await on(outer.executor, `SAVEPOINT ${point}`);
        try {
          const result = await current.run({ executor: outer.executor, depth: outer.depth + 1 }, fn);
          await on(outer.executor, `RELEASE SAVEPOINT ${point}`);
          return result;
        } catch (error) {
          await on(outer.executor, `ROLLBACK TO SAVEPOINT ${point}`);
          await on(outer.executor, `RELEASE SAVEPOINT ${point}`);
          throw error;
        }
      }
      return rules.retry(() =>
        kysely.connection().execute(async (connection) => {
          await on(connection, rules.begin);
          let result: T;
          try {
            result = await current.run({ executor: connection, depth: 0 }, fn);
          } catch (error) {
            await on(connection, 'ROLLBACK').catch(() => undefined);
            throw error;
          }
          try {
            await on(connection, 'COMMIT');
          } catch (error) {
            await on(connection, 'ROLLBACK').catch(() => undefined);
            throw error;
          }
          return result;
        }),
      );
    },
    get inTransaction() {
      return current.getStore() !== undefined;
    },
    close: () => kysely.destroy(),
  };
  return db;
}

/** Maps items through an async step one at a time, in order (the steps share one connection or one transaction). */
export async function inOrder<T, R>(items: Iterable<T>, step: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await step(item));
  return out;
}

/** A subquery of the values of one JSON array parameter (`?`), as text or as integers, in the dialect's own words. */
export function jsonValues(dialect: Dialect, kind: 'text' | 'integer'): string {
  if (dialect === 'sqlite') return 'SELECT value FROM json_each(?)';
  return kind === 'text' ? 'SELECT value FROM json_array_elements_text(CAST(? AS json))' : 'SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST(? AS json))';
}

/**
 * A condition on one column that applies only when a value is given: `column = ?` with the value, or a condition that
 * always holds with none. Each case is its own statement, so a plan made once serves it for any value (a single
 * `? IS NULL OR column = ?` statement made PostgreSQL's reused plan read every row to show one target's).
 */
export function whenGiven(column: string, value: string | undefined): { sql: string; params: SqlValue[] } {
  return value === undefined ? { sql: '1 = 1', params: [] } : { sql: `${column} = ?`, params: [value] };
}
