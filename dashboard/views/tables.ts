// Inventory, scans and script-history screens.

import type { BoundedDiff } from '../../src/evidence/diff.js';
import { describeRelease } from '../../src/store/inventory.js';
import type { InventoryRow } from '../../src/evidence/inventory-report.js';
import type { FieldAccessRow } from '../../src/store/field-access.js';
import type { ScanRow, ScriptInfo, ScriptVersion } from '../../src/store/overview.js';
import type { LibraryMatch } from '../../src/detect/intel/libraries.js';
import { MASK_RULE_HELP, MASK_RULES, type MaskSettings } from '../../src/plan/normalize.js';
import { SCRIPT_KINDS } from '../../src/capture/types.js';
import { html, type Html } from '../html.js';
import { diffTable } from './diff.js';
import { CSRF_INPUT, layout, pageLinks, stateBadge, timeText } from './layout.js';

export interface InventoryView {
  target: string;
  /** The other filters of a grouped authorization: host (or *.domain), vendor, kind. */
  host: string;
  vendor: string;
  kind: string;
  page: number;
  hasMore: boolean;
  /** Whether the viewer may authorize scripts (approvers and admins). */
  canAuthorize: boolean;
  /** How many scripts were just authorized (after the form), to say so. */
  authorized?: number;
}

function authorizationCell(r: InventoryRow): Html {
  if (!r.authorizedBy) return html`<span class="muted">not authorized</span>`;
  return html`${r.justification ?? html`<span class="muted">(no justification)</span>`}${r.bulkApproved ? html` <span class="state state-pending" title="approved in bulk with approve --all: give it a justification of its own">bulk-approved</span>` : ''}
    <div class="muted small">${r.authorizedBy} · ${timeText(r.authorizedAt!)}</div>`;
}

export function inventoryPage(rows: InventoryRow[], view: InventoryView, targets: string[], access: FieldAccessRow[] = []): string {
  const { target, page, hasMore } = view;
  const filters = new URLSearchParams(Object.entries({ target, host: view.host, vendor: view.vendor, kind: view.kind }).filter(([, v]) => v));
  const pageHref = (n: number) => `/inventory?${filters.toString() ? `${filters.toString()}&` : ''}page=${n}`;
  const body = rows.map((r) => html`<tr>
    ${view.canAuthorize ? html`<td><input type="checkbox" name="script" value="${r.scriptId}" aria-label="select script ${r.scriptId}" ${r.state === 'removed' ? html`disabled` : ''}></td>` : ''}
    <td>${r.target} <span class="muted">${r.profile}</span></td><td>${r.kind}</td>
    <td class="subject"><a href="/scripts/${r.scriptId}">${r.subject}</a>${r.library ? html`<div class="muted small">${r.library}${r.vulnerabilities.length ? html` · ${r.vulnerabilities.length} known vulnerabilities` : ''}${r.release ? html` · ${r.release}` : ''}</div>` : ''}${r.disabledRules.length ? html`<div class="muted small">rules off: ${r.disabledRules.join(', ')}</div>` : ''}${r.chain.length ? html`<div class="muted small">loaded by ${r.chain.join(' → ')}</div>` : ''}</td>
    <td>${r.host ?? ''}<div class="muted small">${r.party} party${r.vendor ? html` · ${r.vendor} (${r.category ?? 'other'})` : ''}${r.runsIn === 'page' ? '' : html` · in a ${r.runsIn}`}</div></td><td>${timeText(r.firstSeen)}</td><td>${timeText(r.lastSeen)}</td>
    <td>${stateBadge(r.state)}${r.present ? '' : html` <span class="muted">absent</span>`}${r.masked ? html`<div class="muted small">${r.masked}</div>` : ''}</td>
    <td>${authorizationCell(r)}</td>
  </tr>`);
  const csvHref = target ? `/inventory.csv?target=${encodeURIComponent(target)}` : '/inventory.csv';
  const columns = view.canAuthorize ? 9 : 8;
  const table = html`<table><thead><tr>${view.canAuthorize ? html`<th><span class="sr-only">Select</span></th>` : ''}<th>Target</th><th>Kind</th><th>Script</th><th>Source</th><th>First seen</th><th>Last seen</th><th>State</th><th>Authorization</th></tr></thead>
    <tbody>${body.length ? body : html`<tr><td colspan="${columns}" class="muted">No scripts match.</td></tr>`}</tbody></table>`;
  return layout('Inventory', html`
    <h1>Script inventory <span class="muted small">PCI DSS 6.4.3</span></h1>
    ${view.authorized ? html`<p class="notice">Authorized ${view.authorized} script${view.authorized === 1 ? '' : 's'}.</p>` : ''}
    <form class="filters" method="get" action="/inventory"><label>target <select name="target"><option value="">all targets</option>
      ${targets.map((t) => html`<option value="${t}" ${t === target ? html`selected` : ''}>${t}</option>`)}</select></label>
      <label>host <input name="host" value="${view.host}" placeholder="cdn.example.com or *.example.com" maxlength="253"></label>
      <label>vendor <input name="vendor" value="${view.vendor}" maxlength="100"></label>
      <label>kind <select name="kind"><option value="">any</option>${SCRIPT_KINDS.map((k) => html`<option value="${k}" ${k === view.kind ? html`selected` : ''}>${k}</option>`)}</select></label>
      <button type="submit">Filter</button> <a class="button" href="${csvHref}">Export CSV</a></form>
    ${view.canAuthorize ? html`<form method="post" action="/inventory/authorize" class="authorize">${CSRF_INPUT}
      ${table}
      <fieldset><legend>Authorize selected scripts</legend>
        <label>Justification <span class="muted small">why these scripts are necessary on the page (kept with each script, across its versions)</span>
          <textarea name="justification" required maxlength="4000" placeholder="e.g. card tokenisation by our payment provider"></textarea></label>
        <button type="submit">Authorize selected</button></fieldset>
    </form>` : table}
    ${pageLinks(page, hasMore, pageHref)}
    <h2>Scripts that touch payment and login fields <span class="muted small">latest scan, while canary data was typed</span></h2>
    <table><thead><tr><th>Target</th><th>Script</th><th>What it did</th><th>Seen</th></tr></thead>
    <tbody>${access.length ? access.map((a) => html`<tr><td>${a.target} <span class="muted">${a.profile}</span></td><td class="subject">${a.script ?? html`<span class="muted">unknown (no stack)</span>`}</td>
      <td><ul class="plain">${a.actions.map((x) => html`<li><code>${x}</code></li>`)}</ul></td><td>${timeText(a.scannedAt)}</td></tr>`) : html`<tr><td colspan="4" class="muted">No script listened to or read a payment or login field.</td></tr>`}</tbody></table>
  `, { active: '/inventory' });
}

export function scansPage(scans: ScanRow[], page: number, hasMore: boolean): string {
  const rows = scans.map((s) => html`<tr>
    <td>#${s.id}</td><td>${s.target} <span class="muted">${s.profile}</span></td><td>${timeText(s.startedAt)}</td>
    <td class="num">${(s.durationMs / 1000).toFixed(1)} s</td>
    <td>${stateBadge(s.status)} ${s.errorCode ? html`<code>${s.errorCode}</code> ${s.errorMessage ?? ''}` : ''}${s.warnings.length ? html`<ul class="warnings">${s.warnings.slice(0, 10).map((w) => html`<li>⚠ ${w}</li>`)}${s.warnings.length > 10 ? html`<li class="muted">and ${s.warnings.length - 10} more</li>` : ''}</ul>` : ''}</td>
    <td class="num">${s.scripts}</td><td class="num">${s.newAlerts}</td>
  </tr>`);
  const nav = pageLinks(page, hasMore, (n) => `/scans?page=${n}`, ['← newer', 'older →']);
  return layout('Scans', html`
    <h1>Scans</h1>
    <table><thead><tr><th>Scan</th><th>Target</th><th>Started</th><th class="num">Duration</th><th>Result</th><th class="num">Scripts</th><th class="num">New alerts</th></tr></thead>
    <tbody>${rows.length ? rows : html`<tr><td colspan="7" class="muted">No scans yet.</td></tr>`}</tbody></table>${nav}
  `, { active: '/scans' });
}

/** The masking rules of one script, as a form of checkboxes. */
function rulesForm(scriptId: number, settings: MaskSettings): Html {
  return html`<h2>Masking rules</h2>
    <p class="muted small">A version that differs from an accepted one only in what these rules mask is recorded, not alerted.</p>
    <form method="post" action="/scripts/${scriptId}/rules" class="rules">${CSRF_INPUT}
      ${MASK_RULES.map((rule) => html`<label><input type="checkbox" name="rule" value="${rule}" ${settings.disabled.includes(rule) ? '' : html`checked`}>
        <code>${rule}</code> ${MASK_RULE_HELP[rule]}${rule === 'learned-tokens' ? ` (${settings.learned.length} learned)` : ''}</label><br>`)}
      <label><input type="checkbox" name="forget"> forget the learned values</label><br>
      <button type="submit">Save rules</button>
    </form>`;
}

function libraryLine(raw: string | null): Html {
  if (!raw) return html``;
  try {
    const lib = JSON.parse(raw) as LibraryMatch;
    const how = lib.via === 'hash' ? 'identical to the published release' : lib.via === 'published' ? 'verified against the published npm release' : `by its ${lib.via}`;
    const release = describeRelease(lib.release);
    return html`<p>Recognised as <strong>${lib.name} ${lib.version}</strong> (${how})${lib.vulnerabilities.length ? html`; known vulnerabilities: <code>${lib.vulnerabilities.join(', ')}</code>` : ''}.${release ? html` Release: ${release}.` : ''}</p>`;
  } catch {
    return html``;
  }
}

export function scriptPage(script: ScriptInfo, versions: ScriptVersion[], compare: { from: string; to: string; diff: BoundedDiff } | null, settings: MaskSettings): string {
  const options = (selected: string) =>
    versions.map((v) => html`<option value="${v.sha256}" ${v.sha256 === selected ? html`selected` : ''}>${v.sha256.slice(0, 12)} · ${v.firstSeen.slice(0, 10)}</option>`);
  const rows = versions.map((v) => html`<tr>
    <td><code>${v.sha256.slice(0, 16)}</code></td><td><code class="small">${v.sri ?? ''}</code></td><td class="num">${v.size}</td>
    <td>${timeText(v.firstSeen)}</td><td>${timeText(v.lastSeen)}</td><td class="num">${v.observations}</td>
    <td>${v.state ? stateBadge(v.state) : stateBadge('unapproved')}</td><td>${v.approvedBy ?? ''}</td><td>${v.note ?? ''}</td>
    <td><a class="button" href="/raw/${v.sha256}" download>raw</a></td>
  </tr>`);
  const from = compare?.from ?? versions.at(-2)?.sha256 ?? '';
  const to = compare?.to ?? versions.at(-1)?.sha256 ?? '';
  return layout(`Script ${script.key}`, html`
    <p><a href="/inventory">← Inventory</a></p>
    <h1 class="subject">${script.key}</h1>
    <p>${script.kind} script on <strong>${script.target}</strong> (${script.profile}), frame <code>${script.frameUrl}</code>; first seen ${timeText(script.firstSeen)}, last seen ${timeText(script.lastSeen)}.</p>
    ${libraryLine(script.library)}
    <h2>Versions</h2>
    <table><thead><tr><th>SHA-256</th><th>SRI</th><th class="num">Bytes</th><th>First seen</th><th>Last seen</th><th class="num">Scans</th><th>State</th><th>Approved by</th><th>Note</th><th></th></tr></thead>
    <tbody>${rows}</tbody></table>
    ${versions.length > 1 ? html`<h2>Compare versions</h2>
      <form class="filters" method="get" action="/scripts/${script.id}">
        <label>from <select name="from">${options(from)}</select></label><label>to <select name="to">${options(to)}</select></label>
        <button type="submit">Diff</button></form>${compare ? ('hunks' in compare.diff ? diffTable(compare.diff.hunks) : html`<p class="notice">Too large to show inline (${compare.diff.tooLarge}): download both versions and compare them locally.</p>`) : ''}` : ''}
    ${rulesForm(script.id, settings)}
  `, { active: '/inventory' });
}
