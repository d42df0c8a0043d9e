// API tokens: shown once at creation, kept as a SHA-256, carrying their user's role; revocation applies to the next request.

import { randomBytes } from 'node:crypto';
import { ScriptwardenError } from '../errors.js';
import { sha256Hex } from '../plan/fingerprint.js';
import { appendAudit } from './audit.js';
import type { Db } from './database.js';
import type { SqlValue } from './sql.js';
import { userById, userByName, type Actor, type UserRow } from './users.js';

export interface TokenSummary {
  id: number;
  user: string;
  name: string;
  /** The first characters of the token, to recognise it in a list. */
  prefix: string;
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  state: 'active' | 'expired' | 'revoked';
}

const TOKEN_PREFIX = 'swt_';

export async function createToken(db: Db, input: { user: string; name: string; expiresAt: string | null }, actor: Actor, now: string): Promise<{ token: string; summary: TokenSummary }> {
  if (!/^[\w .@-]{1,64}$/.test(input.name)) throw new ScriptwardenError('USAGE', 'token name must be 1-64 letters, digits, spaces, dots, dashes or @');
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return db.transaction(async () => {
    const user = await userByName(db, input.user);
    if (!user) throw new ScriptwardenError('NOT_FOUND', `no user named "${input.user}"`);
    const id = ((await db.prepare<SqlValue[], { id: number }>('INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id').get(
      user.id, input.name, sha256Hex(token), token.slice(0, 10), now, actor.name, input.expiresAt,
    )))!.id;
    await appendAudit(db, { actor: actor.name, ip: actor.ip, action: 'token.created', objectType: 'token', objectId: id, after: { user: user.name, name: input.name, expiresAt: input.expiresAt } }, now);
    return { token, summary: (await listTokens(db, now, { id }))[0]! };
  });
}

/** Tokens, oldest first: all, one user's, or the one with `id`. */
export async function listTokens(db: Db, now: string, filter: { user?: string; id?: number } = {}): Promise<TokenSummary[]> {
  const where = [filter.user !== undefined ? 'u.name = @user' : null, filter.id !== undefined ? 't.id = @id' : null].filter(Boolean);
  const rows = (await db.prepare<[object]>(
    `SELECT t.id, u.name AS "user", t.name, t.prefix, t.created_at AS "createdAt", t.created_by AS "createdBy", t.expires_at AS "expiresAt",
            t.revoked_at AS "revokedAt", t.last_used_at AS "lastUsedAt"
       FROM api_tokens t JOIN users u ON u.id = t.user_id ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY t.id`,
  ).all(filter)) as Omit<TokenSummary, 'state'>[];
  return rows.map((r) => ({ ...r, state: r.revokedAt ? 'revoked' : r.expiresAt && r.expiresAt <= now ? 'expired' : 'active' }));
}

export async function revokeToken(db: Db, id: number, actor: Actor, now: string): Promise<TokenSummary> {
  return db.transaction(async () => {
    const [token] = await listTokens(db, now, { id });
    if (!token) throw new ScriptwardenError('NOT_FOUND', `no token with id ${id}`);
    if (!token.revokedAt) {
      await db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ?').run(now, id);
      await appendAudit(db, { actor: actor.name, ip: actor.ip, action: 'token.revoked', objectType: 'token', objectId: id, before: { state: token.state }, after: { state: 'revoked' }, note: `${token.name} of ${token.user}` }, now);
    }
    return (await listTokens(db, now, { id }))[0]!;
  });
}

/** The user a presented token stands for, or null when it is unknown, revoked or expired. */
export async function userForToken(db: Db, token: string, now: string): Promise<{ user: UserRow; tokenId: number } | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const row = (await db.prepare('SELECT id, user_id, expires_at, revoked_at, last_used_at FROM api_tokens WHERE token_hash = ?').get(sha256Hex(token))) as
    | { id: number; user_id: number; expires_at: string | null; revoked_at: string | null; last_used_at: string | null }
    | undefined;
  if (!row || row.revoked_at || (row.expires_at && row.expires_at <= now)) return null;
  const user = await userById(db, row.user_id);
  if (!user) return null;
  if (!row.last_used_at || Date.parse(now) - Date.parse(row.last_used_at) > 60_000) await db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(now, row.id);
  return { user, tokenId: row.id };
}

/** The id of the token with this value (whatever its state), to revoke a leaked token by what leaked. */
export async function tokenIdByValue(db: Db, token: string): Promise<number | null> {
  return ((await db.prepare('SELECT id FROM api_tokens WHERE token_hash = ?').get(sha256Hex(token))) as { id: number } | undefined)?.id ?? null;
}
