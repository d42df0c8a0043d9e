// Renders alerts, inventories and scan results for terminals and CSV, neutralising hostile text.

import type { AlertRecord } from '../capture/types.js';
import type { InventoryRow } from '../evidence/inventory-report.js';
import type { ScanRun, TargetOutcome } from '../run/run-scan.js';

/** Replaces control characters (ANSI escapes, newlines) in attacker-controlled text shown on a terminal. */
export function safeText(text: string | null | undefined, max = 200): string {
  if (text === null || text === undefined) return '';
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) =>
    `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  return rows
    .map((row) => row.map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col]!))).join('  ').trimEnd())
    .join('\n');
}

export function formatAlerts(alerts: AlertRecord[]): string {
  if (alerts.length === 0) return 'No alerts.';
  const rows = [['ID', 'SEVERITY', 'STATUS', 'TYPE', 'TARGET', 'LAST SEEN', 'SUMMARY']];
  for (const a of alerts) {
    rows.push([
      String(a.id), a.severity, a.status, a.type, `${safeText(a.target, 40)}/${a.profile}`, a.lastSeen.slice(0, 19).replace('T', ' '),
      safeText(a.summary, 160),
    ]);
  }
  return table(rows);
}

export function formatInventory(rows: InventoryRow[]): string {
  if (rows.length === 0) return 'No scripts recorded yet. Run "scriptwarden scan" first.';
  const out = [['ID', 'TARGET', 'PROFILE', 'KIND', 'PARTY', 'SCRIPT', 'STATE', 'AUTHORIZED BY', 'JUSTIFICATION']];
  for (const r of rows) {
    out.push([
      String(r.scriptId), safeText(r.target, 30), r.profile, r.kind, r.runsIn === 'page' ? r.party : `${r.party} (${r.runsIn})`, safeText(r.subject, 90),
      r.present ? r.state : `${r.state} (absent)`, safeText(r.authorizedBy, 20), r.bulkApproved ? `(bulk) ${safeText(r.justification, 54)}` : safeText(r.justification, 60),
    ]);
  }
  return table(out);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function formatOutcome(outcome: TargetOutcome, index: number, total: number): string {
  const head = `[${index + 1}/${total}] ${safeText(outcome.target, 40)} (${outcome.profile})`;
  const secs = `${(outcome.durationMs / 1000).toFixed(1)}s`;
  if (outcome.status === 'failed') return `${head}: FAILED ${outcome.error?.code}: ${safeText(outcome.error?.message)} (${secs})`;
  if (outcome.status === 'duplicate') return `${head}: not recorded, ${safeText(outcome.error?.message)} (${secs})`;
  const warnings = outcome.warnings.length ? `; WARNING ${outcome.warnings.map((w) => safeText(w)).join('; ')}` : '';
  return `${head}: ok, ${plural(outcome.scripts, 'script')}, ${plural(outcome.newAlerts, 'new alert')} (${secs})${warnings}`;
}

export function formatScanSummary(run: ScanRun): string {
  const failed = run.targets.filter((t) => t.status === 'failed').length;
  const lines = [`Scanned ${plural(run.targets.length, 'page load')}: ${run.targets.length - failed} ok, ${failed} failed, ${plural(run.alerts.length, 'new alert')}.`];
  if (run.rejectedStillServed.length > 0) {
    lines.push('', `WARNING: ${plural(run.rejectedStillServed.length, 'rejected change')} still served:`);
    for (const a of run.rejectedStillServed) lines.push(`  alert ${a.id} [${a.severity}] ${safeText(a.summary, 160)}`);
  }
  if (run.alerts.length > 0) lines.push('', formatAlerts(run.alerts), '', 'Review with "scriptwarden alerts"; decide with "scriptwarden approve ID" or "scriptwarden reject ID".');
  return lines.join('\n');
}
