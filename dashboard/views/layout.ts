// The page frame every dashboard screen shares: navigation, stylesheet and the external script.

import { Html, html } from '../html.js';

/**
 * `live`: the page reloads by itself when a new alert is raised (the overview and the alert list); `latestId` is the
 * newest alert when its data was read, so an alert raised while it loads reloads it too.
 */
export function layout(title: string, body: Html, options: { active?: string; live?: boolean; latestId?: number | null } = {}): string {
  const nav = [
    ['/', 'Overview'],
    ['/alerts', 'Alerts'],
    ['/inventory', 'Inventory'],
    ['/scans', 'Scans'],
    ['/reports', 'Reports'],
  ].map(([href, label]) => html`<a href="${href}" class="${options.active === href ? 'active' : ''}">${label}</a>`);
  return `<!doctype html>${html`<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · scriptwarden</title>
<link rel="stylesheet" href="/static/app.css">
<script src="/static/app.js" defer></script>
</head><body${new Html(options.live ? ` data-live="alerts"${options.latestId !== undefined ? ` data-latest="${options.latestId ?? 'none'}"` : ''}` : '')}>
<header><strong class="brand">scriptwarden</strong><nav>${nav}</nav>${SEARCH}${ACCOUNT_SLOT}</header>
${BANNER_SLOT}<main>${body}</main>
</body></html>`.value}`;
}

/** The search box every page has (the retro-hunt, /hunt): a hash, a host or text, told apart by their shape. */
const SEARCH = html`<form class="search" method="get" action="/hunt" role="search"><input name="q" maxlength="1000" placeholder="Search: host, hash, text" aria-label="Search the stored record"><input type="hidden" name="kind" value="auto"></form>`;

/** Filled per request by sendPage: who is signed in, and the admin links. */
const ACCOUNT_SLOT = new Html('<!--sw:account-->');
const BANNER_SLOT = new Html('<!--sw:banner-->');
/** Put inside every POST form: sendPage replaces it with the session's CSRF token field. */
export const CSRF_INPUT = new Html('<!--sw:csrf-->');

/** A message at the top of a page: what just happened, or why it did not. */
export function notice(message: string | null, kind = 'error'): Html {
  return message ? html`<p class="banner ${kind}" role="alert">${message}</p>` : html``;
}

export function timeText(iso: string | null): Html {
  if (!iso) return html`<span class="muted">never</span>`;
  return html`<time datetime="${iso}">${iso.slice(0, 19).replace('T', ' ')} UTC</time>`;
}

export function severityBadge(severity: string): Html {
  return html`<span class="sev sev-${severity}">${severity}</span>`;
}

export function stateBadge(state: string): Html {
  return html`<span class="state state-${state}">${state}</span>`;
}

/** Links to the page before and after this one of a paged list; `middle` says where the page sits, when known. */
export function pageLinks(page: number, hasMore: boolean, href: (page: number) => string, words = ['← previous', 'next →'], middle: Html | string = ''): Html {
  return html`<p class="pager">${page > 1 ? html`<a href="${href(page - 1)}">${words[0]}</a>` : ''} ${middle} ${hasMore ? html`<a href="${href(page + 1)}">${words[1]}</a>` : ''}</p>`;
}
