// What a new intelligence entry finds in what was approved before (pure): versions served from or naming a host just
// added to the known-bad list, approved destinations under it, and versions whose library is newly known vulnerable.

import { knownBadMatch } from './intel/known-bad-hosts.js';
import { namesHost } from './hunt-query.js';

/** What was approved before, as the store reads it back. */
export interface ApprovedVersion { targetId: number; target: string; page: string; profile: string; key: string; url: string | null; sha256: string; approvedAt: string | null; firstSeen: string }
export interface ApprovedHost { targetId: number; target: string; page: string; profile: string; host: string; approvedAt: string | null }

/** An alert to raise: one hit of a new entry in something approved before. */
export interface IntelHit {
  targetId: number; profile: string; page: string; subject: string; subjectType: 'script' | 'host'; severity: 'critical' | 'high';
  summary: string; dedupeKey: string; sha256: string | null; details: Record<string, unknown>;
}

const hostOf = (url: string | null) => {
  try {
    return url ? new URL(url).hostname.toLowerCase() : null;
  } catch {
    return null;
  }
};

const approvedOn = (at: string | null) => (at ? ` (approved ${at.slice(0, 10)})` : '');

/** Hits of hosts newly on the known-bad list: a version's URL or body, or an approved destination. */
export function knownBadHits(added: string[], versions: (ApprovedVersion & { body: string | null })[], hosts: ApprovedHost[]): IntelHit[] {
  const list = { hosts: new Set(added), sources: [] };
  const hits: IntelHit[] = [];
  for (const v of versions) {
    const host = hostOf(v.url);
    const byUrl = host ? knownBadMatch(list, host) : null;
    const byBody = byUrl ? null : added.find((entry) => v.body !== null && namesHost(v.body, entry)) ?? null;
    const entry = byUrl ?? byBody;
    if (!entry) continue;
    hits.push({
      targetId: v.targetId, profile: v.profile, page: v.page, subject: v.key, subjectType: 'script', severity: 'critical', sha256: v.sha256,
      summary: `${v.url ?? v.key}${approvedOn(v.approvedAt)} ${byUrl ? 'is served from' : 'names'} ${entry}, now on the known-bad host list`,
      dedupeKey: `intel.match|known-bad|${entry}|${v.key}|${v.sha256}`,
      details: { intel: 'known-bad-hosts', entry, via: byUrl ? 'url' : 'body', approvedAt: v.approvedAt, firstSeen: v.firstSeen, sha256: v.sha256, url: v.url },
    });
  }
  for (const h of hosts) {
    const entry = knownBadMatch(list, h.host);
    if (!entry) continue;
    hits.push({
      targetId: h.targetId, profile: h.profile, page: h.page, subject: h.host, subjectType: 'host', severity: 'critical', sha256: null,
      summary: `the page sends to ${h.host}${approvedOn(h.approvedAt)}, now on the known-bad host list (${entry})`,
      dedupeKey: `intel.match|known-bad|${entry}|${h.host}`,
      details: { intel: 'known-bad-hosts', entry, via: 'destination', approvedAt: h.approvedAt },
    });
  }
  return hits;
}

/** Hits of library data that now lists vulnerabilities of an approved version that it did not list at the last check. */
export function vulnerabilityHits(versions: (ApprovedVersion & { library: { name: string; version: string; vulnerabilities: string[] } | null })[], before: Record<string, string[]>): IntelHit[] {
  const hits: IntelHit[] = [];
  for (const v of versions) {
    if (!v.library) continue;
    const known = new Set(before[v.sha256] ?? []);
    const fresh = v.library.vulnerabilities.filter((id) => !known.has(id));
    if (fresh.length === 0) continue;
    hits.push({
      targetId: v.targetId, profile: v.profile, page: v.page, subject: v.key, subjectType: 'script', severity: 'high', sha256: v.sha256,
      summary: `${v.url ?? v.key}${approvedOn(v.approvedAt)} is ${v.library.name}@${v.library.version}, now known vulnerable: ${fresh.slice(0, 5).join(', ')}${fresh.length > 5 ? ` and ${fresh.length - 5} more` : ''}`,
      dedupeKey: `intel.match|library|${v.key}|${v.sha256}|${[...fresh].sort().join(',')}`.slice(0, 1000),
      details: { intel: 'libraries', library: v.library, newVulnerabilities: fresh, approvedAt: v.approvedAt, firstSeen: v.firstSeen, sha256: v.sha256, url: v.url },
    });
  }
  return hits;
}
