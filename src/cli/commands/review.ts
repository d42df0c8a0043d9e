// `alerts`, `show`, `approve` and `reject`: reading alerts and deciding on them.

import { ScriptwardenError } from '../../errors.js';
import { unifiedDiff } from '../../evidence/diff.js';
import { formatAlerts, safeText } from '../output.js';
import { ALERT_STATUSES, comparesBodies, type AlertStatus } from '../../capture/types.js';
import { EXIT, withStore, type CommandContext } from './context.js';
import { loadConfig } from '../../config/config.js';
import { deliverWithin, queueDecisions } from '../../run/notify.js';
import { openStore } from '../../store/open-store.js';
import { inOrder } from '../../store/sql.js';
import type { AlertWithDetails } from '../../store/alerts.js';
import { approvalsNeeded, withApprovalsRequired, type ApprovalPolicy } from '../../auth/approvals.js';
import { describePolicy, watchApprovalPolicy } from '../../run/approval-policy.js';

/** `approval 1 of 2 (alice); needs another person's` */
function progressOf(alert: AlertWithDetails, policy: ApprovalPolicy): string {
  const needed = approvalsNeeded(policy, alert.severity);
  return `approval ${alert.approvals.length} of ${needed} (${alert.approvals.map((a) => safeText(a.by)).join(', ')}); it needs ${needed - alert.approvals.length} more, by someone else`;
}

function parseIds(ids: string[]): number[] {
  return ids.map((raw) => {
    const id = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(id)) throw new ScriptwardenError('USAGE', `"${raw}" is not an alert id`);
    return id;
  });
}

export async function alertsCommand(options: { config?: string; status?: string; target?: string; json?: boolean }, ctx: CommandContext): Promise<number> {
  const status = (options.status ?? 'open') as AlertStatus | 'all';
  if (status !== 'all' && !ALERT_STATUSES.includes(status)) {
    throw new ScriptwardenError('USAGE', `--status must be one of ${[...ALERT_STATUSES, 'all'].join(', ')}`);
  }
  return withStore(options.config, ctx, async (store, config) => {
    const alerts = await store.alerts.list({ status, target: options.target });
    const json = () => JSON.stringify({ alerts: alerts.map((a) => withApprovalsRequired(a, config.approvals)) }, null, 2);
    ctx.stdout.write(options.json ? `${json()}\n` : `${formatAlerts(alerts)}\n`);
    return EXIT.ok;
  });
}

export async function showCommand(rawId: string, options: { config?: string; json?: boolean }, ctx: CommandContext): Promise<number> {
  const [id] = parseIds([rawId]);
  return withStore(options.config, ctx, async (store, config) => {
    const alert = await store.alerts.get(id!);
    if (!alert) throw new ScriptwardenError('NOT_FOUND', `no alert with id ${id}`);
    const isScript = comparesBodies(alert.type);
    const oldBody = isScript && alert.oldValue ? await store.blobs.textBySha(alert.oldValue) : null;
    const newBody = isScript && alert.newValue ? await store.blobs.textBySha(alert.newValue) : null;
    const diff = isScript && (oldBody !== null || newBody !== null)
      ? unifiedDiff(oldBody ?? '', newBody ?? '', { old: `${typeof alert.details.previousUrl === 'string' ? alert.details.previousUrl : alert.subject} (${alert.oldValue?.slice(0, 12) ?? 'none'})`, new: `${alert.subject} (${alert.newValue?.slice(0, 12) ?? 'none'})` })
      : null;
    if (options.json) {
      ctx.stdout.write(`${JSON.stringify({ alert: withApprovalsRequired(alert, config.approvals), diff }, null, 2)}\n`);
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
    if (alert.approvals.length > 0 && alert.status !== 'approved') {
      lines.push(`Approvals:  ${alert.approvals.length} of ${approvalsNeeded(config.approvals, alert.severity)} (${alert.approvals.map((a) => `${safeText(a.by)} at ${a.at}`).join(', ')}); each must come from a different person`);
    }
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
  const store = await openStore(config.database);
  try {
    const policy = await watchApprovalPolicy(store, config, (line) => ctx.stderr.write(`${line}\n`));
    if (status === 'approved' && policy.required > 1) {
      // Where two people must approve, the name on an approval must be a person's: a user of this installation.
      const needsTwo = options.all
        ? (await store.alerts.list({ status: 'open' })).some((a) => approvalsNeeded(policy, a.severity) > 1)
        : (await inOrder(parseIds(ids), (id) => store.alerts.get(id))).some((a) => a !== null && approvalsNeeded(policy, a.severity) > 1);
      if (needsTwo && (!options.by || !(await store.access.users.get(options.by)))) {
        throw new ScriptwardenError('FORBIDDEN', `${describePolicy(policy)} (approvals.required): give --by with the name of a scriptwarden user${options.by ? `; "${options.by}" is not one` : ''} (see scriptwarden users list)`);
      }
    }
    let decided: AlertWithDetails[];
    if (options.all) {
      const counts = await store.alerts.approveAll(decision, policy);
      decided = counts.decided;
      ctx.stdout.write(`Approved ${counts.alerts} open alerts and ${counts.pending} pending inventory entries as ${safeText(decision.by)}.\n`);
      for (const alert of decided.filter((a) => a.status === 'open')) ctx.stdout.write(`Alert ${alert.id}: ${progressOf(alert, policy)}\n`);
    } else {
      decided = await store.alerts.decide(parseIds(ids), status, decision, policy);
      for (const alert of decided) {
        ctx.stdout.write(alert.status === 'open' && status === 'approved'
          ? `Alert ${alert.id}: ${progressOf(alert, policy)}: ${safeText(alert.summary)}\n`
          : `Alert ${alert.id} ${status}: ${safeText(alert.summary)}\n`);
      }
    }
    // Channels told that these alerts opened are told how they were decided.
    if (config.notify.length > 0 && (await queueDecisions(store, config.notify, decided, decision.at)) > 0) {
      await deliverWithin(store, config, (line) => ctx.stderr.write(`${line}\n`));
    }
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
