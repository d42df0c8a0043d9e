// Reserves each password or code check before it runs, so sign-in limits hold under concurrency and across processes.

import type { Db } from './database.js';
import type { SqlValue } from './sql.js';

export interface AttemptLimits {
  /** Failed (and running) checks one client address may have in the window. */
  perAddress: number;
  windowMs: number;
  /** Failures in a row that lock an account: checks running for it count as failures until they end. */
  perAccount: number;
}

export type Reservation =
  | { id: number }
  | { refused: 'address'; retryAfterS: number }
  | { refused: 'account' };

/** A check that never ended (its process died) stops counting as running after this long. */
const STALE_PENDING_MS = 2 * 60_000;

/**
 * Takes one attempt for the address (and the account, when the name is known) or refuses it, in one write
 * transaction: of many requests at once, only as many as the limits allow ever reach the password hash.
 */
export async function reserveAttempt(db: Db, input: { ip: string; userId: number | null; limits: AttemptLimits; now: string }): Promise<Reservation> {
  const { ip, userId, limits, now } = input;
  const since = new Date(Date.parse(now) - limits.windowMs).toISOString();
  return db.transaction(async (): Promise<Reservation> => {
    await db.prepare('DELETE FROM login_attempts WHERE at < ?').run(since);
    const used = (await db.prepare<[string, string], { n: number; oldest: string | null }>(
      "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM login_attempts WHERE ip = ? AND at >= ? AND state IN ('pending', 'failed')",
    ).get(ip, since))!;
    if (used.n >= limits.perAddress) {
      return { refused: 'address', retryAfterS: Math.max(1, Math.ceil((Date.parse(used.oldest ?? now) + limits.windowMs - Date.parse(now)) / 1000)) };
    }
    if (userId !== null) {
      const user = await db.prepare<[number], { failed: number; lockedUntil: string | null }>('SELECT failed_logins AS failed, locked_until AS "lockedUntil" FROM users WHERE id = ?').get(userId);
      const running = (await db.prepare<[number, string], { n: number }>(
        "SELECT COUNT(*) AS n FROM login_attempts WHERE user_id = ? AND state = 'pending' AND at >= ?",
      ).get(userId, new Date(Date.parse(now) - STALE_PENDING_MS).toISOString()))!.n;
      if (!user || (user.lockedUntil !== null && user.lockedUntil > now) || user.failed + running >= limits.perAccount) {
        // Refused without a check; it still counts against the address that tried.
        await db.prepare("INSERT INTO login_attempts (ip, user_id, at, state) VALUES (?, ?, ?, 'failed')").run(ip, userId, now);
        return { refused: 'account' };
      }
    }
    const id = (await db.prepare<SqlValue[], { id: number }>("INSERT INTO login_attempts (ip, user_id, at, state) VALUES (?, ?, ?, 'pending') RETURNING id").get(ip, userId, now))!.id;
    return { id };
  });
}

/** Ends a reserved check: a failure keeps counting against the address for the window, a success does not. */
export async function settleAttempt(db: Db, id: number, ok: boolean): Promise<void> {
  await db.prepare('UPDATE login_attempts SET state = ? WHERE id = ?').run(ok ? 'ok' : 'failed', id);
}
