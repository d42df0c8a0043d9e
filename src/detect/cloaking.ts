// Finds changes that one visitor profile saw and another did not (possible cloaking by user agent), and changes one
// vantage was served and the others were not (possible cloaking by where the visitor is) (pure).

import type { ScanPlan } from '../plan/plan.js';
import { DEFAULT_VANTAGE, splitProfileKey } from '../config/vantages.js';

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

/**
 * The same comparison between the vantages of one device profile: alerts (profile keys `desktop@eu-west`) one vantage
 * raised while every other vantage that scanned the profile successfully (`scanned`: target → profile keys) did not.
 * `profile` and `others` of a flag are vantage names.
 */
export function vantageFlags(alerts: ProfileAlert[], scanned: Map<string, string[]>): (CloakingFlag & { device: string })[] {
  const group = (target: string, key: string) => {
    const { profile, vantage } = splitProfileKey(key);
    return { target: `${target}|${profile}`, profile: vantage, device: profile };
  };
  const regrouped = new Map<string, string[]>();
  for (const [target, keys] of scanned) {
    for (const key of keys) {
      const g = group(target, key);
      regrouped.set(g.target, [...(regrouped.get(g.target) ?? []), g.profile]);
    }
  }
  const devices = new Map(alerts.map((a) => [a.id, group(a.target, a.profile).device]));
  return cloakingFlags(alerts.map((a) => ({ ...a, ...group(a.target, a.profile) })), regrouped).map((f) => ({ ...f, device: devices.get(f.id)! }));
}

/** The note a vantage flag puts on its alert. */
export function vantageNote(flag: { profile: string; others: string[]; device: string }, when: 'run' | 'slot'): string {
  return `possible cloaking: only the ${flag.profile} vantage is served this (${flag.device}); ${flag.others.join(' and ')} did not see it in the same ${when === 'run' ? 'run' : 'scheduled slot'}`;
}

/** One profile's judged plan of a target, with the dedupe keys of its alerts that already stood. */
export interface ProfilePlan {
  plan: ScanPlan;
  repeatKeys: ReadonlySet<string>;
}

/** A note added to an alert's summary and to `details.cloaking` (after any note it has). */
export function withCloakingNote<A extends { summary: string; details: Record<string, unknown> }>(alert: A, note: string): A {
  const before = typeof alert.details.cloaking === 'string' ? `${alert.details.cloaking}; ` : '';
  return { ...alert, summary: `${alert.summary}; ${note}`, details: { ...alert.details, cloaking: `${before}${note}` } };
}

/**
 * The plans of one target's profiles in one run, each new alert that only one of the successfully scanned profiles
 * raised carrying a note (in its summary and `details.cloaking`): the device profiles of each vantage are compared,
 * and the vantages of each device profile. Plans are not changed; new ones are returned.
 */
export function noteCloaking(plans: ProfilePlan[]): ScanPlan[] {
  const alerts: (ProfileAlert & { plan: number; index: number })[] = [];
  plans.forEach(({ plan, repeatKeys }, p) => plan.alerts.forEach((a, index) => alerts.push({
    id: alerts.length, plan: p, index, target: plan.target.name, profile: plan.profile, type: a.type, subject: a.subject, repeat: repeatKeys.has(a.dedupeKey),
  })));
  const scanned = new Map<string, string[]>();
  for (const { plan } of plans) if (plan.scan.status === 'ok') scanned.set(plan.target.name, [...(scanned.get(plan.target.name) ?? []), plan.profile]);
  const out = plans.map(({ plan }) => ({ ...plan, alerts: [...plan.alerts] }));
  const note = (id: number, text: string) => {
    const { plan, index } = alerts[id]!;
    out[plan]!.alerts[index] = withCloakingNote(out[plan]!.alerts[index]!, text);
  };
  // Device profiles within a vantage: the key's vantage joins the target, so only profiles of one vantage are compared.
  const byVantage = (target: string, key: string) => ({ target: `${target}@${splitProfileKey(key).vantage}`, profile: splitProfileKey(key).profile });
  const scannedByVantage = new Map<string, string[]>();
  for (const [target, keys] of scanned) {
    for (const key of keys) {
      const g = byVantage(target, key);
      scannedByVantage.set(g.target, [...(scannedByVantage.get(g.target) ?? []), g.profile]);
    }
  }
  for (const flag of cloakingFlags(alerts.map((a) => ({ ...a, ...byVantage(a.target, a.profile) })), scannedByVantage)) {
    const { vantage } = splitProfileKey(alerts[flag.id]!.profile);
    const at = vantage === DEFAULT_VANTAGE ? '' : ` at ${vantage}`;
    note(flag.id, `possible cloaking: only the ${flag.profile} profile sees this${at}; the ${flag.others.join(' and ')} profile did not in the same run`);
  }
  for (const flag of vantageFlags(alerts, scanned)) note(flag.id, vantageNote(flag, 'run'));
  return out;
}

/** An alert of a slot's profile keys, as the cross-vantage check reads it back (see store/slot-checks). */
export interface SlotAlertInput { id: number; profile: string; type: string; subject: string; summary: string; details: Record<string, unknown>; status: string; firstScanId: number; lastScanId: number }

/**
 * The vantages of one scheduled slot, scanned by different workers, compared once all have reported: an alert a
 * slot's scan raised that no other vantage's successful scan of the same device profile raised or saw again (nor
 * holds approved) gets a note. The notes to write, by alert id.
 */
export function slotNotes(scans: { id: number; profile: string; ok: boolean }[], alerts: SlotAlertInput[]): { id: number; summary: string; details: Record<string, unknown> }[] {
  const ids = new Set(scans.map((s) => s.id));
  const input: ProfileAlert[] = alerts
    .filter((a) => ids.has(a.firstScanId) || ids.has(a.lastScanId) || a.status === 'approved')
    .map((a) => ({ id: a.id, target: 'slot', profile: a.profile, type: a.type, subject: a.subject, repeat: !ids.has(a.firstScanId) }));
  const scanned = new Map([['slot', scans.filter((s) => s.ok).map((s) => s.profile)]]);
  const byId = new Map(alerts.map((a) => [a.id, a]));
  return vantageFlags(input, scanned).map((flag) => {
    const { summary, details } = withCloakingNote(byId.get(flag.id)!, vantageNote(flag, 'slot'));
    return { id: flag.id, summary, details };
  });
}
