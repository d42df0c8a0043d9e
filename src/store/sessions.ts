// Server-side sessions: found by the SHA-256 of the cookie value, with idle and absolute timeouts checked on every read.

import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../plan/fingerprint.js';
import type { Db } from './database.js';
import { userById, type UserRow } from './users.js';

export type SessionStage = 'password' | 'enrol' | 'full';

export interface Session {
  /** The SHA-256 of the cookie value: what the database keeps. */
  idHash: string;
  user: UserRow;
  csrfToken: string;
  stage: SessionStage;
  pendingTotpSecret: string | null;
  createdAt: string;
  lastSeenAt: string;
}

export interface SessionLimits {
  idleMs: number;
  absoluteMs: number;
}

const newSecret = () => randomBytes(32).toString('base64url');

/** Creates a session and returns the cookie value, shown to the browser once and never stored. */
export async function createSession(db: Db, userId: number, stage: SessionStage, ip: string | null, now: string): Promise<{ cookie: string; csrfToken: string }> {
  const cookie = newSecret();
  const csrfToken = newSecret();
  await db.prepare('INSERT INTO sessions (id_hash, user_id, csrf_token, stage, created_at, last_seen_at, ip) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    sha256Hex(cookie), userId, csrfToken, stage, now, now, ip,
  );
  return { cookie, csrfToken };
}

/** The live session for a cookie value, touched; an expired one is deleted and null returned. */
export async function readSession(db: Db, cookie: string, limits: SessionLimits, now: string): Promise<Session | null> {
  const idHash = sha256Hex(cookie);
  const row = (await db.prepare('SELECT user_id, csrf_token, stage, pending_totp_secret, created_at, last_seen_at FROM sessions WHERE id_hash = ?').get(idHash)) as
    | { user_id: number; csrf_token: string; stage: SessionStage; pending_totp_secret: string | null; created_at: string; last_seen_at: string }
    | undefined;
  if (!row) return null;
  const at = Date.parse(now);
  const user = await userById(db, row.user_id);
  if (!user || at - Date.parse(row.last_seen_at) > limits.idleMs || at - Date.parse(row.created_at) > limits.absoluteMs) {
    await db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
    return null;
  }
  // Touch at most once a minute: a page with many requests does not write on each.
  if (at - Date.parse(row.last_seen_at) > 60_000) await db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?').run(now, idHash);
  return { idHash, user, csrfToken: row.csrf_token, stage: row.stage, pendingTotpSecret: row.pending_totp_secret, createdAt: row.created_at, lastSeenAt: row.last_seen_at };
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
}

export async function setPendingTotp(db: Db, idHash: string, secret: string | null): Promise<void> {
  await db.prepare('UPDATE sessions SET pending_totp_secret = ? WHERE id_hash = ?').run(secret, idHash);
}

/** Removes sessions past their limits, so the table does not grow with abandoned logins. */
export async function pruneSessions(db: Db, limits: SessionLimits, now: string): Promise<number> {
  const at = Date.parse(now);
  return (await db.prepare('DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?').run(
    new Date(at - limits.idleMs).toISOString(), new Date(at - limits.absoluteMs).toISOString(),
  )).changes;
}

export interface SessionSummary {
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
  stage: SessionStage;
  /** The SHA-256 of the cookie value, to mark the caller's own session. */
  idHash: string;
}

/** A user's open sessions, newest first. */
export async function userSessions(db: Db, userId: number): Promise<SessionSummary[]> {
  return (await db.prepare('SELECT id_hash AS "idHash", created_at AS "createdAt", last_seen_at AS "lastSeenAt", ip, stage FROM sessions WHERE user_id = ? ORDER BY created_at DESC').all(userId)) as SessionSummary[];
}

/** Ends every session of a user except `keep` (the caller's own); returns how many ended. */
export async function endOtherSessions(db: Db, userId: number, keep: string | null): Promise<number> {
  return (await db.prepare('DELETE FROM sessions WHERE user_id = ? AND id_hash IS DISTINCT FROM ?').run(userId, keep)).changes;
}
