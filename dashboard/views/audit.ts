// The audit trail: the admin's audit page and the history table each alert shows.

import type { AuditEntry } from '../../src/store/audit.js';
import { html, type Html } from '../html.js';
import { layout, timeText } from './layout.js';

const change = (value: unknown): string => (value === null || value === undefined ? '' : JSON.stringify(value));

export function auditTable(entries: AuditEntry[], options: { object?: boolean } = {}): Html {
  if (entries.length === 0) return html`<p class="muted">No audit entries.</p>`;
  return html`<table class="audit"><thead><tr><th>#</th><th>When</th><th>Who</th><th>From</th><th>Action</th>${options.object ? html`<th>Object</th>` : ''}<th>Before</th><th>After</th><th>Note</th></tr></thead><tbody>
    ${entries.map((e) => html`<tr><td>${e.id}</td><td>${timeText(e.at)}</td><td>${e.actor}</td><td>${e.ip ?? 'command line'}</td><td><code>${e.action}</code></td>
      ${options.object ? html`<td>${e.objectType}${e.objectId !== null ? ` ${e.objectId}` : ''}</td>` : ''}
      <td><code>${change(e.before)}</code></td><td><code>${change(e.after)}</code></td><td>${e.note ?? ''}</td></tr>`)}
  </tbody></table>`;
}

export interface AuditPaging {
  page: number;
  hasMore: boolean;
  actor: string;
  type: string;
}

export function auditPage(entries: AuditEntry[], paging: AuditPaging, chain: { entries: number; firstBreak: { reason: string } | null }): string {
  const status = chain.firstBreak
    ? html`<p class="banner broken" role="alert"><strong>The audit chain is broken:</strong> ${chain.firstBreak.reason}</p>`
    : html`<p class="muted">${chain.entries} entries; the hash chain is intact.</p>`;
  const query = (page: number) => `/audit?${new URLSearchParams({ ...(paging.actor ? { actor: paging.actor } : {}), ...(paging.type ? { type: paging.type } : {}), page: String(page) })}`;
  const types = ['', 'alert', 'user', 'token', 'setting', 'script', 'target', 'inventory'];
  return layout('Audit', html`<h1>Audit log</h1>${status}
    <form class="filters" method="get" action="/audit">
      <label>Who <input name="actor" value="${paging.actor}" maxlength="64"></label>
      <label>Object <select name="type">${types.map((t) => html`<option value="${t}" ${t === paging.type ? 'selected' : ''}>${t || 'all'}</option>`)}</select></label>
      <button type="submit">Filter</button>
    </form>
    ${auditTable(entries, { object: true })}
    <p>${paging.page > 1 ? html`<a href="${query(paging.page - 1)}">← Newer</a>` : ''} ${paging.hasMore ? html`<a href="${query(paging.page + 1)}">Older →</a>` : ''}</p>`);
}
