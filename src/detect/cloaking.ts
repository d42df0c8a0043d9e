// Finds changes that one visitor profile saw and another did not: possible cloaking by user agent (pure).

export interface ProfileAlert {
  id: number;
  target: string;
  profile: string;
  type: string;
  subject: string;
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
    if (!CLOAKABLE.has(alert.type)) continue;
    const others = (scannedProfiles.get(alert.target) ?? []).filter((p) => p !== alert.profile);
    if (others.length === 0) continue;
    const missing = others.filter((p) => !seen.has(`${alert.target}|${p}|${alert.type}|${alert.subject}`));
    if (missing.length === others.length) flags.push({ id: alert.id, profile: alert.profile, others: missing });
  }
  return flags;
}
