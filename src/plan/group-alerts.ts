// Folds one scan's alerts: runtime code by the script that compiled it, and at most a set number of new alerts per target.

import type { PlannedAlert } from './plan.js';
import { frameScopeOfKey } from './identity.js';
import { severityRank, type Severity } from '../capture/types.js';

/** At most this many members are listed in a grouped alert (approving it accepts them). */
const MAX_MEMBERS = 200;

function highest(alerts: PlannedAlert[]): Severity {
  return alerts.reduce<Severity>((top, a) => (severityRank(a.severity) > severityRank(top) ? a.severity : top), 'info');
}

function isRuntime(alert: PlannedAlert): boolean {
  return alert.subjectType === 'script' && (alert.details as { kind?: unknown }).kind === 'eval';
}

function producerOf(alert: PlannedAlert): string {
  const initiator = (alert.details as { initiator?: { url?: unknown } | null }).initiator;
  return typeof initiator?.url === 'string' && initiator.url ? initiator.url : 'an unknown script';
}

function fold(group: PlannedAlert[], producer: string): PlannedAlert {
  const [first] = group;
  const removed = first!.type === 'script.removed';
  const type = removed ? 'script.removed' : group.every((a) => a.type === 'script.added') ? 'script.added' : 'script.changed';
  const scope = frameScopeOfKey(first!.subjectKey);
  const members = group.slice(0, MAX_MEMBERS).map((a) => ({ key: a.subjectKey, sha256: removed ? a.oldValue : a.newValue }));
  // Findings of every member, once each: the group is as serious as its worst body.
  const findings = [...new Map(group.flatMap((a) => ((a.details as { findings?: { title?: string }[] }).findings ?? []).map((f) => [f.title ?? JSON.stringify(f), f]))).values()];
  const subject = `${scope}runtime code compiled by ${producer}`;
  const notable = [...new Set(findings.filter((f) => (f as { kind?: string }).kind !== 'error').map((f) => f.title).filter(Boolean))].slice(0, 3);
  return {
    ...first!,
    type,
    severity: highest(group),
    subject,
    summary: removed
      ? `${group.length} runtime code bodies compiled by ${producer} no longer run`
      : `${producer} compiled ${group.length} runtime code bodies not in the baseline (code that rewrites itself at run time is one alert for its source)${notable.length ? `; ${notable.join('; ')}` : ''}`,
    // One open alert per source, whatever bodies it compiles next.
    dedupeKey: `${type}|${scope}eval-from|${producer}`,
    details: { ...first!.details, grouped: group.length, producer, members, findings: findings.slice(0, 50) },
  };
}

/**
 * Runtime code (eval, new Function, inserted script text) compiled by one script is one alert: a script that rewrites
 * itself every few milliseconds raises one alert for its source, not one per body. Removals of such code fold alike.
 */
export function groupRuntimeAlerts(alerts: PlannedAlert[]): PlannedAlert[] {
  const groups = new Map<string, PlannedAlert[]>();
  const out: (PlannedAlert | string)[] = [];
  for (const alert of alerts) {
    if (!isRuntime(alert) || !['script.added', 'script.changed', 'script.removed'].includes(alert.type)) {
      out.push(alert);
      continue;
    }
    const removed = alert.type === 'script.removed';
    const key = `${removed ? 'removed' : 'new'}|${frameScopeOfKey(alert.subjectKey)}|${removed ? '' : producerOf(alert)}`;
    if (!groups.has(key)) {
      groups.set(key, []);
      out.push(key);
    }
    groups.get(key)!.push(alert);
  }
  return out.map((entry) => {
    if (typeof entry !== 'string') return entry;
    const group = groups.get(entry)!;
    if (group.length === 1) return group[0]!;
    return fold(group, group[0]!.type === 'script.removed' ? 'the page' : producerOf(group[0]!));
  });
}

/**
 * At most `max` new alerts for one target and profile per scan, the most severe first; the rest are summed up in one
 * `alerts.capped` alert. Repeats of open alerts are not counted: a capped change is raised by a later scan.
 */
export function capAlerts(alerts: PlannedAlert[], max: number, isRepeat: (alert: PlannedAlert) => boolean, page: string): PlannedAlert[] {
  const fresh = alerts.filter((a) => !isRepeat(a));
  if (fresh.length <= max) return alerts;
  const kept = new Set([...fresh].sort((a, b) => severityRank(b.severity) - severityRank(a.severity)).slice(0, max));
  const dropped = fresh.filter((a) => !kept.has(a));
  const byType = new Map<string, number>();
  for (const a of dropped) byType.set(a.type, (byType.get(a.type) ?? 0) + 1);
  const counts = [...byType].map(([type, n]) => `${n} ${type}`).join(', ');
  const summary: PlannedAlert = {
    type: 'alerts.capped',
    severity: highest(dropped),
    page,
    subject: page,
    subjectType: 'host',
    subjectKey: 'alerts.capped',
    summary: `This scan found ${fresh.length} new changes on ${page}; the ${max} most severe are alerts, ${dropped.length} more (${counts}) are not (limits.maxAlertsPerScan): they are raised by later scans, and the inventory lists every script`,
    dedupeKey: 'alerts.capped',
    oldValue: null,
    newValue: String(dropped.length),
    details: { limit: max, found: fresh.length, notRaised: dropped.length, byType: Object.fromEntries(byType), subjects: dropped.slice(0, 100).map((a) => a.subject) },
  };
  return [...alerts.filter((a) => isRepeat(a) || kept.has(a)), summary];
}
