// Overview: one row per target and profile, open alerts by severity, and a small alert trend.

import type { TargetOverview } from '../../src/store/overview.js';
import type { PausedTarget } from '../../src/store/settings.js';
import { SEVERITIES } from '../../src/capture/types.js';
import { html, safeHref } from '../html.js';
import { layout, pageLinks, severityBadge, timeText } from './layout.js';

export function overviewPage(
  targets: TargetOverview[], trend: { day: string; count: number }[], paused: PausedTarget[] = [],
  paging: { page: number; pageSize: number; total: number } = { page: 1, pageSize: targets.length, total: targets.length },
  latestId?: number | null,
): string {
  const max = Math.max(1, ...trend.map((t) => t.count));
  const bars = trend.map((t) => html`<span class="bar h${Math.round((t.count / max) * 10)}" title="${t.day}: ${t.count}"></span>`);
  const severities = [...SEVERITIES].reverse();
  const rows = targets.map((t) => {
    const share = t.scripts === 0 ? '–' : `${Math.round((t.approvedScripts / t.scripts) * 100)}%`;
    const result = t.lastStatus === 'failed'
      ? html`<span class="state state-failed">failed</span> <span class="muted">${t.lastError ?? ''}</span>`
      : t.lastStatus === 'ok' ? html`<span class="state state-ok">ok</span>` : html`<span class="muted">–</span>`;
    const alerts = severities.filter((s) => t.openAlerts[s] > 0).map(
      (s) => html`<a href="/alerts?status=open&amp;severity=${s}&amp;target=${encodeURIComponent(t.target)}">${severityBadge(s)} ${t.openAlerts[s]}</a> `,
    );
    return html`<tr>
      <td><a href="/alerts?target=${encodeURIComponent(t.target)}">${t.target}</a> <a class="small" href="/targets/${encodeURIComponent(t.target)}/harden">Harden</a> <a class="small" href="/targets/${encodeURIComponent(t.target)}/visitors">Visitors</a><div class="muted small"><a href="${safeHref(t.url)}" rel="noreferrer noopener" target="_blank">${t.url}</a></div></td>
      <td>${t.profile}</td><td>${timeText(t.lastScanAt)}</td><td>${result}</td>
      <td>${alerts.length ? alerts : html`<span class="muted">none</span>`}</td>
      <td class="num">${t.scripts}</td><td class="num">${share}</td>
    </tr>`;
  });
  return layout('Overview', html`
    <h1>Overview</h1>
    ${paused.length ? html`<p class="banner error" role="alert"><strong>Scheduled scans are paused</strong> for ${paused.map((p, i) => html`${i ? ', ' : ''}${p.target} (by ${p.by} since ${timeText(p.since)})`)}.</p>` : ''}
    <section class="trend" aria-label="Alerts opened per day, last ${trend.length} days"><h2>Alerts opened, last ${trend.length} days</h2><div class="bars">${bars}</div></section>
    <table><thead><tr><th>Target</th><th>Profile</th><th>Last scan</th><th>Result</th><th>Open alerts</th><th class="num">Scripts</th><th class="num">Approved</th></tr></thead>
    <tbody>${rows.length ? rows : html`<tr><td colspan="7" class="muted">No scans yet. Run <code>scriptwarden scan</code>.</td></tr>`}</tbody></table>
    ${pager(paging)}
  `, { active: '/', live: true, latestId });
}

/** Where this page sits among all pages and profiles, with links to the ones before and after it (none on one page). */
function pager({ page, pageSize, total }: { page: number; pageSize: number; total: number }) {
  if (total <= pageSize && page === 1) return '';
  const first = (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return pageLinks(page, last < total, (n) => `/?page=${n}`, undefined, html`<span class="muted">${first > total ? 'none' : `${first}–${last}`} of ${total} pages and profiles</span>`);
}
