// Sends a rendered page with its per-request parts: the signed-in user's menu, the open-access banner, CSRF fields.

import type { Response } from 'express';
import type { AuthState } from './auth/authenticate.js';
import { CSRF_FIELD } from './auth/csrf.js';
import { html } from './html.js';

function account(auth: AuthState | undefined): string {
  const viewer = auth?.viewer;
  if (!viewer || viewer.kind === 'open') return '';
  const admin = viewer.role === 'admin'
    ? html`<a href="/admin/users">Users</a><a href="/admin/tokens">Tokens</a><a href="/audit">Audit</a><a href="/admin/settings">Settings</a>`
    : '';
  const signOut = viewer.kind === 'session'
    ? html`<form method="post" action="/logout" class="logout"><input type="hidden" name="${CSRF_FIELD}" value="${viewer.session.csrfToken}"><button type="submit">Sign out</button></form>`
    : '';
  return html`<nav class="account">${admin}<a href="/account">${viewer.name}</a><span class="muted">${viewer.role}</span>${signOut}</nav>`.value;
}

function banner(auth: AuthState | undefined): string {
  if (!auth?.open) return '';
  return html`<p class="banner open-access" role="alert"><strong>Open access:</strong> no users exist yet, so anyone who can reach this address acts as an admin.
Create the first admin with <code>npx scriptwarden users add NAME --role admin</code>.</p>`.value;
}

export function sendPage(res: Response, page: string, status = 200): void {
  const auth = res.locals.auth as AuthState | undefined;
  const viewer = auth?.viewer;
  const token = viewer?.kind === 'session' ? viewer.session.csrfToken : auth?.partial?.csrfToken ?? '';
  const csrf = html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`.value;
  res.status(status).type('html').set('cache-control', 'no-store').send(
    // Replacer functions: the inserted text is never read as a $-pattern.
    page.replace('<!--sw:account-->', () => account(auth)).replace('<!--sw:banner-->', () => banner(auth)).replaceAll('<!--sw:csrf-->', () => csrf),
  );
}
