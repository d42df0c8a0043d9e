// Dashboard users: roles, password hashes, lockout counters and two-factor secrets; every change is audited.

import { ScriptwardenError } from '../errors.js';
import { sha256Hex } from '../plan/fingerprint.js';
import { ROLES, type Role } from '../auth/roles.js';
import { appendAudit } from './audit.js';
import type { Db } from './database.js';

export interface Actor {
  name: string;
  ip: string | null;
  /** Dashboard actors may not remove or demote the last admin; the command line, which has the database, may. */
  keepAdmin?: boolean;
}

export interface UserRow {
  id: number;
  name: string;
  role: Role;
  passwordHash: string;
  totpSecret: string | null;
  totpLastStep: number | null;
  failedLogins: number;
  lockedUntil: string | null;
  lastLoginAt: string | null;
  createdAt: string;
  passwordChangedAt: string;
}

/** What lists and the API show: never the hash or the secret. */
export interface UserSummary {
  name: string;
  role: Role;
  twoFactor: boolean;
  lockedUntil: string | null;
  failedLogins: number;
  lastLoginAt: string | null;
  createdAt: string;
  tokens: number;
}

const SELECT = `SELECT id, name, role, password_hash AS "passwordHash", totp_secret AS "totpSecret", totp_last_step AS "totpLastStep",
  failed_logins AS "failedLogins", locked_until AS "lockedUntil", last_login_at AS "lastLoginAt", created_at AS "createdAt",
  password_changed_at AS "passwordChangedAt" FROM users`;

export const userByName = async (db: Db, name: string): Promise<UserRow | null> => ((await db.prepare(`${SELECT} WHERE name = ?`).get(name)) as UserRow | undefined) ?? null;
export const userById = async (db: Db, id: number): Promise<UserRow | null> => ((await db.prepare(`${SELECT} WHERE id = ?`).get(id)) as UserRow | undefined) ?? null;
export const countUsers = async (db: Db): Promise<number> => ((await db.prepare('SELECT COUNT(*) AS n FROM users').get()) as { n: number }).n;

async function required(db: Db, name: string): Promise<UserRow> {
  const user = await userByName(db, name);
  if (!user) throw new ScriptwardenError('NOT_FOUND', `no user named "${name}"`);
  return user;
}

/** Every user, or the one named, with the count of their live tokens, in one query. */
export async function listUsers(db: Db, now: string, name?: string): Promise<UserSummary[]> {
  const rows = (await db.prepare<[object]>(
    `SELECT u.name, u.role, u.totp_secret IS NOT NULL AS "twoFactor", u.locked_until AS "lockedUntil", u.failed_logins AS "failedLogins",
            u.last_login_at AS "lastLoginAt", u.created_at AS "createdAt",
            (SELECT COUNT(*) FROM api_tokens t WHERE t.user_id = u.id AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > @now)) AS tokens
       FROM users u ${name === undefined ? '' : 'WHERE u.name = @name'} ORDER BY u.name`,
  ).all({ now, name })) as (Omit<UserSummary, 'twoFactor'> & { twoFactor: number })[];
  return rows.map((u) => ({ ...u, twoFactor: u.twoFactor === 1, lockedUntil: u.lockedUntil && u.lockedUntil > now ? u.lockedUntil : null }));
}

/** A user name is what logs and the audit trail show: short, printable, no spaces. */
export function userNameProblem(name: string): string | null {
  return /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/.test(name) ? null : 'must be 1-64 letters, digits, dots, dashes, underscores or @, starting with a letter or digit';
}

function assertRole(role: string): asserts role is Role {
  if (!(ROLES as readonly string[]).includes(role)) throw new ScriptwardenError('USAGE', `role must be one of ${ROLES.join(', ')}, not "${role}"`);
}

/** Refuses a change that would leave users but no admin to manage them. */
async function keepAnAdmin(db: Db, without: number, actor: Actor): Promise<void> {
  if (!actor.keepAdmin) return;
  const others = (await db.prepare("SELECT COUNT(*) AS n FROM users WHERE id != ?").get(without)) as { n: number };
  const admins = (await db.prepare("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND id != ?").get(without)) as { n: number };
  if (others.n > 0 && admins.n === 0) throw new ScriptwardenError('USAGE', 'this is the last admin: make another user admin first');
}

export async function createUser(db: Db, input: { name: string; role: string; passwordHash: string }, actor: Actor, now: string): Promise<UserSummary> {
  const problem = userNameProblem(input.name);
  if (problem) throw new ScriptwardenError('USAGE', `user name ${problem}`);
  assertRole(input.role);
  const role: Role = input.role;
  return db.transaction(async () => {
    if (await userByName(db, input.name)) throw new ScriptwardenError('USAGE', `a user named "${input.name}" already exists`);
    await db.prepare('INSERT INTO users (name, role, password_hash, created_at, password_changed_at) VALUES (?, ?, ?, ?, ?)').run(input.name, role, input.passwordHash, now, now);
    await appendAudit(db, { ...auditActor(actor), action: 'user.created', objectType: 'user', objectId: input.name, after: { role } }, now);
    return (await listUsers(db, now, input.name))[0]!;
  });
}

const auditActor = (actor: Actor) => ({ actor: actor.name, ip: actor.ip });

export async function removeUser(db: Db, name: string, actor: Actor, now: string): Promise<void> {
  await db.transaction(async () => {
    const user = await required(db, name);
    await keepAnAdmin(db, user.id, actor);
    await db.prepare('DELETE FROM users WHERE id = ?').run(user.id);
    await appendAudit(db, { ...auditActor(actor), action: 'user.removed', objectType: 'user', objectId: user.name, before: { role: user.role } }, now);
  });
}

export async function setRole(db: Db, name: string, role: string, actor: Actor, now: string): Promise<UserSummary> {
  assertRole(role);
  return db.transaction(async () => {
    const user = await required(db, name);
    if (user.role !== role) {
      if (role !== 'admin') await keepAnAdmin(db, user.id, actor);
      await db.prepare('UPDATE users SET role = ? WHERE id = ?').run(role, user.id);
      await appendAudit(db, { ...auditActor(actor), action: 'user.role_changed', objectType: 'user', objectId: user.name, before: { role: user.role }, after: { role } }, now);
    }
    return (await listUsers(db, now, user.name))[0]!;
  });
}

/** A new password: clears the lockout and signs the user out everywhere. */
export async function setPassword(db: Db, name: string, passwordHash: string, actor: Actor, now: string): Promise<void> {
  await db.transaction(async () => {
    const user = await required(db, name);
    await db.prepare('UPDATE users SET password_hash = ?, password_changed_at = ?, failed_logins = 0, locked_until = NULL WHERE id = ?').run(passwordHash, now, user.id);
    await db.prepare('DELETE FROM sessions WHERE user_id = ?').run(user.id);
    await appendAudit(db, { ...auditActor(actor), action: 'user.password_reset', objectType: 'user', objectId: user.name }, now);
  });
}

/** Turns two-factor on with a confirmed secret and stores the recovery codes' hashes; or off (secret null). */
export async function setTwoFactor(db: Db, name: string, secret: string | null, recoveryCodes: string[], actor: Actor, now: string): Promise<void> {
  await db.transaction(async () => {
    const user = await required(db, name);
    await db.prepare('UPDATE users SET totp_secret = ?, totp_last_step = NULL WHERE id = ?').run(secret, user.id);
    await db.prepare('DELETE FROM recovery_codes WHERE user_id = ?').run(user.id);
    for (const code of recoveryCodes) await db.prepare('INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)').run(user.id, recoveryHash(code));
    if (secret === null) await db.prepare('DELETE FROM sessions WHERE user_id = ?').run(user.id);
    await appendAudit(db, {
      ...auditActor(actor), action: secret ? 'user.two_factor_enabled' : 'user.two_factor_reset', objectType: 'user', objectId: user.name,
      before: { twoFactor: user.totpSecret !== null }, after: { twoFactor: secret !== null },
    }, now);
  });
}

const recoveryHash = (code: string) => sha256Hex(code.replace(/[\s-]/g, '').toLowerCase());

/** Lockout policy: after `maxFailures` failures in a row the account is locked for `lockMs`. */
export interface LockoutPolicy {
  maxFailures: number;
  lockMs: number;
}

/** Counts a failed password or code; returns the lock's end when this failure locked the account. */
export async function recordLoginFailure(db: Db, user: UserRow, ip: string | null, reason: string, policy: LockoutPolicy, now: string): Promise<string | null> {
  return db.transaction(async () => {
    const failures = ((await userById(db, user.id))?.failedLogins ?? 0) + 1;
    const lockedUntil = failures >= policy.maxFailures ? new Date(Date.parse(now) + policy.lockMs).toISOString() : null;
    await db.prepare('UPDATE users SET failed_logins = ?, locked_until = COALESCE(?, locked_until) WHERE id = ?').run(lockedUntil ? 0 : failures, lockedUntil, user.id);
    await appendAudit(db, { actor: user.name, ip, action: 'login.failure', objectType: 'user', objectId: user.name, note: reason }, now);
    if (lockedUntil) await appendAudit(db, { actor: 'scriptwarden', ip, action: 'user.locked', objectType: 'user', objectId: user.name, after: { lockedUntil }, note: `${failures} failed sign-ins in a row` }, now);
    return lockedUntil;
  });
}

export async function recordLoginSuccess(db: Db, user: UserRow, ip: string | null, method: string, now: string): Promise<void> {
  await db.transaction(async () => {
    await db.prepare('UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = ? WHERE id = ?').run(now, user.id);
    await appendAudit(db, { actor: user.name, ip, action: 'login.success', objectType: 'user', objectId: user.name, note: method }, now);
  });
}

/** Accepts a TOTP step once: a code already used (or an older one) is a replay. */
export async function consumeTotpStep(db: Db, userId: number, step: number): Promise<boolean> {
  return (await db.prepare('UPDATE users SET totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)').run(step, userId, step)).changes === 1;
}

/** Uses one recovery code; false when it is unknown or already used. */
export async function consumeRecoveryCode(db: Db, userId: number, code: string, now: string): Promise<boolean> {
  return (await db.prepare('UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL').run(now, userId, recoveryHash(code))).changes === 1;
}

export const recoveryCodesLeft = async (db: Db, userId: number): Promise<number> =>
  ((await db.prepare('SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = ? AND used_at IS NULL').get(userId)) as { n: number }).n;
