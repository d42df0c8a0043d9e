// A target's Visitors panel: what visitors' browsers reported over the last day and week (CSP reports), and which of
// it the crawler's record does not explain.

import type { StoredReport } from '../../src/store/visitor-reports.js';
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
