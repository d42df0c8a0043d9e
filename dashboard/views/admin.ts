// Admin screens: users and roles, API tokens, and the two-factor policy.

import { ROLES, TWO_FACTOR_POLICIES, type TwoFactorPolicy } from '../../src/auth/roles.js';
import type { TokenSummary } from '../../src/store/api-tokens.js';
import type { UserSummary } from '../../src/store/users.js';
import type { PausedTarget } from '../../src/store/settings.js';
import { html } from '../html.js';
import { CSRF_INPUT, layout, notice, stateBadge, timeText } from './layout.js';

const roleOptions = (current?: string) => ROLES.map((r) => html`<option value="${r}" ${r === current ? 'selected' : ''}>${r}</option>`);

export function usersPage(users: UserSummary[], message: string | null, kind = 'error'): string {
  const rows = users.map((u) => html`<tr>
    <td>${u.name}</td>
    <td><form method="post" action="/admin/users/${encodeURIComponent(u.name)}/role" class="inline">${CSRF_INPUT}<select name="role">${roleOptions(u.role)}</select><button type="submit">Change</button></form></td>
    <td>${u.twoFactor ? 'on' : 'off'}${u.twoFactor ? html` <form method="post" action="/admin/users/${encodeURIComponent(u.name)}/reset-two-factor" class="inline">${CSRF_INPUT}<button type="submit">Reset</button></form>` : ''}</td>
    <td>${u.lockedUntil ? html`${stateBadge('locked')} until ${timeText(u.lockedUntil)}` : u.failedLogins ? `${u.failedLogins} failed` : ''}</td>
    <td>${timeText(u.lastLoginAt)}</td><td>${u.tokens}</td>
    <td><form method="post" action="/admin/users/${encodeURIComponent(u.name)}/remove" class="inline">${CSRF_INPUT}<button type="submit" class="danger">Remove</button></form></td>
  </tr>`);
  return layout('Users', html`<h1>Users</h1>${notice(message, kind)}
    <table><thead><tr><th>Name</th><th>Role</th><th>Two-factor</th><th>Lockout</th><th>Last sign-in</th><th>Tokens</th><th></th></tr></thead><tbody>${rows}</tbody></table>
    <h2>Add a user</h2>
    <form method="post" action="/admin/users" class="sign-in">${CSRF_INPUT}
      <label>Name <input name="name" required maxlength="64" pattern="[A-Za-z0-9][A-Za-z0-9._@\\-]*"></label>
      <label>Role <select name="role">${roleOptions('viewer')}</select></label>
      <label>First password (at least 12 characters; they change it on their account page) <input name="password" type="password" autocomplete="new-password" required minlength="12" maxlength="1024"></label>
      <button type="submit">Add user</button>
    </form>`);
}

export function tokensPage(tokens: TokenSummary[], users: string[], created: { token: string; summary: TokenSummary } | null, message: string | null): string {
  const shown = created
    ? html`<div class="banner ok" role="status"><p>Token #${created.summary.id} for ${created.summary.user}. Copy it now: it is not shown again.</p><pre class="new-token">${created.token}</pre></div>`
    : '';
  const rows = tokens.map((t) => html`<tr><td>${t.id}</td><td>${t.user}</td><td>${t.name}</td><td><code>${t.prefix}…</code></td><td>${stateBadge(t.state)}</td>
    <td>${timeText(t.createdAt)} by ${t.createdBy}</td><td>${t.expiresAt ? timeText(t.expiresAt) : 'never'}</td><td>${timeText(t.lastUsedAt)}</td>
    <td>${t.state === 'active' ? html`<form method="post" action="/admin/tokens/${t.id}/revoke" class="inline">${CSRF_INPUT}<button type="submit" class="danger">Revoke</button></form>` : ''}</td></tr>`);
  return layout('API tokens', html`<h1>API tokens</h1>${notice(message)}${shown}
    <table><thead><tr><th>#</th><th>User</th><th>Name</th><th>Starts</th><th>State</th><th>Created</th><th>Expires</th><th>Last used</th><th></th></tr></thead><tbody>${rows}</tbody></table>
    <h2>Create a token</h2>
    <form method="post" action="/admin/tokens" class="sign-in">${CSRF_INPUT}
      <label>User (the token carries their role) <select name="user">${users.map((u) => html`<option>${u}</option>`)}</select></label>
      <label>Name <input name="name" value="api" required maxlength="64"></label>
      <label>Expires in <select name="expires"><option value="30d">30 days</option><option value="90d" selected>90 days</option><option value="365d">1 year</option><option value="never">never</option></select></label>
      <button type="submit">Create token</button>
    </form>`);
}

export interface SettingsView {
  policy: TwoFactorPolicy;
  channels: string[];
  targets: string[];
  paused: PausedTarget[];
}

export function settingsPage(view: SettingsView, message: string | null): string {
  const labels: Record<TwoFactorPolicy, string> = { optional: 'optional for everyone', approvers: 'required for approvers and admins' };
  const pausedBy = new Map(view.paused.map((p) => [p.target, p]));
  const targets = view.targets.map((name) => {
    const paused = pausedBy.get(name);
    const action = paused ? 'resume' : 'pause';
    return html`<tr><td>${name}</td><td>${paused ? html`${stateBadge('paused')} since ${timeText(paused.since)} by ${paused.by}` : 'scanning on schedule'}</td>
      <td><form method="post" action="/admin/targets/${encodeURIComponent(name)}/${action}" class="inline">${CSRF_INPUT}<button type="submit">${paused ? 'Resume' : 'Pause'}</button></form></td></tr>`;
  });
  return layout('Settings', html`<h1>Settings</h1>${notice(message, 'ok')}
    <h2>Two-factor sign-in</h2>
    <form method="post" action="/admin/settings" class="sign-in">${CSRF_INPUT}
      <label>Two-factor is <select name="twoFactorPolicy">${TWO_FACTOR_POLICIES.map((p) => html`<option value="${p}" ${p === view.policy ? 'selected' : ''}>${labels[p]}</option>`)}</select></label>
      <button type="submit">Save</button>
    </form>
    <h2>Targets</h2>
    <p class="muted">Pause a target's scheduled scans for a maintenance window; every pause and resume is in the audit log. Targets themselves are defined in the configuration file.</p>
    <table><thead><tr><th>Target</th><th>Schedule</th><th></th></tr></thead><tbody>${targets}</tbody></table>
    <h2>Notification channels</h2>
    <p class="muted">Channels come from the configuration file, so changes to them are reviewed where the file is kept.</p>
    ${view.channels.length ? html`<ul>${view.channels.map((c) => html`<li>${c}</li>`)}</ul>` : html`<p>None configured.</p>`}`);
}
