// A target's Visitors panel: what visitors' browsers reported over the last day and week (CSP reports), and which of
// it the crawler's record does not explain.

import type { StoredReport, subjectFigures } from '../../src/store/visitor-reports.js';

export type VisitorFigures = Awaited<ReturnType<typeof subjectFigures>>;
import { html, type Html } from '../html.js';
import { layout, timeText } from './layout.js';

function table(reports: StoredReport[]): Html {
  if (reports.length === 0) return html`<p class="muted">No reports.</p>`;
  return html`<table><thead><tr><th>Blocked</th><th>Directive</th><th>Page</th><th>From</th><th class="num">Count</th><th>Browsers</th><th>First seen</th><th>Last seen</th><th>Crawler</th></tr></thead><tbody>
    ${reports.map((r) => html`<tr><td><code>${r.blocked}</code>${r.sample ? html`<div class="muted small"><code>${r.sample}</code></div>` : ''}</td><td><code>${r.directive}</code></td><td><code>${r.document}</code></td>
      <td>${r.source ? html`<code>${r.source}${r.line !== null ? `:${r.line}` : ''}</code>` : ''}</td><td class="num">${r.count}</td><td>${r.uaFamily}, ${r.device}</td>
      <td>${timeText(r.firstSeen)}</td><td>${timeText(r.lastSeen)}</td><td>${r.explained ?? html`<strong>not explained</strong>`}</td></tr>`)}
  </tbody></table>`;
}

export function visitorsPage(target: string, day: StoredReport[], week: StoredReport[]): string {
  const unexplained = week.filter((r) => r.explained === null && r.kind !== 'other');
  return layout(`Visitors of ${target}`, html`<h1>What visitors reported: ${target}</h1>
    <p class="muted">CSP reports from real visitors' browsers (<code>scriptwarden report-policy ${target}</code> prints the header), checked against what the crawler saw.</p>
    <h2>Not explained by the crawler (last 7 days)</h2>${table(unexplained)}
    <h2>Last 24 hours</h2>${table(day)}
    <h2>Last 7 days</h2>${table(week)}`);
}

/** A visitor alert's change section: the running figures of its reports, and the script as the collector fetched it. */
export function visitorChange(alert: { type: string; subject: string; newValue: string | null; details: Record<string, unknown> }, figures: VisitorFigures, body: string | null, code: (body: string) => Html): Html {
  const first = (alert.details.visitors ?? {}) as { directive?: string; document?: string; source?: string | null; line?: number | null; sample?: string | null };
  const fetched = alert.details.fetched as { status?: number | null; sha256?: string | null; bytes?: number | null; error?: string | null; userAgent?: string; device?: string } | undefined;
  const cell = (label: string, value: Html | string | null | undefined) => (value === null || value === undefined || value === '' ? '' : html`<tr><th>${label}</th><td>${value}</td></tr>`);
  const script = alert.type === 'visitor.unseen-script';
  return html`<h2>What visitors' browsers reported</h2><table class="kv">
      ${cell(script ? 'Script' : 'Destination', html`<code>${alert.subject}</code>`)}
      ${cell('Reports', `${figures.count} (${figures.reports} distinct)`)}
      ${cell('First seen', figures.firstSeen ? timeText(figures.firstSeen) : null)}${cell('Last seen', figures.lastSeen ? timeText(figures.lastSeen) : null)}
      ${cell('Devices', figures.devices.join(', '))}${cell('Browsers', figures.userAgents.join(', '))}
      ${cell('Directive', first.directive ? html`<code>${first.directive}</code>` : null)}${cell('Page', first.document ? html`<code>${first.document}</code>` : null)}
      ${cell('From', first.source ? html`<code>${first.source}${typeof first.line === 'number' ? `:${first.line}` : ''}</code>` : null)}
      ${cell('Sample', first.sample ? html`<code>${first.sample}</code>` : null)}
    </table>
    ${script && fetched ? html`<h2>The script as the collector fetched it</h2>
      <p class="muted">Fetched with a ${fetched.device ?? 'visitor'}'s user agent (<code>${fetched.userAgent ?? ''}</code>) through the bounded fetcher: ${fetched.sha256 ? `HTTP ${fetched.status ?? ''}, ${fetched.bytes ?? 0} bytes, SHA-256 ` : `not fetched: ${fetched.error ?? `HTTP ${fetched.status ?? ''}`}`}${fetched.sha256 ? html`<code>${fetched.sha256}</code>` : ''}</p>
      ${body !== null ? code(body) : ''}` : ''}`;
}
