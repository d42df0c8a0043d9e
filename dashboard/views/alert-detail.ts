// Alert detail: what changed where and when, hashes and headers, the diff, and the approve/reject form.

import type { DiffHunk } from '../../src/evidence/diff.js';
import type { AlertWithDetails } from '../../src/store/alerts.js';
import type { DecisionRecord } from '../../src/store/alert-decisions.js';
import type { NotificationRow } from '../../src/store/notifications.js';
import type { EvidenceFile } from '../../src/store/evidence.js';
import type { AuditEntry } from '../../src/store/audit.js';
import { describeRelease } from '../../src/store/inventory.js';
import type { ReleaseVerification } from '../../src/detect/intel/release-claims.js';
import { auditTable } from './audit.js';
import { visitorChange, type VisitorFigures } from './visitors.js';
import { html, safeHref, type Html } from '../html.js';
import { addedCode, diffTable } from './diff.js';
import { CSRF_INPUT, layout, severityBadge, stateBadge, timeText } from './layout.js';

export interface AlertView {
  alert: AlertWithDetails;
  scriptId: number | null;
  old: { sha256: string; sri: string; size: number; headers: Record<string, string> | null } | null;
  newBody: string | null;
  hunks: DiffHunk[] | null;
  /** Why the diff is not shown inline (both versions can be downloaded). */
  diffTooLarge: string | null;
  actor: string;
  notifications: NotificationRow[];
  evidence: EvidenceFile[];
  decisions: DecisionRecord[];
  /** This alert's audit history, newest first. */
  audit: AuditEntry[];
  /** Whether the viewer's role may approve or reject. */
  canDecide: boolean;
  /** Open access only: nobody is signed in, so the form asks for a name. */
  askName: boolean;
  /** Approvals this alert needs (config `approvals`); more than 1: each by a different person. */
  approvalsRequired: number;
  /** A visitor alert's running figures: every report about its subject so far. */
  visitors: VisitorFigures | null;
}

/** The files kept from the load that raised the alert; every download is an attachment, the screenshot is shown. */
function evidenceFilesSection(alertId: number, files: EvidenceFile[]): Html {
  if (files.length === 0) return html``;
  const shot = files.find((f) => f.name === 'screenshot.png');
  return html`<h2>Evidence of the load</h2>
    <p><a href="/alerts/${alertId}/evidence.zip">Download the evidence bundle</a> (zip with the script versions, these files, the timeline and a SHA-256 manifest)</p>
    <table><thead><tr><th>File</th><th class="num">Bytes</th><th>SHA-256</th></tr></thead><tbody>
    ${files.map((f) => html`<tr><td><a href="/alerts/${alertId}/evidence/${f.name}">${f.name}</a></td><td class="num">${f.size}</td><td><code>${f.sha256}</code></td></tr>`)}
    </tbody></table>
    ${shot ? html`<p><img class="screenshot" src="/alerts/${alertId}/evidence/screenshot.png" alt="Screenshot of the page as scanned"></p>` : ''}`;
}

/** Where the alert was sent, and whether it arrived. */
function notificationsSection(rows: NotificationRow[]): Html {
  if (rows.length === 0) return html``;
  return html`<h2>Notifications</h2><table><thead><tr><th>Event</th><th>Channel</th><th>Status</th><th class="num">Attempts</th><th>Last error</th><th>Sent</th></tr></thead><tbody>
    ${rows.map((n) => html`<tr><td>${n.event}</td><td><code>${n.channel}</code></td><td>${stateBadge(n.status)}</td><td class="num">${n.attempts}</td><td>${n.lastError ?? ''}</td><td>${n.sentAt ? timeText(n.sentAt) : ''}</td></tr>`)}
  </tbody></table>`;
}

function row(label: string, value: Html | string | number | null | undefined): Html {
  return html`<tr><th>${label}</th><td>${value ?? html`<span class="muted">–</span>`}</td></tr>`;
}

function headersTable(headers: unknown): Html {
  if (!headers || typeof headers !== 'object') return html`<span class="muted">–</span>`;
  const entries = Object.entries(headers as Record<string, string>);
  if (entries.length === 0) return html`<span class="muted">none</span>`;
  return html`<table class="kv">${entries.map(([k, v]) => html`<tr><th>${k}</th><td><code>${v}</code></td></tr>`)}</table>`;
}

function releaseText(release: unknown): string | null {
  return release && typeof release === 'object' ? describeRelease(release as ReleaseVerification) : null;
}

/** The change itself (diff, header values or destination), and the evidence that goes with it. */
function changeSection(view: AlertView): { change: Html; evidence: Html } {
  const { alert } = view;
  const d = alert.details;
  if (alert.type === 'header.changed') {
    return { evidence: html``, change: html`<h2>Header change</h2><table class="diff"><tbody>
      <tr class="del"><td class="ln">old</td><td class="code"><code>${alert.oldValue ?? '(absent)'}</code></td></tr>
      <tr class="add"><td class="ln">new</td><td class="code"><code>${alert.newValue ?? '(absent)'}</code></td></tr>
    </tbody></table>${Array.isArray(d.reasons) ? html`<p>${(d.reasons as string[]).join('; ')}</p>` : ''}` };
  }
  const list = (v: unknown) => (Array.isArray(v) ? (v as string[]).join(', ') : '');
  if (alert.type === 'exfiltration.detected') {
    const canary = (d.canary ?? {}) as { cardLast4?: string; filled?: string[]; submitted?: string | null; blocked?: string[] };
    return { evidence: html``, change: html`<h2>Canary data sent out</h2><table class="kv">
      ${row('Destination', alert.subject)}${row('Request', typeof d.url === 'string' ? html`<code>${d.url}</code>` : null)}
      ${row('Method and channel', `${String(d.method ?? '')} · ${String(d.channel ?? '')}`)}${row('Canary values', list(d.fields))}
      ${row('Encoding', list(d.encodings))}${row('Found in', list(d.locations))}${row('Sent by', typeof d.script === 'string' ? html`<code>${d.script}</code>` : 'unknown (no initiator stack)')}
      ${row('Canary card', canary.cardLast4 ? `test number ending ${canary.cardLast4}` : null)}${row('Fields filled', list(canary.filled))}
      ${row('Submitted', canary.submitted ?? 'nothing')}${row('Refused so no order was placed', list(canary.blocked) || 'nothing')}
    </table>` };
  }
  if (alert.type === 'canary.stored') {
    return { evidence: html``, change: html`<h2>Canary data kept in the browser</h2><table class="kv">
      ${row('Storage', String(d.area ?? ''))}${row('Key', typeof d.key === 'string' && d.key ? html`<code>${d.key}</code>` : null)}
      ${row('Canary values', list(d.fields))}${row('Encoding', list(d.encodings))}
      ${row('Written by', typeof d.script === 'string' ? html`<code>${d.script}</code>` : 'unknown (no stack)')}
    </table>` };
  }
  if (alert.type === 'miner.detected') {
    return { evidence: html``, change: html`<h2>Mining behaviour</h2><table class="kv">
      ${row('Script', html`<code>${alert.subject}</code>`)}${row('Signals', list(d.signals))}${row('WebSockets', list(d.sockets) || null)}
    </table>` };
  }
  if (view.visitors) return { evidence: html``, change: visitorChange(alert, view.visitors, view.newBody, addedCode) };
  if (alert.type === 'connection.added') {
    return { evidence: html``, change: html`<h2>New destination</h2><table class="kv">
      ${row('Host', alert.subject)}${row('Request types', list(d.types))}${row('Methods', list(d.methods))}${row('Initiated by', list(d.initiators))}
    </table>` };
  }
  const raw = (sha: string | null | undefined, label: string) =>
    sha ? html`<a class="button" href="/raw/${sha}" download>Download ${label} (text/plain)</a>` : '';
  const initiator = d.initiator as { type?: string; url?: string | null; line?: number | null } | null;
  const code = view.diffTooLarge
    ? html`<p class="notice">Too large to show inline (${view.diffTooLarge}): download both versions below and compare them locally.</p>`
    : view.hunks ? diffTable(view.hunks) : view.newBody !== null ? addedCode(view.newBody) : html`<p class="muted">The body is not stored (load error or size limit).</p>`;
  const change = html`<h2>${view.hunks || view.diffTooLarge ? 'What changed' : 'Code'}</h2>${code}`;
  const evidence = html`
    <h2>Fingerprints</h2>
    <table class="kv">
      ${row('Replaces', typeof d.previousUrl === 'string' ? html`<code>${d.previousUrl}</code> (the same script at its previous release's URL)` : null)}
      ${row('Published release', releaseText(d.release))}
      ${row('Old SHA-256', view.old?.sha256 ? html`<code>${view.old.sha256}</code>` : null)}
      ${row('Old SRI', view.old?.sri ? html`<code>${view.old.sri}</code>` : null)}
      ${row('Old size', view.old ? `${view.old.size} bytes` : null)}
      ${row('New SHA-256', alert.newValue ? html`<code>${alert.newValue}</code>` : null)}
      ${row('New SRI', typeof d.sri === 'string' ? html`<code>${d.sri}</code>` : null)}
      ${row('New size', typeof d.size === 'number' ? `${d.size} bytes` : null)}
      ${row('Kind', String(d.kind ?? ''))}
      ${row('Frame', typeof d.frameUrl === 'string' ? d.frameUrl : null)}
      ${row('Initiator', initiator?.url ? `${initiator.type ?? ''} ${initiator.url}${initiator.line != null ? `:${initiator.line}` : ''}` : null)}
      ${row('HTTP status', typeof d.status === 'number' ? d.status : null)}
      ${row('Remote address', typeof d.remoteIp === 'string' ? `${d.remoteIp}${d.remotePort ? `:${d.remotePort}` : ''}` : null)}
      ${row('Response headers', headersTable(d.headers))}
      ${view.old?.headers ? row('Old response headers', headersTable(view.old.headers)) : ''}
    </table>
    <p>${raw(alert.oldValue, 'old body')} ${raw(alert.newValue, 'new body')}
       ${view.scriptId !== null ? html`<a class="button" href="/scripts/${view.scriptId}">Version history</a>` : ''}</p>`;
  return { change, evidence };
}

/** What the analyzers saw in the change, worst first, after the plain-language summary. */
function findingsList(raw: unknown, summary: unknown, masked: unknown): Html {
  const said = typeof summary === 'string' ? html`<p class="change-summary">${summary}</p>` : '';
  const mask = typeof masked === 'string' ? html`<p class="muted">${masked}</p>` : '';
  if (!Array.isArray(raw) || raw.length === 0) return said || mask ? html`<h2>What the new code does</h2>${said}${mask}` : html``;
  const findings = raw as { severity: string; title: string; detail: string }[];
  return html`<h2>What the new code does</h2>${said}${mask}<ul class="findings">${findings.map(
    (f) => html`<li>${severityBadge(f.severity)} ${f.title}${f.detail ? html` <code>${f.detail}</code>` : ''}</li>`,
  )}</ul>`;
}

export function alertDetailPage(view: AlertView): string {
  const { alert } = view;
  const section = changeSection(view);
  // Every decision, oldest first: a rejection later approved keeps both on the record.
  const decided = html`${view.decisions.map((d) => html`<p class="decision">${stateBadge(d.status)} by <strong>${d.by}</strong> ${timeText(d.at)}: ${d.note ?? ''}</p>`)}`;
  const form = (action: 'approve' | 'reject', label: string) => html`
    <form method="post" action="/alerts/${alert.id}/${action}" class="decide ${action}">${CSRF_INPUT}
      <label>Justification <textarea name="note" required maxlength="2000" placeholder="${action === 'approve' ? 'Why this change is authorized' : 'Why it is not (incident reference)'}"></textarea></label>
      ${view.askName ? html`<label>Your name <input name="by" value="${view.actor}" required maxlength="100"></label>` : ''}
      <button type="submit">${label}</button>
    </form>`;
  const needed = view.approvalsRequired;
  const given = alert.approvals.length;
  const progress = needed > 1 && alert.status !== 'approved'
    ? html`<p class="approvals"><strong>${given} of ${needed}</strong> approvals${given ? html`: ${alert.approvals.map((a) => a.by).join(', ')}` : ''}. Each approval must come from a different person.</p>`
    : '';
  const approveLabel = needed > 1 ? `Approve (${Math.min(given + 1, needed)} of ${needed})` : 'Approve';
  return layout(`Alert #${alert.id}`, html`
    <p><a href="/alerts">← Alerts</a></p>
    <h1>${severityBadge(alert.severity)} ${alert.type} <span class="muted">#${alert.id}</span> ${stateBadge(alert.status)}</h1>
    <p class="summary">${alert.summary}</p>
    <table class="kv">
      ${row('Target', html`${alert.target} <span class="muted">(${alert.profile})</span>`)}
      ${row('Page', html`<a href="${safeHref(alert.page)}" rel="noreferrer noopener" target="_blank">${alert.page}</a>`)}
      ${row('Subject', html`<code>${alert.subject}</code>`)}
      ${row('First seen', timeText(alert.firstSeen))}
      ${row('Last seen', timeText(alert.lastSeen))}
    </table>
    ${decided}
    ${progress}
    ${findingsList(alert.details.findings, alert.details.changeSummary, alert.details.masked)}
    ${section.change}
    ${notificationsSection(view.notifications)}
    <h2>Decision</h2>
    ${view.canDecide
      ? html`<section class="decisions">${form('approve', approveLabel)}${form('reject', 'Reject')}</section>`
      : html`<p class="muted">Your role may read this alert; an approver or admin decides it.</p>`}
    ${section.evidence}
    ${evidenceFilesSection(alert.id, view.evidence)}
    <h2>Audit history</h2>
    ${auditTable(view.audit)}
  `, { active: '/alerts' });
}
