// The session cookie: read from the Cookie header, set HttpOnly and SameSite=Lax, Secure whenever the request came over HTTPS.

import type { Request, Response } from 'express';

export const SESSION_COOKIE = 'sw_session';
export const LOGIN_COOKIE = 'sw_login';

export function readCookie(req: Request, name: string): string | null {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{1,200}$/.test(value) ? value : null;
    }
  }
  return null;
}

/** `secure` follows req.secure, which honours the trustProxy setting behind a TLS-terminating proxy. */
export function writeCookie(req: Request, res: Response, name: string, value: string, options: { maxAgeMs?: number; path?: string } = {}): void {
  res.cookie(name, value, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: options.path ?? '/', maxAge: options.maxAgeMs });
}

export function dropCookie(req: Request, res: Response, name: string, path = '/'): void {
  res.clearCookie(name, { httpOnly: true, sameSite: 'lax', secure: req.secure, path });
}
