// Finds changes that one visitor profile saw and another did not: possible cloaking by user agent (pure).

import type { ScanPlan } from '../plan/plan.js';

export interface ProfileAlert {
  id: number;
  target: string;
  profile: string;
  type: string;
  subject: string;
  /** Already standing from an earlier run: it counts as seen by its profile, and is not flagged again. */
  repeat?: boolean;
}

export interface CloakingFlag {
  id: number;
  /** The only profile that saw it. */
  profile: string;
  /** The profiles scanned in the same run that did not. */
  others: string[];
}

/** Types whose appearance in one profile alone suggests cloaking (headers and removals do not). */
const CLOAKABLE = new Set(['script.added', 'script.changed', 'connection.added', 'exfiltration.detected', 'miner.detected', 'canary.stored']);

/**
 * Alerts raised for one profile of a target while another profile, scanned successfully in the same run, raised no
 * alert of the same type for the same subject. Script keys are compared without their frame scope's query.
 */
export function cloakingFlags(alerts: ProfileAlert[], scannedProfiles: Map<string, string[]>): CloakingFlag[] {
  const seen = new Set(alerts.map((a) => `${a.target}|${a.profile}|${a.type}|${a.subject}`));
  const flags: CloakingFlag[] = [];
  for (const alert of alerts) {
    if (!CLOAKABLE.has(alert.type) || alert.repeat) continue;
    const others = (scannedProfiles.get(alert.target) ?? []).filter((p) => p !== alert.profile);
    if (others.length === 0) continue;
    const missing = others.filter((p) => !seen.has(`${alert.target}|${p}|${alert.type}|${alert.subject}`));
    if (missing.length === others.length) flags.push({ id: alert.id, profile: alert.profile, others: missing });
  }
  return flags;
}

/** One profile's judged plan of a target, with the dedupe keys of its alerts that already stood. */
export interface ProfilePlan {
  plan: ScanPlan;
  repeatKeys: ReadonlySet<string>;
}

/**
 * The plans of one target's profiles in one run, each new alert that only one of the successfully scanned profiles
 * raised carrying a note (in its summary and `details.cloaking`). Plans are not changed; new ones are returned.
 */
export function noteCloaking(plans: ProfilePlan[]): ScanPlan[] {
  const alerts: (ProfileAlert & { plan: number; index: number })[] = [];
  plans.forEach(({ plan, repeatKeys }, p) => plan.alerts.forEach((a, index) => alerts.push({
    id: alerts.length, plan: p, index, target: plan.target.name, profile: plan.profile, type: a.type, subject: a.subject, repeat: repeatKeys.has(a.dedupeKey),
  })));
  const scanned = new Map<string, string[]>();
  for (const { plan } of plans) if (plan.scan.status === 'ok') scanned.set(plan.target.name, [...(scanned.get(plan.target.name) ?? []), plan.profile]);
  const out = plans.map(({ plan }) => ({ ...plan, alerts: [...plan.alerts] }));
  for (const flag of cloakingFlags(alerts, scanned)) {
    const { plan, index } = alerts[flag.id]!;
    const alert = out[plan]!.alerts[index]!;
    const note = `possible cloaking: only the ${flag.profile} profile sees this; the ${flag.others.join(' and ')} profile did not in the same run`;
    out[plan]!.alerts[index] = { ...alert, summary: `${alert.summary}; ${note}`, details: { ...alert.details, cloaking: note } };
  }
  return out;
}
