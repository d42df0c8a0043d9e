// The Harden screen of a target: the proposed policy and whether its replay was clean, the SRI snippets, the scripts
// that must not get one, and what is weak in the page's policy today.

import type { HardenResult } from '../../src/run/harden.js';
import { html } from '../html.js';
import { layout } from './layout.js';

export function hardenPage(r: HardenResult): string {
  const p = r.proposal;
  const verdict = r.replays.length === 0
    ? html`<p class="banner error" role="alert">Not proved: this process has no browser to replay the page with the policy (the web role). <code>scriptwarden harden ${r.target}</code> replays it.</p>`
    : r.safe
      ? html`<p class="banner ok">Safe: the page was replayed with this policy enforced in ${r.replays.map((x) => x.profile).join(', ')}, with no violation.</p>`
      : html`<p class="banner error" role="alert">Not safe: with this policy enforced, the replay would break what is listed below.</p>`;
  const broken = r.replays.flatMap((x) => [
    ...(x.ok ? [] : [html`<tr><td>${x.profile}</td><td colspan="3">the replay did not complete: ${x.error ?? ''}</td></tr>`]),
    ...x.violations.map((v) => html`<tr><td>${x.profile}</td><td><code>${v.directive}</code></td><td><code>${v.blocked}</code>${v.source ? html`<div class="muted small">${v.source}</div>` : ''}</td><td>${v.fix}</td></tr>`),
  ]);
  return layout(`Harden ${r.target}`, html`<h1>Harden ${r.target}</h1>
    <p class="muted">A Content-Security-Policy and Subresource Integrity proposed from the approved inventory of <code>${r.page}</code>. Deploy the header as Report-Only first: it blocks nothing until it is renamed.</p>
    ${verdict}
    <h2>Proposed policy</h2><pre class="code"><code>${p.header}: ${p.policy}</code></pre>
    ${p.notes.length ? html`<ul>${p.notes.map((n) => html`<li>${n}</li>`)}</ul>` : ''}
    ${broken.length ? html`<h2>What would break</h2><table><thead><tr><th>Profile</th><th>Directive</th><th>Blocked</th><th>Fix</th></tr></thead><tbody>${broken}</tbody></table>` : ''}
    <h2>Subresource Integrity</h2>${p.sri.length ? html`<pre class="code"><code>${p.sri.map((s) => `${s.snippet}\n`).join('')}</code></pre>` : html`<p class="muted">No static script at a versioned URL.</p>`}
    ${p.noSri.length ? html`<h3>Scripts that must not get an integrity value</h3><table><thead><tr><th>Script</th><th>Why</th></tr></thead><tbody>${p.noSri.map((s) => html`<tr><td><code>${s.url}</code></td><td>${s.reason}</td></tr>`)}</tbody></table>` : ''}
    <h2>The page's policy today</h2><pre class="code"><code>${p.current.policy ?? 'none'}</code></pre>
    <ul>${p.current.weaknesses.map((w) => html`<li>${w}</li>`)}</ul>`);
}
