// Sign-in screens: password, the two-factor code, enrolment with its QR code, recovery codes, and the account page.

import { html } from '../html.js';
import { CSRF_INPUT, layout, notice, timeText } from './layout.js';


export function loginPage(options: { next: string; csrf: string; message: string | null; name?: string }): string {
  return layout('Sign in', html`<h1>Sign in</h1>${notice(options.message)}
    <form method="post" action="/login" class="sign-in">
      <input type="hidden" name="_csrf" value="${options.csrf}"><input type="hidden" name="next" value="${options.next}">
      <label>User name <input name="name" autocomplete="username" required maxlength="64" value="${options.name ?? ''}" autofocus></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required maxlength="1024"></label>
      <button type="submit">Sign in</button>
    </form>`);
}

export function twoFactorPage(options: { next: string; message: string | null }): string {
  return layout('Two-factor', html`<h1>Two-factor code</h1>${notice(options.message)}
    <form method="post" action="/login/two-factor" class="sign-in">${CSRF_INPUT}<input type="hidden" name="next" value="${options.next}">
      <label>Code from your authenticator app, or a recovery code
        <input name="code" autocomplete="one-time-code" inputmode="numeric" required maxlength="32" autofocus></label>
      <button type="submit">Continue</button>
    </form>
    <form method="post" action="/logout">${CSRF_INPUT}<button type="submit" class="link">Cancel</button></form>`);
}

export function enrolPage(options: { name: string; secret: string; qrDataUrl: string; required: boolean; message: string | null }): string {
  return layout('Two-factor setup', html`<h1>Set up two-factor sign-in</h1>
    ${options.required ? html`<p>Your role needs two-factor sign-in. Set it up to continue.</p>` : ''}${notice(options.message)}
    <ol>
      <li>Scan this code with an authenticator app (RFC 6238 TOTP, 6 digits, 30 seconds):<br>
        <img class="qr" src="${options.qrDataUrl}" alt="QR code for the two-factor secret" width="220" height="220"></li>
      <li>Or type the secret: <code class="totp-secret">${options.secret.replace(/(.{4})/g, '$1 ').trim()}</code></li>
      <li>Enter the code the app shows:</li>
    </ol>
    <form method="post" action="/account/two-factor" class="sign-in">${CSRF_INPUT}
      <label>Code <input name="code" autocomplete="one-time-code" inputmode="numeric" required maxlength="6" autofocus></label>
      <button type="submit">Turn on two-factor</button>
    </form>`);
}

export function recoveryCodesPage(codes: string[]): string {
  return layout('Recovery codes', html`<h1>Two-factor is on</h1>
    <p>Keep these recovery codes somewhere safe. Each signs you in once if you lose your authenticator. They are shown only now.</p>
    <ul class="recovery-codes">${codes.map((c) => html`<li><code>${c}</code></li>`)}</ul>
    <p><a class="button" href="/">Continue</a></p>`);
}

export interface AccountSession {
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
  current: boolean;
}

export function accountPage(options: {
  name: string; role: string; twoFactor: boolean; recoveryLeft: number; lastLoginAt: string | null; message: string | null; kind?: string; sessions: AccountSession[];
}): string {
  const sessions = options.sessions.map((x) => html`<tr><td>${timeText(x.createdAt)}</td><td>${timeText(x.lastSeenAt)}</td><td>${x.ip ?? ''}</td><td>${x.current ? 'this browser' : ''}</td></tr>`);
  return layout('Account', html`<h1>${options.name}</h1>${notice(options.message, options.kind)}
    <p>Role: <strong>${options.role}</strong>. Last sign-in: ${timeText(options.lastLoginAt)}.</p>
    <h2>Two-factor sign-in</h2>
    ${options.twoFactor
      ? html`<p>On. ${options.recoveryLeft} recovery codes left. An admin can reset it with <code>scriptwarden users reset-two-factor</code>.</p>`
      : html`<p>Off. <a class="button" href="/account/two-factor">Set up two-factor</a></p>`}
    <h2>Sessions</h2>
    <table class="sessions"><thead><tr><th>Signed in</th><th>Last request</th><th>From</th><th></th></tr></thead><tbody>${sessions}</tbody></table>
    <form method="post" action="/account/sessions/end" class="inline">${CSRF_INPUT}<button type="submit" class="danger">Sign out all other sessions</button></form>
    <h2>Change password</h2>
    <form method="post" action="/account/password" class="sign-in">${CSRF_INPUT}
      <label>Current password <input name="current" type="password" autocomplete="current-password" required maxlength="1024"></label>
      <label>New password (at least 12 characters) <input name="password" type="password" autocomplete="new-password" required minlength="12" maxlength="1024"></label>
      <button type="submit">Change password</button>
    </form>`);
}
