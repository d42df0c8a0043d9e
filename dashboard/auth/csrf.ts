// CSRF: a request carrying a session cookie must also carry that session's synchronizer token (form field or header).

import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { ScriptwardenError } from '../../src/errors.js';
import { authOf } from './authenticate.js';

export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export function sameToken(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

/**
 * Bearer requests carry no ambient credential and pass; open access relies on the cross-site check and the loopback
 * host check; the sign-in form uses its own double-submit cookie.
 */
export function requireCsrfToken(req: Request, res: Response, next: NextFunction): void {
  // The sign-in form carries its own double-submit token (a signed-in user may sign in again as someone else).
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS' || req.path === '/login') return next();
  const { viewer, partial } = authOf(res);
  const session = viewer?.kind === 'session' ? viewer.session : partial;
  if (!session) return next();
  const given = req.get(CSRF_HEADER) ?? (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
  next(sameToken(given, session.csrfToken)
    ? undefined
    : new ScriptwardenError('FORBIDDEN', 'missing or wrong CSRF token: reload the page and try again (the API takes it as X-CSRF-Token)'));
}
