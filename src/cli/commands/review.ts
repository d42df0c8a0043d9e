// `alerts`, `show`, `approve` and `reject`: reading alerts and deciding on them.

import { ScriptwardenError } from '../../errors.js';
import { unifiedDiff } from '../../evidence/diff.js';
import { formatAlerts, safeText } from '../output.js';
import { ALERT_STATUSES, type AlertStatus } from '../../capture/types.js';
import { EXIT, withStore, type CommandContext } from './context.js';
import { loadConfig } from '../../config/config.js';
import { deliverWithin, queueDecisions } from '../../run/notify.js';
import { openStore } from '../../store/open-store.js';
import type { AlertWithDetails } from '../../store/alerts.js';

function parseIds(ids: string[]): number[] {
  return ids.map((raw) => {
    const id = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(id)) throw new ScriptwardenError('USAGE', `"${raw}" is not an alert id`);
    return id;
  });
}

export function alertsCommand(options: { config?: string; status?: string; target?: string; json?: boolean }, ctx: CommandContext): number {
  const status = (options.status ?? 'open') as AlertStatus | 'all';
  if (status !== 'all' && !ALERT_STATUSES.includes(status)) {
    throw new ScriptwardenError('USAGE', `--status must be one of ${[...ALERT_STATUSES, 'all'].join(', ')}`);
  }
  return withStore(options.config, ctx, (store) => {
    const alerts = store.alerts.list({ status, target: options.target });
    ctx.stdout.write(options.json ? `${JSON.stringify({ alerts }, null, 2)}\n` : `${formatAlerts(alerts)}\n`);
    return EXIT.ok;
  });
}

export function showCommand(rawId: string, options: { config?: string; json?: boolean }, ctx: CommandContext): number {
  const [id] = parseIds([rawId]);
  return withStore(options.config, ctx, (store) => {
    const alert = store.alerts.get(id!);
    if (!alert) throw new ScriptwardenError('NOT_FOUND', `no alert with id ${id}`);
    const isScript = /^(script|resource)\./.test(alert.type);
    const oldBody = isScript && alert.oldValue ? store.blobs.textBySha(alert.oldValue) : null;
    const newBody = isScript && alert.newValue ? store.blobs.textBySha(alert.newValue) : null;
    const diff = isScript && (oldBody !== null || newBody !== null)
      ? unifiedDiff(oldBody ?? '', newBody ?? '', { old: `${typeof alert.details.previousUrl === 'string' ? alert.details.previousUrl : alert.subject} (${alert.oldValue?.slice(0, 12) ?? 'none'})`, new: `${alert.subject} (${alert.newValue?.slice(0, 12) ?? 'none'})` })
      : null;
    if (options.json) {
      ctx.stdout.write(`${JSON.stringify({ alert, diff }, null, 2)}\n`);
      return EXIT.ok;
    }
    const lines = [
      `Alert ${alert.id}: ${alert.type} [${alert.severity}] ${alert.status}`,
      `Target:     ${safeText(alert.target)} (${alert.profile}) ${safeText(alert.page)}`,
      `Subject:    ${safeText(alert.subject)}`,
      `Summary:    ${safeText(alert.summary, 400)}`,
      ...(typeof alert.details.changeSummary === 'string' ? [`Change:     ${safeText(alert.details.changeSummary, 1000)}`] : []),
      ...(typeof alert.details.masked === 'string' ? [`Masked:     ${safeText(alert.details.masked, 400)}`] : []),
      `First seen: ${alert.firstSeen}   Last seen: ${alert.lastSeen}`,
      `Old:        ${safeText(alert.oldValue, 400) || '-'}`,
      `New:        ${safeText(alert.newValue, 400) || '-'}`,
    ];
    const findings = Array.isArray(alert.details.findings) ? (alert.details.findings as { severity: string; title: string; detail: string }[]) : [];
    if (findings.length) lines.push('Findings:', ...findings.map((f) => `  [${f.severity}] ${safeText(f.title)}${f.detail ? `: ${safeText(f.detail, 200)}` : ''}`));
    if (alert.decidedBy) lines.push(`Decided:    ${alert.status} by ${safeText(alert.decidedBy)} at ${alert.decidedAt}: ${safeText(alert.note, 400)}`);
    if (diff) lines.push('', ...diff.split('\n').map((line) => safeText(line, 2000)));
    ctx.stdout.write(`${lines.join('\n')}\n`);
    return EXIT.ok;
  });
}

export async function decideCommand(
  status: 'approved' | 'rejected',
  ids: string[],
  options: { config?: string; all?: boolean; note?: string; by?: string },
  ctx: CommandContext,
): Promise<number> {
  if (options.all && ids.length > 0) throw new ScriptwardenError('USAGE', 'give either --all or alert ids, not both');
  if (!options.all && ids.length === 0) {
    throw new ScriptwardenError('USAGE', status === 'approved' ? 'give alert ids to approve, or --all' : 'give alert ids to reject');
  }
  const decision = { by: options.by ?? ctx.defaultActor, note: options.note ?? null, at: new Date().toISOString() };
  const config = loadConfig(options.config, ctx.cwd, ctx.env);
  const store = openStore(config.database);
  try {
    let decided: AlertWithDetails[];
    if (options.all) {
      const counts = store.alerts.approveAll(decision);
      decided = counts.decided;
      ctx.stdout.write(`Approved ${counts.alerts} open alerts and ${counts.pending} pending inventory entries as ${safeText(decision.by)}.\n`);
    } else {
      decided = store.alerts.decide(parseIds(ids), status, decision);
      for (const alert of decided) ctx.stdout.write(`Alert ${alert.id} ${status}: ${safeText(alert.summary)}\n`);
    }
    // Channels told that these alerts opened are told how they were decided.
    if (config.notify.length > 0 && queueDecisions(store, config.notify, decided, decision.at) > 0) {
      await deliverWithin(store, config, (line) => ctx.stderr.write(`${line}\n`));
    }
    return EXIT.ok;
  } finally {
    store.close();
  }
}
