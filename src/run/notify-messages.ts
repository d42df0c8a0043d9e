// What a notification says: the webhook JSON, the Slack text and the email (plain text and HTML) for one alert event.

import type { AlertWithDetails } from '../store/alerts.js';

export type AlertEvent = 'alert.opened' | 'alert.updated' | 'alert.resolved';

/** The dashboard address of an alert, when dashboardUrl is configured. */
export function alertLink(alert: { id: number }, dashboardUrl: string | undefined): string | null {
  if (!dashboardUrl) return null;
  return new URL(`alerts/${alert.id}`, dashboardUrl.endsWith('/') ? dashboardUrl : `${dashboardUrl}/`).href;
}

/** The webhook body: the event and the alert with the same fields as `alerts --json`. */
export function webhookBody(alert: AlertWithDetails, event: AlertEvent = 'alert.opened'): string {
  return JSON.stringify({ event, alert });
}

const verb = (alert: AlertWithDetails, event: AlertEvent) => (event === 'alert.resolved' ? 'RESOLVED' : alert.severity.toUpperCase());

function headline(alert: AlertWithDetails, event: AlertEvent): string {
  return `${verb(alert, event)} ${alert.type} on ${alert.target} (${alert.profile})`;
}

export function slackBody(alert: AlertWithDetails, dashboardUrl: string | undefined, event: AlertEvent = 'alert.opened'): string {
  const href = alertLink(alert, dashboardUrl);
  const link = href ? ` <${href}|alert #${alert.id}>` : ` (alert #${alert.id})`;
  // Slack reads <, > and & as markup: scanned text is escaped so a hostile URL cannot forge a link.
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return JSON.stringify({ text: `*${verb(alert, event)}* ${alert.type} on ${escape(alert.target)} (${alert.profile}): ${escape(alert.summary.slice(0, 500))}${link}` });
}

/** Escapes text for an email's HTML part. */
export const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** Subject, plain text and HTML of an alert email. Scanned text is escaped in the HTML and never linked. */
export function emailMessage(alert: AlertWithDetails, dashboardUrl: string | undefined, event: AlertEvent = 'alert.opened'): { subject: string; text: string; html: string } {
  const href = alertLink(alert, dashboardUrl);
  // A subject is one line: scanned text with line breaks cannot add mail headers.
  const subject = `[scriptwarden] ${headline(alert, event)}`.replace(/[\r\n]+/g, ' ').slice(0, 200);
  const rows: [string, string][] = [
    ['Alert', `#${alert.id} ${alert.type}`],
    ['Severity', alert.severity],
    ['Status', alert.status],
    ['Target', `${alert.target} (${alert.profile})`],
    ['Page', alert.page],
    ['Subject', alert.subject],
    ['First seen', alert.firstSeen],
    ['Last seen', alert.lastSeen],
  ];
  const text = [
    headline(alert, event),
    '',
    alert.summary,
    '',
    ...rows.map(([k, v]) => `${k}: ${v}`),
    ...(href ? ['', `Review it: ${href}`] : []),
  ].join('\n');
  const html = [
    `<h2>${escapeHtml(headline(alert, event))}</h2>`,
    `<p>${escapeHtml(alert.summary)}</p>`,
    '<table>',
    ...rows.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`),
    '</table>',
    ...(href ? [`<p><a href="${escapeHtml(href)}">Review alert #${alert.id}</a></p>`] : []),
  ].join('\n');
  return { subject, text, html };
}
