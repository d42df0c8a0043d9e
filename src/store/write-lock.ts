// Write transactions take SQLite's write lock up front (BEGIN IMMEDIATE), wait out a busy database, and name a full disk.

import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { ScriptwardenError } from '../errors.js';

/** How long one write waits for another process's write lock in all, beyond SQLite's own busy_timeout per attempt. */
export const BUSY_WAIT_MS = 60_000;

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code === 'SQLITE_BUSY_SNAPSHOT';
}

/**
 * True for a write refused because the disk (the file system holding the database) has no space left: SQLite says
 * SQLITE_FULL, or an I/O error (a WAL write) while the file system of `path` has next to nothing free.
 */
export function isDiskFull(error: unknown, path?: string): boolean {
  const code = String((error as { code?: unknown }).code ?? '');
  if (code === 'SQLITE_FULL' || /ENOSPC|no space left/i.test(String((error as Error)?.message))) return true;
  if (!code.startsWith('SQLITE_IOERR') || !path || path === ':memory:') return false;
  try {
    const fs = statfsSync(dirname(path));
    return fs.bavail * fs.bsize < 1024 * 1024;
  } catch {
    return false;
  }
}

/** The message for a full disk: which file, that nothing was half-written, what to do. */
export function diskFullError(path: string, error: unknown): ScriptwardenError {
  return new ScriptwardenError('STORE_FAILED', `the disk holding database ${path} ran out of space (${(error as Error).message}); this write was rolled back, so nothing is half-written. Free space on that disk and run again; "scriptwarden verify" checks the database.`, { cause: error });
}

/**
 * Runs `attempt` (a whole transaction started with BEGIN IMMEDIATE) until it is not refused as busy: SQLite already
 * waits `busy_timeout` per attempt, and this tries again with growing pauses until BUSY_WAIT_MS have passed, then
 * fails with a clear message. A deferred transaction that read first would get SQLITE_BUSY at once instead.
 */
export async function retryWhileBusy<T>(path: string, attempt: () => Promise<T>, waitMs = BUSY_WAIT_MS): Promise<T> {
  const started = Date.now();
  for (let pauseMs = 50; ; pauseMs = Math.min(pauseMs * 2, 1000)) {
    try {
      return await attempt();
    } catch (error) {
      if (isDiskFull(error, path)) throw diskFullError(path, error);
      if (!isBusy(error)) throw error;
      if (Date.now() - started + pauseMs > waitMs) {
        throw new ScriptwardenError('STORE_FAILED', `database ${path} stayed locked by another process for over ${Math.round(waitMs / 1000)} s; nothing was written. Try again, or find the process holding it.`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}
