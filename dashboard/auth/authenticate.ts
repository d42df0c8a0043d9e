// Works out who is asking: a bearer token, a session cookie, or (loopback with no users yet) open access as admin.

import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isLoopback } from '../../src/auth/loopback.js';
import { allows, twoFactorRequired, type Permission, type Role } from '../../src/auth/roles.js';
import { ScriptwardenError } from '../../src/errors.js';
import type { Session } from '../../src/store/sessions.js';
import type { Store } from '../../src/store/open-store.js';
import type { Actor } from '../../src/store/users.js';
import { readCookie, SESSION_COOKIE } from './session-cookie.js';

export type Viewer =
  | { kind: 'open'; name: string; role: Role }
  | { kind: 'session'; name: string; role: Role; session: Session }
  | { kind: 'token'; name: string; role: Role; tokenId: number };

export interface AuthState {
  /** Who may act; null when nobody is signed in. */
  viewer: Viewer | null;
  /** A session still between password and two-factor (or forced enrolment). */
  partial: Session | null;
  /** True while no user exists and the dashboard runs open on loopback. */
  open: boolean;
}

export interface AuthSettings {
  /** serve allows open access only on a loopback address; it ends as soon as the first user exists. */
  allowOpen: boolean;
  idleMs: number;
  absoluteMs: number;
  lockout: { maxFailures: number; lockMs: number };
  loginAttemptsPerIp: number;
}

export const authOf = (res: Response): AuthState => res.locals.auth as AuthState;

/** The actor recorded in the audit log for this request (a user still enrolling in two-factor acts as themselves). */
export function actorOf(req: Request, res: Response): Actor {
  const { viewer, partial } = authOf(res);
  return { name: viewer?.name ?? partial?.user.name ?? 'anonymous', ip: req.ip ?? null, keepAdmin: true };
}

/** Machine endpoints answer errors as JSON, and 401 (with a Bearer challenge) instead of sending people to the sign-in form. */
export const answersJson = (req: Request) => req.originalUrl.startsWith('/api/') || req.path === '/metrics';

const loopbackHost = (req: Request): boolean => isLoopback((req.get('host') ?? '').replace(/:\d+$/, ''));

export function authenticate(store: Store, settings: AuthSettings, openActor: string): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const state: AuthState = { viewer: null, partial: null, open: false };
    res.locals.auth = state;
    // Only the Bearer scheme is ours: a proxy's Basic credentials pass through untouched.
    const bearer = /^Bearer\s+(\S*)\s*$/i.exec(req.get('authorization') ?? '');
    if (bearer) {
      const found = await store.access.tokens.userFor(bearer[1]!);
      if (!found) {
        res.set('WWW-Authenticate', 'Bearer realm="scriptwarden", error="invalid_token"');
        return next(new ScriptwardenError('UNAUTHORIZED', 'the API token is unknown, revoked or expired'));
      }
      state.viewer = { kind: 'token', name: found.user.name, role: found.user.role, tokenId: found.tokenId };
      return next();
    }
    const cookie = readCookie(req, SESSION_COOKIE);
    const session = cookie ? await store.access.sessions.read(cookie, { idleMs: settings.idleMs, absoluteMs: settings.absoluteMs }) : null;
    // A policy or role change that now demands two-factor applies to sessions already open: enrol before anything else.
    const mustEnrol = session?.stage === 'full' && !session.user.totpSecret && twoFactorRequired(session.user.role, await store.access.twoFactorPolicy());
    if (session?.stage === 'full' && !mustEnrol) state.viewer = { kind: 'session', name: session.user.name, role: session.user.role, session };
    else if (session) state.partial = mustEnrol ? { ...session, stage: 'enrol' } : session;
    else if (settings.allowOpen && (await store.access.users.count()) === 0) {
      // Open access answers only to loopback names, so a DNS-rebound page on another name cannot use it.
      if (!loopbackHost(req)) return next(new ScriptwardenError('FORBIDDEN', 'open access (no users yet) answers only on localhost, 127.0.0.1 or [::1]'));
      // A reverse proxy on the same machine sends a loopback Host too: a proxied request is someone else's.
      if (['x-forwarded-for', 'x-forwarded-host', 'forwarded', 'via'].some((h) => req.headers[h] !== undefined)) {
        return next(new ScriptwardenError('FORBIDDEN', 'open access (no users yet) refuses requests that came through a proxy; create the first user with "scriptwarden users add NAME --role admin"'));
      }
      state.open = true;
      state.viewer = { kind: 'open', name: openActor, role: 'admin' };
    }
    next();
  };
}

/** Lets the request through when its viewer's role allows `permission`: else 401/302 for nobody, 403 for too little. */
export function need(permission: Permission): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const { viewer, partial } = authOf(res);
    if (viewer) {
      return next(allows(viewer.role, permission) ? undefined : new ScriptwardenError('FORBIDDEN', `the ${viewer.role} role may not do this`));
    }
    if (answersJson(req)) {
      res.set('WWW-Authenticate', 'Bearer realm="scriptwarden"');
      return next(new ScriptwardenError('UNAUTHORIZED', 'sign in, or send Authorization: Bearer <token>'));
    }
    if (partial?.stage === 'password') return res.redirect(302, '/login/two-factor');
    if (partial?.stage === 'enrol') return res.redirect(302, '/account/two-factor');
    const back = req.method === 'GET' ? `?next=${encodeURIComponent(req.originalUrl)}` : '';
    res.redirect(302, `/login${back}`);
  };
}
