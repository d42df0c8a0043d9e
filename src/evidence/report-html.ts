// The assessor report as one self-contained HTML document (no scripts, no external resources), summary first.

import type { Evaluation, ReportAlert, ReportData, ReportPage, ReportScript } from './report-data.js';

/** Escapes text for HTML; everything in a report came from scanned pages or users, so everything goes through here. */
function esc(value: unknown, max = 2000): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (text.length > max) text = `${text.slice(0, max)}… (${text.length - max} more characters)`;
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const day = (iso: string | null) => (iso ? esc(iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC')) : '');

export function formatMs(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes} min`;
  const hours = ms / 3_600_000;
  if (hours < 48) return `${hours.toFixed(1)} h`;
  return `${(hours / 24).toFixed(1)} days`;
}

const CSS = `
  body { font: 10.5pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1f24; margin: 0 auto; max-width: 1100px; padding: 0 8px; }
  h1 { font-size: 19pt; margin: 0 0 2px; } h2 { font-size: 14pt; margin: 26px 0 6px; border-bottom: 2px solid #1b1f24; padding-bottom: 2px; }
  h3 { font-size: 11.5pt; margin: 16px 0 4px; } .muted { color: #57606a; } .small { font-size: 8.5pt; }
  table { border-collapse: collapse; width: 100%; margin: 4px 0 10px; font-size: 8.5pt; } th, td { border: 1px solid #d0d7de; padding: 3px 5px; text-align: left; vertical-align: top; }
  table.fixed { table-layout: fixed; } th { background: #f0f3f6; } td.code, code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 8pt; word-break: break-all; }
  .cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; margin: 12px 0; }
  .card { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 10px; } .card b { display: block; font-size: 17pt; }
  .ok { color: #116329; } .bad { color: #a40e26; } .warn { color: #7d4e00; }
  .tag { display: inline-block; border-radius: 8px; padding: 0 6px; font-size: 7.5pt; background: #eaeef2; }
  .tag.bad { background: #ffebe9; } .tag.ok { background: #dafbe1; } .tag.warn { background: #fff8c5; }
  section.page { break-before: page; } .manifest { break-before: page; } tr { break-inside: avoid; }
  @media print { body { max-width: none; } }
`;

function card(label: string, value: string, tone = ''): string {
  return `<div class="card"><span class="muted small">${esc(label)}</span><b class="${tone}">${value}</b></div>`;
}

function authorization(s: ReportScript): string {
  if (s.state === 'removed') return '<span class="muted">removed</span>';
  if (!s.authorizedBy) return `<span class="tag bad">not authorized</span>${s.state !== 'approved' ? ` <span class="muted small">${esc(s.state)}</span>` : ''}`;
  const bulk = s.bulkApproved ? ' <span class="tag warn">bulk-approved: needs its own justification</span>' : '';
  const version = s.state === 'approved' ? '' : ` <span class="tag bad">current version ${esc(s.state)}</span>`;
  return `${esc(s.authorizedBy)}, ${day(s.authorizedAt)}${bulk}${version}<div>${esc(s.justification ?? '(no justification given)', 600)}</div>`;
}

function inventoryTable(page: ReportPage): string {
  if (page.inventory.length === 0) return '<p class="muted">No scripts recorded.</p>';
  const rows = page.inventory.map((s) => `<tr>
    <td>${s.scriptId}</td><td>${esc(s.kind)}<div class="muted small">${esc(s.profile)}</div></td>
    <td class="code">${esc(s.script, 300)}${s.chain.length ? `<div class="muted small">loaded by ${s.chain.map((c) => esc(c, 200)).join(' → ')}</div>` : ''}</td>
    <td>${esc(s.party)} party${s.vendor ? `<div class="muted small">${esc(s.vendor)}</div>` : ''}<div class="small ${s.runsIn === 'third-party frame' ? 'muted' : ''}">${esc(s.runsIn)}${s.runsIn === 'third-party frame' ? ' (the provider\'s scope)' : ''}</div></td>
    <td class="code small">${esc(s.sha256 ?? '')}<div class="muted">${esc(s.sri ?? '')}</div></td>
    <td>${authorization(s)}</td></tr>`).join('');
  return `<table class="fixed"><colgroup><col style="width:4%"><col style="width:8%"><col style="width:32%"><col style="width:12%"><col style="width:20%"><col style="width:24%"></colgroup>
    <thead><tr><th>ID</th><th>Kind</th><th>Script</th><th>Source</th><th>Integrity (SHA-256, SRI)</th><th>Authorized by, when, why</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function headersTable(page: ReportPage): string {
  if (page.headers.length === 0) return '<p class="muted">No successful scan in the period recorded headers.</p>';
  const rows = page.headers.map((h) => `<tr><td>${esc(h.header)}</td><td>${esc(h.profile)}</td><td class="code">${h.value === null ? '<span class="muted">(absent)</span>' : esc(h.value, 1000)}</td><td>${day(h.since)}</td><td>#${h.scanId}</td></tr>`).join('');
  return `<table><thead><tr><th>Header</th><th>Profile</th><th>Value</th><th>Since</th><th>Scan</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function evaluationSection(e: Evaluation): string {
  const verdict = e.met
    ? `<span class="tag ok">met</span> every gap between successful evaluations was within ${esc(formatMs(e.requiredMs))}`
    : `<span class="tag bad">not met</span> ${e.successful === 0 ? 'no successful evaluation in the period' : `the largest gap was ${esc(formatMs(e.largestGap!.ms))}, over the required ${esc(formatMs(e.requiredMs))}`}`;
  const gap = e.largestGap ? `${esc(formatMs(e.largestGap.ms))}, from ${day(e.largestGap.from)} to ${day(e.largestGap.to)}` : 'none';
  const failed = e.scans.filter((s) => s.status === 'failed');
  // Every scan, a row per day (the JSON report lists each one): how many evaluated the page, how many failed, when.
  const days = new Map<string, { ok: number; failed: number; first: string; last: string }>();
  for (const scan of e.scans) {
    const key = scan.at.slice(0, 10);
    const d = days.get(key) ?? { ok: 0, failed: 0, first: scan.at, last: scan.at };
    if (scan.status === 'ok') d.ok++;
    else d.failed++;
    d.last = scan.at;
    days.set(key, d);
  }
  const time = (iso: string) => esc(iso.slice(11, 16));
  return `<p>${verdict}. Required frequency: ${esc(formatMs(e.requiredMs))} (${esc(e.requiredFrom)}).</p>
    <table><tbody><tr><th>Scans in the period</th><td>${e.scans.length}</td><th>Successful</th><td>${e.successful}</td><th>Failed</th><td>${e.failed}</td></tr>
    <tr><th>Largest gap without a successful scan</th><td colspan="5">${gap}</td></tr></tbody></table>
    ${failed.length ? `<h3>Failed scans</h3><table><thead><tr><th>Scan</th><th>When</th><th>Profile</th><th>Why</th></tr></thead><tbody>${failed.slice(-50).map((s) => `<tr><td>#${s.id}</td><td>${day(s.at)}</td><td>${esc(s.profile)}</td><td>${esc(s.errorCode ?? '')}</td></tr>`).join('')}</tbody></table>${failed.length > 50 ? `<p class="muted small">The ${failed.length - 50} earlier ones are in the JSON report.</p>` : ''}` : ''}
    <h3>Scans by day</h3><table><thead><tr><th>Day (UTC)</th><th>Evaluated</th><th>Failed</th><th>First</th><th>Last</th></tr></thead><tbody>${[...days].map(([key, d]) => `<tr><td>${esc(key)}</td><td class="${d.ok ? 'ok' : 'bad'}">${d.ok}</td><td class="${d.failed ? 'bad' : ''}">${d.failed}</td><td>${time(d.first)}</td><td>${time(d.last)}</td></tr>`).join('') || '<tr><td colspan="5" class="muted">No scan in the period.</td></tr>'}</tbody></table>
    <p class="muted small">Each scan, with its id, time and result, is in the JSON report.</p>`;
}

function alertsTable(alerts: ReportAlert[]): string {
  if (alerts.length === 0) return '<p class="muted">No alert in the period: no change to scripts, destinations or security headers was detected.</p>';
  const rows = alerts.map((a) => `<tr><td>#${a.id}</td><td>${esc(a.severity)}</td><td>${esc(a.type)}<div class="code">${esc(a.subject, 300)}</div><div class="small">${esc(a.summary, 400)}</div></td>
    <td>${day(a.detectedAt)}</td><td class="${a.status === 'rejected' || a.status === 'open' ? 'bad' : 'ok'}">${esc(a.resolution)}${a.decidedBy ? `<div>by ${esc(a.decidedBy)}, ${day(a.decidedAt)}</div>` : ''}${a.note ? `<div class="small">${esc(a.note, 600)}</div>` : ''}${a.decisions.length > 1 ? `<div class="muted small">${a.decisions.map((d) => `${esc(d.status)} by ${esc(d.by)}`).join('; ')}</div>` : ''}</td>
    <td>${a.timeToDecisionMs === null ? '' : esc(formatMs(a.timeToDecisionMs))}</td></tr>`).join('');
  return `<table><thead><tr><th>Alert</th><th>Severity</th><th>What changed</th><th>Detected</th><th>Resolution</th><th>Time to decision</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function pageSection(page: ReportPage): string {
  return `<section class="page"><h2>${esc(page.target)}</h2>
    <p><span class="code">${esc(page.url)}</span> <span class="muted">· payment page: ${esc(page.paymentBecause)}</span></p>
    <h3>Script inventory (6.4.3)</h3>${inventoryTable(page)}
    <h3>Security headers (11.6.1)</h3>${headersTable(page)}
    <h3>Evaluation record (11.6.1)</h3>${evaluationSection(page.evaluation)}
    <h3>Alerts and how they were resolved</h3>${alertsTable(page.alerts)}</section>`;
}

/** The report as HTML, without its manifest (sealReport appends it). */
export function reportHtml(report: ReportData, generator: string): string {
  const { summary: s, parameters: p, tamperEvidence: t } = report;
  const share = `${Math.round(s.authorizedShare * 100)} %`;
  const head = (h: { scanId: number; hash: string } | null) => (h ? `scan #${h.scanId} <span class="code">${esc(h.hash)}</span>` : 'none (no scan yet)');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(report.title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>${CSS}</style></head><body>
<h1>${esc(report.title)}</h1>
<p class="muted">Period ${day(p.from)} to ${day(p.to)} · generated ${day(p.generatedAt)} by ${esc(generator)}${p.targets.length ? ` · targets: ${p.targets.map((x) => esc(x)).join(', ')}` : ''}</p>
<h2>Summary</h2>
<div class="cards">
${card('Payment pages', String(s.pages))}${card('Scripts in use', String(s.scripts))}
${card('Authorized on their own', share, s.authorizedShare === 1 ? 'ok' : 'warn')}${card('Only bulk-approved', String(s.bulkOnly), s.bulkOnly ? 'warn' : 'ok')}
${card('Alerts in the period', String(s.alerts))}${card('Open incidents (rejected)', String(s.openIncidents), s.openIncidents ? 'bad' : 'ok')}
${card('Alerts not yet decided', String(s.openAlerts), s.openAlerts ? 'warn' : 'ok')}${card('Evaluation frequency', s.evaluationMet ? 'met' : 'not met', s.evaluationMet ? 'ok' : 'bad')}
</div>
<table><thead><tr><th>Payment page</th><th>Scripts</th><th>Not authorized on their own</th><th>Alerts</th><th>Evaluations</th><th>Largest gap</th><th>Frequency</th></tr></thead><tbody>
${report.pages.map((page) => {
    const inUse = page.inventory.filter((x) => x.state !== 'removed');
    const missing = inUse.filter((x) => !x.authorizedBy || x.bulkApproved || x.state !== 'approved').length;
    return `<tr><td>${esc(page.target)}</td><td>${inUse.length}</td><td class="${missing ? 'warn' : 'ok'}">${missing}</td><td>${page.alerts.length}</td><td>${page.evaluation.successful} ok, ${page.evaluation.failed} failed</td><td>${page.evaluation.largestGap ? esc(formatMs(page.evaluation.largestGap.ms)) : ''}</td><td class="${page.evaluation.met ? 'ok' : 'bad'}">${page.evaluation.met ? 'met' : 'not met'}</td></tr>`;
  }).join('') || '<tr><td colspan="7" class="muted">No payment page in scope: mark one with payment: true, or scan a page with a payment form.</td></tr>'}
</tbody></table>
<p><b>Tamper evidence:</b> <span class="${t.verified ? 'ok' : 'bad'}">${t.verified ? 'the scan chain, the audit log and every stored body verified' : `verification failed at ${esc(t.firstBreak)}`}</span> (${t.scansChecked} scans, ${t.auditEntriesChecked} audit entries, ${t.blobsChecked} stored bodies).</p>
${report.pages.map(pageSection).join('\n')}
<section class="manifest"><h2>Tamper evidence and manifest</h2>
<table><tbody>
<tr><th>Verification of the database</th><td>${t.verified ? '<span class="ok">passed</span>' : `<span class="bad">failed: ${esc(t.firstBreak)}</span>`}</td></tr>
<tr><th>Chain head at the start of the period</th><td>${head(t.chainHeadAtStart)}</td></tr>
<tr><th>Chain head at the end of the period</th><td>${head(t.chainHeadAtEnd)}</td></tr>
</tbody></table>
<p class="small muted">The file ends with a manifest: the SHA-256 of everything before it and the chain head this report was built from. <code>scriptwarden report --verify FILE</code> checks both.</p>
</section>
</body></html>
`;
}
