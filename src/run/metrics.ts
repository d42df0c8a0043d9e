// Renders the scheduler's counters and the store's counts in the Prometheus text exposition format (0.0.4). Pure.

import type { BrowserState } from '../capture/types.js';
import { SEVERITIES } from '../capture/types.js';
import type { ScanCounters, SchedulerSnapshot } from './scheduler.js';

export interface MetricsInput {
  snapshot: SchedulerSnapshot | null;
  counters: ScanCounters | null;
  store: { openAlerts: Record<string, number>; scans: Record<string, number> };
  notificationsPending: number;
  browser: BrowserState;
  /** With workers on a shared database: each vantage's waiting jobs, and how late its oldest due scan is. */
  queue?: { vantage: string; depth: number; lagSeconds: number }[];
}

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labels = (pairs: Record<string, string>) => {
  const text = Object.entries(pairs).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',');
  return text ? `{${text}}` : '';
};

export function renderMetrics(input: MetricsInput): string {
  const lines: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: [Record<string, string>, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [pairs, value] of samples) lines.push(`${name}${labels(pairs)} ${Number.isFinite(value) ? value : 0}`);
  };
  const scans = [...(input.counters?.scans ?? new Map()).entries()];
  metric('scriptwarden_scans_total', 'counter', 'Scheduled scans since the process started, by target and result.',
    scans.flatMap(([target, c]) => [[{ target, result: 'ok' }, c.ok], [{ target, result: 'failed' }, c.failed]] as [Record<string, string>, number][]));
  metric('scriptwarden_scan_failures_total', 'counter', 'Scheduled scans that failed after their retries, by target.',
    scans.map(([target, c]) => [{ target }, c.failed]));
  lines.push('# HELP scriptwarden_scan_duration_seconds Time taken by scheduled scans, retries included.', '# TYPE scriptwarden_scan_duration_seconds summary');
  for (const [target, c] of scans) {
    lines.push(`scriptwarden_scan_duration_seconds_sum${labels({ target })} ${c.durationSeconds.toFixed(3)}`);
    lines.push(`scriptwarden_scan_duration_seconds_count${labels({ target })} ${c.ok + c.failed}`);
  }
  metric('scriptwarden_scan_retries_total', 'counter', 'Failed loads tried again.', [[{}, input.counters?.retries ?? 0]]);
  metric('scriptwarden_open_alerts', 'gauge', 'Open alerts by severity.', SEVERITIES.map((s) => [{ severity: s }, input.store.openAlerts[s] ?? 0]));
  metric('scriptwarden_stored_scans', 'gauge', 'Scans in the database, by status.', ['ok', 'failed'].map((s) => [{ status: s }, input.store.scans[s] ?? 0]));
  if (input.queue) {
    metric('scriptwarden_queue_depth', 'gauge', 'Scan jobs waiting for a worker, by vantage.', input.queue.map((q) => [{ vantage: q.vantage }, q.depth]));
    metric('scriptwarden_schedule_lag_seconds', 'gauge', 'How long the oldest due scan of a vantage has waited (0: none is late).', input.queue.map((q) => [{ vantage: q.vantage }, q.lagSeconds]));
  }
  const targets = input.snapshot?.targets ?? [];
  metric('scriptwarden_target_last_success_timestamp_seconds', 'gauge', 'When each target last scanned successfully (Unix time; 0 = never).',
    targets.map((t) => [{ target: t.target }, t.lastSuccessAt ? Date.parse(t.lastSuccessAt) / 1000 : 0]));
  metric('scriptwarden_target_consecutive_failures', 'gauge', 'Failed scheduled scans in a row, by target.', targets.map((t) => [{ target: t.target }, t.consecutiveFailures]));
  metric('scriptwarden_target_paused', 'gauge', '1 while an admin has paused the target\'s scheduled scans.', targets.map((t) => [{ target: t.target }, t.paused ? 1 : 0]));
  metric('scriptwarden_scans_running', 'gauge', 'Scans running now.', [[{}, input.snapshot?.activeScans ?? 0]]);
  metric('scriptwarden_browser_up', 'gauge', '1 when the scanning browser is running.', [[{}, input.browser.state === 'running' ? 1 : 0]]);
  metric('scriptwarden_browser_restarts_total', 'counter', 'Browser relaunches after a crash or hang.', [[{}, input.browser.restarts]]);
  metric('scriptwarden_notifications_pending', 'gauge', 'Notifications waiting to be delivered or retried.', [[{}, input.notificationsPending]]);
  return `${lines.join('\n')}\n`;
}
