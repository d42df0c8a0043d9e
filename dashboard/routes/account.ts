// The signed-in user's own page: two-factor enrolment (QR code, recovery codes) and changing their password.

import { randomBytes } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import QRCode from 'qrcode';
import { hashPassword, passwordProblem, verifyPassword } from '../../src/auth/passwords.js';
import { ScriptwardenError } from '../../src/errors.js';
import { twoFactorRequired } from '../../src/auth/roles.js';
import { base32Decode, base32Encode, newTotpSecret, otpauthUri, verifyTotp } from '../../src/auth/totp.js';
import type { Session } from '../../src/store/sessions.js';
import type { Store } from '../../src/store/open-store.js';
import { actorOf, authOf, need, type AuthSettings } from '../auth/authenticate.js';
import { bodyText } from '../request-input.js';
import { sendPage } from '../send-page.js';
import { accountPage, enrolPage, recoveryCodesPage } from '../views/sign-in.js';
import { startSession } from './sign-in.js';

const RECOVERY_CODES = 10;

/** Ten codes of ten base32 characters (50 bits each), grouped for reading. */
function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODES }, () => base32Encode(randomBytes(7)).slice(0, 10).toLowerCase().replace(/^(.{5})/, '$1-'));
}

/** The session of a person (not a token, not open access), signed in fully or still enrolling. */
function personSession(res: Response): Session | null {
  const { viewer, partial } = authOf(res);
  if (viewer?.kind === 'session') return viewer.session;
  return partial?.stage === 'enrol' ? partial : null;
}

function requirePerson(req: Request, res: Response, next: NextFunction): void {
  if (personSession(res)) return next();
  if (authOf(res).viewer) return next(new ScriptwardenError('FORBIDDEN', 'only a signed-in person has an account page'));
  need('read')(req, res, next);
}

export function accountRouter(store: Store, settings: AuthSettings): Router {
  const router = Router();
  const showAccount = async (res: Response, message: string | null, kind = 'error', status = 200) => {
    const session = personSession(res)!;
    const user = (await store.access.users.get(session.user.name))!;
    sendPage(res, accountPage({
      name: user.name, role: user.role, twoFactor: user.totpSecret !== null, recoveryLeft: await store.access.users.recoveryCodesLeft(user.id),
      lastLoginAt: user.lastLoginAt, message, kind,
      sessions: (await store.access.sessions.ofUser(user.id)).map((x) => ({ createdAt: x.createdAt, lastSeenAt: x.lastSeenAt, ip: x.ip, current: x.idHash === session.idHash })),
    }), status);
  };

  router.get('/account', need('read'), requirePerson, (_req, res) => showAccount(res, null));

  router.post('/account/password', need('read'), requirePerson, async (req, res) => {
    const session = personSession(res)!;
    // The current password is a password guess like a sign-in: it counts toward the account's lockout, and a locked
    // account (a stolen session guessing) is not asked again.
    const user = (await store.access.users.get(session.user.name))!;
    // Reserved before the hash, as a sign-in is: guesses sent at once count each.
    const reserved = await store.access.attempts.reserve(req.ip ?? 'unknown', user.id, { perAddress: settings.loginAttemptsPerIp, windowMs: 15 * 60_000, perAccount: settings.lockout.maxFailures });
    if (!('id' in reserved)) {
      return showAccount(res, 'Too many wrong passwords: the password cannot be changed now. Ask an admin to reset it.', 'error', reserved.refused === 'address' ? 429 : 423);
    }
    const right = await verifyPassword(bodyText(req, 'current'), user.passwordHash);
    await store.access.attempts.settle(reserved.id, right);
    if (!right) {
      await store.access.users.loginFailed(user, req.ip ?? null, 'wrong current password on the account page', settings.lockout);
      return showAccount(res, 'The current password is not right.', 'error', 400);
    }
    const password = bodyText(req, 'password');
    const problem = passwordProblem(password);
    if (problem) return showAccount(res, `The new password ${problem}.`, 'error', 400);
    await store.access.users.setPassword(session.user.name, await hashPassword(password), actorOf(req, res));
    // Changing the password signs out every session, this one included: continue in a fresh one.
    await startSession(store, settings, req, res, session.user, 'full');
    res.redirect(303, '/account');
  });

  router.post('/account/sessions/end', need('read'), requirePerson, async (req, res) => {
    const session = personSession(res)!;
    const ended = await store.access.sessions.endOthers(session.user, session.idHash, actorOf(req, res));
    await showAccount(res, `Signed out ${ended} other session${ended === 1 ? '' : 's'}.`, 'ok');
  });

  const showEnrol = async (res: Response, session: Session, message: string | null, status = 200) => {
    let secret = session.pendingTotpSecret;
    if (!secret) {
      secret = base32Encode(newTotpSecret());
      await store.access.sessions.setPendingTotp(session.idHash, secret);
    }
    const uri = otpauthUri(base32Decode(secret)!, session.user.name);
    const qrDataUrl = `data:image/svg+xml;base64,${Buffer.from(await QRCode.toString(uri, { type: 'svg', margin: 2 })).toString('base64')}`;
    const required = twoFactorRequired(session.user.role, await store.access.twoFactorPolicy());
    sendPage(res, enrolPage({ name: session.user.name, secret, qrDataUrl, required, message }), status);
  };

  router.get('/account/two-factor', requirePerson, async (_req, res) => {
    const session = personSession(res)!;
    if (session.user.totpSecret) return res.redirect(303, '/account');
    await showEnrol(res, session, null);
  });

  router.post('/account/two-factor', requirePerson, async (req, res) => {
    const session = personSession(res)!;
    if (session.user.totpSecret) return res.redirect(303, '/account');
    const secret = session.pendingTotpSecret ? base32Decode(session.pendingTotpSecret) : null;
    const step = secret ? verifyTotp(secret, bodyText(req, 'code').trim(), Date.now() / 1000, { window: 1 }) : null;
    if (step === null) return showEnrol(res, session, 'That code is not right. Check the time on your device and try the next code.', 400);
    const codes = newRecoveryCodes();
    await store.access.users.setTwoFactor(session.user.name, session.pendingTotpSecret, codes, actorOf(req, res));
    await store.access.users.useTotpStep(session.user.id, step);
    if (session.stage === 'enrol') await store.access.users.loginSucceeded(session.user, req.ip ?? null, 'password + authenticator (enrolled)');
    // A step up in trust gets a new session id, like sign-in.
    await startSession(store, settings, req, res, session.user, 'full');
    sendPage(res, recoveryCodesPage(codes));
  });
  return router;
}
