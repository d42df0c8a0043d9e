// Write transactions take SQLite's write lock up front (BEGIN IMMEDIATE) and wait out a busy database, bounded.

import type Database from 'better-sqlite3';
import { ScriptwardenError } from '../errors.js';

/** How long one write waits for another process's write lock in all, beyond SQLite's own busy_timeout per attempt. */
export const BUSY_WAIT_MS = 60_000;

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code === 'SQLITE_BUSY_SNAPSHOT';
}

/** Blocks this thread for `ms` without spinning (better-sqlite3 is synchronous, so the wait is too). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Runs `attempt` (a transaction started with BEGIN IMMEDIATE) until it is not refused as busy: SQLite already waits
 * `busy_timeout` per attempt, and this tries again with growing pauses until BUSY_WAIT_MS have passed, then fails
 * with a clear message. A deferred transaction that read first would get SQLITE_BUSY at once instead.
 */
export function retryWhileBusy<T>(path: string, attempt: () => T, waitMs = BUSY_WAIT_MS): T {
  const started = Date.now();
  for (let pauseMs = 50; ; pauseMs = Math.min(pauseMs * 2, 1000)) {
    try {
      return attempt();
    } catch (error) {
      if (!isBusy(error)) throw error;
      if (Date.now() - started + pauseMs > waitMs) {
        throw new ScriptwardenError('STORE_FAILED', `database ${path} stayed locked by another process for over ${Math.round(waitMs / 1000)} s; nothing was written. Try again, or find the process holding it.`, { cause: error });
      }
      pause(pauseMs);
    }
  }
}

/**
 * Makes every transaction of this connection a write transaction that starts as BEGIN IMMEDIATE and waits out a
 * busy database (`db.transaction(fn)()` and `.immediate()` alike); nested ones stay savepoints of the outer one.
 */
export function immediateTransactions(db: Database.Database, path: string, waitMs = BUSY_WAIT_MS): void {
  const original = db.transaction.bind(db);
  const wrapped = (fn: (...args: unknown[]) => unknown) => {
    const tx = original(fn);
    const run = (...args: unknown[]) => (db.inTransaction ? tx.immediate(...args) : retryWhileBusy(path, () => tx.immediate(...args), waitMs));
    return Object.assign(run, { default: run, immediate: run, deferred: tx.deferred, exclusive: tx.exclusive, database: db });
  };
  db.transaction = wrapped as unknown as typeof db.transaction;
}
