// Analyzer: a script served from, or naming, a host on a known-bad list (config intel.knownBadHosts and bundled data).

import { knownBadMatch, type KnownBadHosts } from '../intel/known-bad-hosts.js';
import { stringHosts, textHosts } from './skimmer-traits.js';
import type { Analyzer, ConnectionChange, Finding, ScriptChange } from './types.js';

/** Findings for hosts on the list: one per listed entry. */
export function knownBadFindings(hosts: Iterable<string>, list: KnownBadHosts, analyzer = 'known-bad-host'): Finding[] {
  const findings = new Map<string, Finding>();
  for (const host of hosts) {
    const entry = knownBadMatch(list, host);
    if (entry && !findings.has(entry)) {
      findings.set(entry, { analyzer, severity: 'critical', kind: 'known-bad', title: `uses ${host}, on the known-bad host list (${entry})`, detail: host });
    }
  }
  return [...findings.values()];
}

export const knownBadHost: Analyzer = {
  meta: { id: 'known-bad-host', title: 'Hosts known to serve malicious code', needs: ['newCode', 'knownBad'] },
  run(change: ScriptChange): Finding[] {
    // A page script names hosts in its strings (a licence header or a comment is not a use); an installer anywhere.
    const hostsOf = change.resource ? textHosts : stringHosts;
    const hosts = [...hostsOf(change.newCode)];
    if (change.oldCode !== null) {
      const before = hostsOf(change.oldCode);
      hosts.splice(0, hosts.length, ...hosts.filter((h) => !before.has(h)));
    }
    if (change.url) {
      try {
        hosts.unshift(new URL(change.url).hostname);
      } catch {
        // not a URL: nothing to check
      }
    }
    return knownBadFindings(hosts, change.knownBad);
  },
};

/** A new destination on the known-bad list. */
export const knownBadDestination: Analyzer<ConnectionChange> = {
  meta: { id: 'known-bad-host', title: 'Destinations known to receive stolen data', needs: ['host', 'knownBad'] },
  run: (change) => knownBadFindings([change.host], change.knownBad),
};
