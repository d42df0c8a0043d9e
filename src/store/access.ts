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
    count(): number;
    get(name: string): UserRow | null;
    list(now?: string): UserSummary[];
    create(input: { name: string; role: string; passwordHash: string }, actor: Actor, now?: string): UserSummary;
    remove(name: string, actor: Actor, now?: string): void;
    setRole(name: string, role: string, actor: Actor, now?: string): UserSummary;
    setPassword(name: string, passwordHash: string, actor: Actor, now?: string): void;
    setTwoFactor(name: string, secret: string | null, recoveryCodes: string[], actor: Actor, now?: string): void;
    loginFailed(user: UserRow, ip: string | null, reason: string, policy: LockoutPolicy, now?: string): string | null;
    loginSucceeded(user: UserRow, ip: string | null, method: string, now?: string): void;
    useTotpStep(userId: number, step: number): boolean;
    useRecoveryCode(userId: number, code: string, now?: string): boolean;
    recoveryCodesLeft(userId: number): number;
  };
  /** Password and code checks, reserved before they run (see login-attempts.ts). */
  attempts: {
    reserve(ip: string, userId: number | null, limits: AttemptLimits, now?: string): Reservation;
    settle(id: number, ok: boolean): void;
  };
  sessions: {
    create(userId: number, stage: SessionStage, ip: string | null, now?: string): { cookie: string; csrfToken: string };
    read(cookie: string, limits: SessionLimits, now?: string): Session | null;
    remove(idHash: string): void;
    setPendingTotp(idHash: string, secret: string | null): void;
    prune(limits: SessionLimits, now?: string): number;
    ofUser(userId: number): SessionSummary[];
    /** Ends all the user's sessions but `keep`, audited. */
    endOthers(user: UserRow, keep: string | null, actor: Actor, now?: string): number;
  };
  tokens: {
    create(input: { user: string; name: string; expiresAt: string | null }, actor: Actor, now?: string): { token: string; summary: TokenSummary };
    list(user?: string, now?: string): TokenSummary[];
    revoke(id: number, actor: Actor, now?: string): TokenSummary;
    userFor(token: string, now?: string): { user: UserRow; tokenId: number } | null;
    idOf(token: string): number | null;
  };
  /** Scheduled scans paused by an admin, per target. */
  targets: {
    paused(): PausedTarget[];
    setPaused(target: string, paused: boolean, actor: Actor, now?: string): void;
  };
  twoFactorPolicy(): TwoFactorPolicy;
  setTwoFactorPolicy(policy: TwoFactorPolicy, actor: Actor, now?: string): void;
  /** Records a setting that comes from the config file (approvals); audited when it changes. Returns the value before, or undefined when unchanged. */
  recordSetting(key: string, value: string, actor: Actor, now?: string): string | null | undefined;
  audit: {
    append(entry: AuditInput, now?: string): number;
    list(query?: AuditQuery): AuditEntry[];
    verify(): AuditVerifyReport;
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
      endOthers: (user, keep, actor, now) => db.transaction(() => {
        const ended = endOtherSessions(db, user.id, keep);
        appendAudit(db, { actor: actor.name, ip: actor.ip, action: 'user.sessions_ended', objectType: 'user', objectId: user.name, after: { ended } }, clock(now));
        return ended;
      }).immediate(),
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
    twoFactorPolicy: () => {
      const value = readSetting(db, 'two_factor_policy');
      return (TWO_FACTOR_POLICIES as readonly string[]).includes(value ?? '') ? (value as TwoFactorPolicy) : 'optional';
    },
    setTwoFactorPolicy: (policy, actor, now) => { writeSetting(db, 'two_factor_policy', policy, actor, clock(now)); },
    recordSetting: (key, value, actor, now) => writeSetting(db, key, value, actor, clock(now)),
    audit: {
      append: (entry, now) => db.transaction(() => appendAudit(db, entry, clock(now))).immediate(),
      list: (query) => listAudit(db, query),
      verify: () => verifyAudit(db),
    },
  };
}
