// The store's team-access face: users, sessions, API tokens, settings and the audit log, over one database.

import { TWO_FACTOR_POLICIES, type TwoFactorPolicy } from '../auth/roles.js';
import { appendAudit, listAudit, verifyAudit, type AuditEntry, type AuditInput, type AuditQuery, type AuditVerifyReport } from './audit.js';
import { createToken, listTokens, revokeToken, tokenIdByValue, userForToken, type TokenSummary } from './api-tokens.js';
import type { Db } from './database.js';
import {
  createSession, deleteSession, endOtherSessions, pruneSessions, readSession, setPendingTotp, userSessions,
  type Session, type SessionLimits, type SessionStage, type SessionSummary,
} from './sessions.js';
import { pausedTargets, readSetting, setTargetPaused, writeSetting, type PausedTarget } from './settings.js';
import {
  consumeRecoveryCode, consumeTotpStep, countUsers, createUser, listUsers, recordLoginFailure, recordLoginSuccess, recoveryCodesLeft,
  removeUser, setPassword, setRole, setTwoFactor, userByName, type Actor, type LockoutPolicy, type UserRow, type UserSummary,
} from './users.js';

import { reserveAttempt, settleAttempt, type AttemptLimits, type Reservation } from './login-attempts.js';

export interface Access {
  users: {
    count(): Promise<number>;
    get(name: string): Promise<UserRow | null>;
    list(now?: string): Promise<UserSummary[]>;
    create(input: { name: string; role: string; passwordHash: string }, actor: Actor, now?: string): Promise<UserSummary>;
    remove(name: string, actor: Actor, now?: string): Promise<void>;
    setRole(name: string, role: string, actor: Actor, now?: string): Promise<UserSummary>;
    setPassword(name: string, passwordHash: string, actor: Actor, now?: string): Promise<void>;
    setTwoFactor(name: string, secret: string | null, recoveryCodes: string[], actor: Actor, now?: string): Promise<void>;
    loginFailed(user: UserRow, ip: string | null, reason: string, policy: LockoutPolicy, now?: string): Promise<string | null>;
    loginSucceeded(user: UserRow, ip: string | null, method: string, now?: string): Promise<void>;
    useTotpStep(userId: number, step: number): Promise<boolean>;
    useRecoveryCode(userId: number, code: string, now?: string): Promise<boolean>;
    recoveryCodesLeft(userId: number): Promise<number>;
  };
  /** Password and code checks, reserved before they run (see login-attempts.ts). */
  attempts: {
    reserve(ip: string, userId: number | null, limits: AttemptLimits, now?: string): Promise<Reservation>;
    settle(id: number, ok: boolean): Promise<void>;
  };
  sessions: {
    create(userId: number, stage: SessionStage, ip: string | null, now?: string): Promise<{ cookie: string; csrfToken: string }>;
    read(cookie: string, limits: SessionLimits, now?: string): Promise<Session | null>;
    remove(idHash: string): Promise<void>;
    setPendingTotp(idHash: string, secret: string | null): Promise<void>;
    prune(limits: SessionLimits, now?: string): Promise<number>;
    ofUser(userId: number): Promise<SessionSummary[]>;
    /** Ends all the user's sessions but `keep`, audited. */
    endOthers(user: UserRow, keep: string | null, actor: Actor, now?: string): Promise<number>;
  };
  tokens: {
    create(input: { user: string; name: string; expiresAt: string | null }, actor: Actor, now?: string): Promise<{ token: string; summary: TokenSummary }>;
    list(user?: string, now?: string): Promise<TokenSummary[]>;
    revoke(id: number, actor: Actor, now?: string): Promise<TokenSummary>;
    userFor(token: string, now?: string): Promise<{ user: UserRow; tokenId: number } | null>;
    idOf(token: string): Promise<number | null>;
  };
  /** Scheduled scans paused by an admin, per target. */
  targets: {
    paused(): Promise<PausedTarget[]>;
    setPaused(target: string, paused: boolean, actor: Actor, now?: string): Promise<void>;
  };
  twoFactorPolicy(): Promise<TwoFactorPolicy>;
  setTwoFactorPolicy(policy: TwoFactorPolicy, actor: Actor, now?: string): Promise<void>;
  /** Records a setting that comes from the config file (approvals); audited when it changes. Returns the value before, or undefined when unchanged. */
  recordSetting(key: string, value: string, actor: Actor, now?: string): Promise<string | null | undefined>;
  audit: {
    append(entry: AuditInput, now?: string): Promise<number>;
    list(query?: AuditQuery): Promise<AuditEntry[]>;
    verify(): Promise<AuditVerifyReport>;
  };
}

export function createAccess(db: Db): Access {
  const clock = (now?: string) => now ?? new Date().toISOString();
  return {
    users: {
      count: () => countUsers(db),
      get: (name) => userByName(db, name),
      list: (now) => listUsers(db, clock(now)),
      create: (input, actor, now) => createUser(db, input, actor, clock(now)),
      remove: (name, actor, now) => removeUser(db, name, actor, clock(now)),
      setRole: (name, role, actor, now) => setRole(db, name, role, actor, clock(now)),
      setPassword: (name, hash, actor, now) => setPassword(db, name, hash, actor, clock(now)),
      setTwoFactor: (name, secret, codes, actor, now) => setTwoFactor(db, name, secret, codes, actor, clock(now)),
      loginFailed: (user, ip, reason, policy, now) => recordLoginFailure(db, user, ip, reason, policy, clock(now)),
      loginSucceeded: (user, ip, method, now) => recordLoginSuccess(db, user, ip, method, clock(now)),
      useTotpStep: (userId, step) => consumeTotpStep(db, userId, step),
      useRecoveryCode: (userId, code, now) => consumeRecoveryCode(db, userId, code, clock(now)),
      recoveryCodesLeft: (userId) => recoveryCodesLeft(db, userId),
    },
    attempts: {
      reserve: (ip, userId, limits, now) => reserveAttempt(db, { ip, userId, limits, now: clock(now) }),
      settle: (id, ok) => settleAttempt(db, id, ok),
    },
    sessions: {
      create: (userId, stage, ip, now) => createSession(db, userId, stage, ip, clock(now)),
      read: (cookie, limits, now) => readSession(db, cookie, limits, clock(now)),
      remove: (idHash) => deleteSession(db, idHash),
      setPendingTotp: (idHash, secret) => setPendingTotp(db, idHash, secret),
      prune: (limits, now) => pruneSessions(db, limits, clock(now)),
      ofUser: (userId) => userSessions(db, userId),
      endOthers: async (user, keep, actor, now) => db.transaction(async () => {
        const ended = await endOtherSessions(db, user.id, keep);
        await appendAudit(db, { actor: actor.name, ip: actor.ip, action: 'user.sessions_ended', objectType: 'user', objectId: user.name, after: { ended } }, clock(now));
        return ended;
      }),
    },
    tokens: {
      create: (input, actor, now) => createToken(db, input, actor, clock(now)),
      list: (user, now) => listTokens(db, clock(now), user === undefined ? {} : { user }),
      revoke: (id, actor, now) => revokeToken(db, id, actor, clock(now)),
      userFor: (token, now) => userForToken(db, token, clock(now)),
      idOf: (token) => tokenIdByValue(db, token),
    },
    targets: {
      paused: () => pausedTargets(db),
      setPaused: (target, paused, actor, now) => setTargetPaused(db, target, paused, actor, clock(now)),
    },
    twoFactorPolicy: async () => {
      const value = await readSetting(db, 'two_factor_policy');
      return (TWO_FACTOR_POLICIES as readonly string[]).includes(value ?? '') ? (value as TwoFactorPolicy) : 'optional';
    },
    setTwoFactorPolicy: async (policy, actor, now) => { await writeSetting(db, 'two_factor_policy', policy, actor, clock(now)); },
    recordSetting: (key, value, actor, now) => writeSetting(db, key, value, actor, clock(now)),
    audit: {
      append: async (entry, now) => db.transaction(async () => appendAudit(db, entry, clock(now))),
      list: (query) => listAudit(db, query),
      verify: () => verifyAudit(db),
    },
  };
}
