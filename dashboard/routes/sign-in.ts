// Sign-in, the two-factor step and sign-out; a fresh session id at every step up, lockout and per-address limits.

import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { hashPassword, verifyPassword } from '../../src/auth/passwords.js';
import { twoFactorRequired } from '../../src/auth/roles.js';
import { base32Decode, verifyTotp } from '../../src/auth/totp.js';
import type { SessionStage } from '../../src/store/sessions.js';
import type { Store } from '../../src/store/open-store.js';
import { userNameProblem, type UserRow } from '../../src/store/users.js';
import { authOf, type AuthSettings } from '../auth/authenticate.js';
import { sameToken } from '../auth/csrf.js';
import { dropCookie, LOGIN_COOKIE, readCookie, SESSION_COOKIE, writeCookie } from '../auth/session-cookie.js';
import { bodyText } from '../request-input.js';
import { sendPage } from '../send-page.js';
import { loginPage, twoFactorPage } from '../views/sign-in.js';


/** Only a path on this site: never another origin (//evil.example) as the place to go after sign-in. */
export function safeNext(raw: unknown): string {
  return typeof raw === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(raw) && !raw.startsWith('/login') ? raw : '/';
}

/** Replaces whatever session the browser had with a new one (the session id changes at every sign-in step). */
export async function startSession(store: Store, settings: AuthSettings, req: Request, res: Response, user: UserRow, stage: SessionStage): Promise<void> {
  const previous = authOf(res).viewer;
  if (previous?.kind === 'session') await store.access.sessions.remove(previous.session.idHash);
  const partial = authOf(res).partial;
  if (partial) await store.access.sessions.remove(partial.idHash);
  const { cookie } = await store.access.sessions.create(user.id, stage, req.ip ?? null);
  writeCookie(req, res, SESSION_COOKIE, cookie, { maxAgeMs: settings.absoluteMs });
  // The rest of this response (a page rendered after sign-in) belongs to the new session.
  const session = (await store.access.sessions.read(cookie, { idleMs: settings.idleMs, absoluteMs: settings.absoluteMs }))!;
  const state = authOf(res);
  state.viewer = stage === 'full' ? { kind: 'session', name: user.name, role: user.role, session } : null;
  state.partial = stage === 'full' ? null : session;
}

const lockedText = (until: string) => `This account is locked until ${until.slice(0, 19).replace('T', ' ')} UTC after repeated failed sign-ins. Try again later, or ask an admin to reset the password.`;

export function signInRouter(store: Store, settings: AuthSettings): Router {
  const router = Router();
  // Kept in the database and taken before the slow hash: the limits hold for any number of requests at once, and
  // across several serve processes on one database.
  const limits = { perAddress: settings.loginAttemptsPerIp, windowMs: 15 * 60_000, perAccount: settings.lockout.maxFailures };
  let dummyHash: Promise<string> | null = null;
  const now = () => new Date().toISOString();

  const showLogin = (req: Request, res: Response, message: string | null, status: number, name?: string) => {
    // One token per browser, kept while it lives: a second tab (or a favicon request sent to sign-in) must not void the first form.
    const csrf = readCookie(req, LOGIN_COOKIE) ?? randomBytes(24).toString('base64url');
    writeCookie(req, res, LOGIN_COOKIE, csrf, { path: '/login', maxAgeMs: 60 * 60_000 });
    sendPage(res, loginPage({ next: safeNext(req.query.next ?? bodyText(req, 'next')), csrf, message, name }), status);
  };

  router.get('/login', (req, res) => {
    if (authOf(res).viewer?.kind === 'session') return res.redirect(303, safeNext(req.query.next));
    showLogin(req, res, null, 200);
  });

  router.post('/login', async (req, res) => {
    const ip = req.ip ?? 'unknown';
    // Double-submit: a form's token must match the cookie set with it. A script that posts neither is not a browser
    // being steered by another site (browsers are also held to the cross-site check in create-app.ts).
    const cookie = readCookie(req, LOGIN_COOKIE);
    const given = bodyText(req, '_csrf', 200);
    if ((cookie || given) && !(cookie && sameToken(given, cookie))) return showLogin(req, res, 'The sign-in form expired. Please try again.', 403);
    const name = (bodyText(req, 'name', 64) || bodyText(req, 'username', 64)).trim();
    const password = bodyText(req, 'password');
    const user = name ? await store.access.users.get(name) : null;
    const reserved = await store.access.attempts.reserve(ip, user?.id ?? null, limits);
    if ('refused' in reserved && reserved.refused === 'address') {
      res.set('Retry-After', String(reserved.retryAfterS));
      return showLogin(req, res, `Too many failed sign-ins from your address. Try again in ${Math.ceil(reserved.retryAfterS / 60)} minutes.`, 429);
    }
    if (!user) {
      // The same work as a real check, so response time does not tell which names exist.
      await verifyPassword(password, await (dummyHash ??= hashPassword('not a real password at all')));
      if ('id' in reserved) await store.access.attempts.settle(reserved.id, false);
      // A password typed into the name field must not land in the log: only a well-formed user name is kept.
      const shown = userNameProblem(name) === null ? name : '(not a user name)';
      await store.access.audit.append({ actor: shown, ip, action: 'login.failure', objectType: 'user', objectId: shown, note: 'unknown user' });
      return showLogin(req, res, 'Wrong user name or password.', 401, name);
    }
    if (!('id' in reserved)) {
      // A locked account, or one with as many checks running as it may still fail, answers as an unknown name does,
      // after the same work and without checking this password: the lock shows to admins, not to whoever asks.
      await verifyPassword(password, await (dummyHash ??= hashPassword('not a real password at all')));
      const locked = user.lockedUntil !== null && user.lockedUntil > now();
      await store.access.audit.append({ actor: user.name, ip, action: 'login.failure', objectType: 'user', objectId: user.name, note: locked ? 'account locked' : 'refused: the account has as many checks running as it may fail' });
      return showLogin(req, res, 'Wrong user name or password.', 401, name);
    }
    const right = await verifyPassword(password, user.passwordHash);
    // A failure is counted on the account before its check stops counting as running: never neither, for a guess that arrives between.
    if (!right) {
      await store.access.users.loginFailed(user, ip, 'wrong password', settings.lockout);
      await store.access.attempts.settle(reserved.id, false);
      return showLogin(req, res, 'Wrong user name or password.', 401, name);
    }
    await store.access.attempts.settle(reserved.id, true);
    if (cookie) dropCookie(req, res, LOGIN_COOKIE, '/login');
    const next = safeNext(bodyText(req, 'next'));
    if (user.totpSecret) {
      await startSession(store, settings, req, res, user, 'password');
      return res.redirect(303, `/login/two-factor?next=${encodeURIComponent(next)}`);
    }
    if (twoFactorRequired(user.role, await store.access.twoFactorPolicy())) {
      await startSession(store, settings, req, res, user, 'enrol');
      return res.redirect(303, '/account/two-factor');
    }
    await store.access.users.loginSucceeded(user, ip, 'password');
    await startSession(store, settings, req, res, user, 'full');
    res.redirect(303, next);
  });

  router.get('/login/two-factor', (req, res) => {
    if (authOf(res).partial?.stage !== 'password') return res.redirect(303, '/login');
    sendPage(res, twoFactorPage({ next: safeNext(req.query.next), message: null }));
  });

  router.post('/login/two-factor', async (req, res) => {
    const partial = authOf(res).partial;
    if (partial?.stage !== 'password') return res.redirect(303, '/login');
    const ip = req.ip ?? 'unknown';
    const user = partial.user;
    const reserved = await store.access.attempts.reserve(ip, user.id, limits);
    if ('refused' in reserved && reserved.refused === 'address') {
      res.set('Retry-After', String(reserved.retryAfterS));
      return sendPage(res, twoFactorPage({ next: safeNext(bodyText(req, 'next')), message: 'Too many failed attempts from your address. Try again later.' }), 429);
    }
    const next = safeNext(bodyText(req, 'next'));
    if (!('id' in reserved)) {
      const lockedUntil = (await store.access.users.get(user.name))?.lockedUntil ?? null;
      await store.access.sessions.remove(partial.idHash);
      dropCookie(req, res, SESSION_COOKIE);
      return sendPage(res, loginPage({ next, csrf: '', message: lockedUntil && lockedUntil > now() ? lockedText(lockedUntil) : 'Too many attempts at once for this account. Sign in again.' }), 423);
    }
    const code = bodyText(req, 'code', 32).replace(/\s/g, '');
    let method: string | null = null;
    const secret = base32Decode(user.totpSecret ?? '');
    if (/^\d{6}$/.test(code) && secret) {
      const step = verifyTotp(secret, code, Date.now() / 1000, { window: 1 });
      if (step !== null && await store.access.users.useTotpStep(user.id, step)) method = 'password + authenticator';
    } else if (code.length >= 8 && await store.access.users.useRecoveryCode(user.id, code)) {
      method = 'password + recovery code';
    }
    if (method) await store.access.attempts.settle(reserved.id, true);
    else {
      const locked = await store.access.users.loginFailed(user, ip, 'wrong two-factor code', settings.lockout);
      await store.access.attempts.settle(reserved.id, false);
      if (locked) {
        await store.access.sessions.remove(partial.idHash);
        dropCookie(req, res, SESSION_COOKIE);
        return res.redirect(303, '/login');
      }
      return sendPage(res, twoFactorPage({ next, message: 'That code is not right (or was already used).' }), 401);
    }
    await store.access.users.loginSucceeded(user, ip, method);
    await startSession(store, settings, req, res, user, 'full');
    res.redirect(303, next);
  });

  router.post('/logout', async (req, res) => {
    const { viewer, partial } = authOf(res);
    const session = viewer?.kind === 'session' ? viewer.session : partial;
    if (session) {
      await store.access.sessions.remove(session.idHash);
      await store.access.audit.append({ actor: session.user.name, ip: req.ip ?? null, action: 'logout', objectType: 'user', objectId: session.user.name });
    }
    dropCookie(req, res, SESSION_COOKIE);
    res.redirect(303, '/login');
  });
  return router;
}
