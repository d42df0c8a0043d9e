// Alerts list: filters by status, severity, target and type; most severe and newest first.

import type { AlertWithDetails } from '../../src/store/alerts.js';
import { approvalsNeeded, type ApprovalPolicy } from '../../src/auth/approvals.js';
import { ALERT_STATUSES, ALERT_TYPES, SEVERITIES } from '../../src/capture/types.js';
import { html } from '../html.js';
import { layout, pageLinks, severityBadge, stateBadge, timeText } from './layout.js';

export interface AlertFilter {
  status: string;
  severity: string;
  target: string;
  type: string;
}

function select(name: string, current: string, options: readonly string[], any: string) {
  return html`<label>${name} <select name="${name}">
    <option value="">${any}</option>${options.map((o) => html`<option value="${o}" ${o === current ? html`selected` : ''}>${o}</option>`)}
  </select></label>`;
}

/** `approvals`: the approval policy, so an alert waiting for a second person's approval says "1 of 2". */
export function alertsPage(alerts: AlertWithDetails[], filter: AlertFilter, targets: string[], paging = { page: 1, hasMore: false }, approvals?: ApprovalPolicy, latestId?: number | null): string {
  const pageHref = (page: number) => `/alerts?${new URLSearchParams({ ...filter, page: String(page) }).toString()}`;
  const rows = alerts.map((a) => html`<tr>
    <td><a href="/alerts/${a.id}">#${a.id}</a></td><td>${severityBadge(a.severity)}</td><td>${stateBadge(a.status)}${a.status === 'open' && a.approvals.length > 0 ? html` <span class="muted small">${a.approvals.length} of ${approvalsNeeded(approvals, a.severity)} approvals</span>` : ''}</td>
    <td>${a.type}</td><td>${a.target} <span class="muted">${a.profile}</span></td>
    <td class="summary"><a href="/alerts/${a.id}">${a.summary}</a></td><td>${timeText(a.lastSeen)}</td>
  </tr>`);
  return layout('Alerts', html`
    <h1>Alerts</h1>
    <form class="filters" method="get" action="/alerts">
      ${select('status', filter.status, [...ALERT_STATUSES, 'all'], 'open')}
      ${select('severity', filter.severity, [...SEVERITIES].reverse(), 'any severity')}
      ${select('target', filter.target, targets, 'any target')}
      ${select('type', filter.type, ALERT_TYPES, 'any type')}
      <button type="submit">Filter</button>
    </form>
    <table><thead><tr><th>ID</th><th>Severity</th><th>Status</th><th>Type</th><th>Target</th><th>Summary</th><th>Last seen</th></tr></thead>
    <tbody>${rows.length ? rows : html`<tr><td colspan="7" class="muted">No alerts match.</td></tr>`}</tbody></table>
    ${pageLinks(paging.page, paging.hasMore, pageHref)}
  `, { active: '/alerts', live: true, latestId });
}
