// The search screen (retro-hunt): the form, and every stored version, destination and evidence file that matched.

import type { HuntResult } from '../../src/run/hunt.js';
import type { HuntAlert } from '../../src/store/hunt.js';
import { html, type Html } from '../html.js';
import { layout, stateBadge, timeText } from './layout.js';

const KINDS = [['host', 'Host'], ['sha256', 'SHA-256'], ['string', 'Text'], ['regex', 'RE2 expression']] as const;

/** The search form with its kinds (the header has a box that guesses the kind). */
export function huntForm(kind: string, q: string): Html {
  return html`<form class="filters" method="get" action="/hunt" role="search">
    <select name="kind" aria-label="Search for">${KINDS.map(([value, label]) => html`<option value="${value}" ${value === kind ? 'selected' : ''}>${label}</option>`)}</select>
    <input name="q" value="${q}" maxlength="1000" placeholder="cdn-stats.example" aria-label="Search the stored record" autofocus>
    <button type="submit">Search</button></form>`;
}

const alertsOf = (alerts: HuntAlert[]) => (alerts.length === 0 ? html`<span class="muted">none</span>` : html`${alerts.map((a) => {
  const last = a.decisions.at(-1);
  return html`<div><a href="/alerts/${a.id}">#${a.id}</a> ${a.type} ${stateBadge(a.status)}${last ? html` by ${last.by} ${timeText(last.at)}${last.note ? html` — ${last.note}` : ''}` : ''}</div>`;
})}`);

export function huntPage(kind: string, q: string, result: HuntResult | null, error: string | null): string {
  const body = !result ? html`` : html`
    <p>${result.versions.length} script versions, ${result.destinations.length} destinations, ${result.evidence.length} evidence files
      (searched ${result.searched.bodies} stored bodies and ${result.searched.evidence} evidence files).</p>
    ${result.truncated ? html`<p class="banner error" role="alert">The search stopped at its time limit: what is listed matched, the rest was not searched. <code>scriptwarden hunt</code> searches everything.</p>` : ''}
    ${result.versions.length ? html`<h2>Script versions</h2><table><thead><tr><th>Target</th><th>Profile</th><th>Script</th><th>SHA-256</th><th>State</th><th>First seen</th><th>Last seen</th><th>Matched</th><th>Alerts and decisions</th></tr></thead><tbody>
      ${result.versions.map((v) => html`<tr><td>${v.target}</td><td>${v.profile}</td><td><code>${v.url ?? v.script}</code></td><td><code title="${v.sha256}">${v.sha256.slice(0, 16)}…</code></td>
        <td>${v.state ? stateBadge(v.state) : html`<span class="muted">never approved</span>`}</td><td>${timeText(v.firstSeen)}</td><td>${timeText(v.lastSeen)}</td><td>${v.matched.join(', ')}</td><td>${alertsOf(v.alerts)}</td></tr>`)}
    </tbody></table>` : ''}
    ${result.destinations.length ? html`<h2>Destinations</h2><table><thead><tr><th>Target</th><th>Profile</th><th>Host</th><th>First seen</th><th>Last seen</th><th>Alerts and decisions</th></tr></thead><tbody>
      ${result.destinations.map((d) => html`<tr><td>${d.target}</td><td>${d.profile}</td><td><code>${d.host}</code></td><td>${timeText(d.firstSeen)}</td><td>${timeText(d.lastSeen)}</td><td>${alertsOf(d.alerts)}</td></tr>`)}
    </tbody></table>` : ''}
    ${result.evidence.length ? html`<h2>Evidence files</h2><table><thead><tr><th>Target</th><th>Profile</th><th>Scan</th><th>File</th><th>When</th></tr></thead><tbody>
      ${result.evidence.map((e) => html`<tr><td>${e.target}</td><td>${e.profile}</td><td>${e.scanId}</td><td><code>${e.name}</code></td><td>${timeText(e.at)}</td></tr>`)}
    </tbody></table>` : ''}`;
  return layout('Search', html`<h1>Search the record</h1>
    <p class="muted">Since when were we serving it? Every stored version of every script and resource, every destination and every evidence file.</p>
    ${huntForm(kind, q)}${error ? html`<p class="banner error" role="alert">${error}</p>` : ''}${body}`, { active: '/hunt' });
}
